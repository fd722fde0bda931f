// The fixture-tree helpers the static-file fuzz targets share (static_path.cc, static_rules.cc):
// a temporary root removed at exit, files and symlinks in it, the (device, inode) of every regular
// file physically under a folder, and the descriptor-leak check. Header-only; runs on the
// fuzzer's thread.
#ifndef NODE_HTTPUV_FUZZ_TREE_H_
#define NODE_HTTPUV_FUZZ_TREE_H_

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string>
#include <utility>

namespace fuzz_tree {

using FileId = std::pair<dev_t, ino_t>;

inline std::string& RootPath() {
  static std::string root;
  return root;
}

inline void RemoveRoot() {
  if (RootPath().empty()) return;
  std::string cmd = "rm -rf '" + RootPath() + "'";
  if (system(cmd.c_str()) != 0) fprintf(stderr, "could not remove %s\n", RootPath().c_str());
}

// A new folder under $TMPDIR named `prefix`.XXXXXX, removed at exit (scripts/fuzz.mjs points
// TMPDIR at a folder it removes itself, since a crashing run never reaches the atexit handler).
inline std::string MakeRoot(const char* prefix) {
  const char* base = getenv("TMPDIR");
  std::string tmpl = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/" + prefix +
                     ".XXXXXX";
  if (mkdtemp(&tmpl[0]) == nullptr) { perror("mkdtemp"); abort(); }
  RootPath() = tmpl;
  atexit(RemoveRoot);
  return tmpl;
}

inline void Write(const std::string& path, const std::string& content) {
  FILE* f = fopen(path.c_str(), "wb");
  if (f == nullptr) { perror(path.c_str()); abort(); }
  fwrite(content.data(), 1, content.size(), f);
  fclose(f);
}

inline void Link(const char* target, const std::string& at) {
  if (symlink(target, at.c_str()) != 0) { perror(at.c_str()); abort(); }
}

// Every regular file physically under `dir` (symlinks are not followed) into `out`. Iterative: a
// deep tree cannot overflow the stack.
inline void Collect(const std::string& dir, std::set<FileId>* out) {
  std::set<std::string> todo{dir};
  while (!todo.empty()) {
    std::string cur = *todo.begin();
    todo.erase(todo.begin());
    DIR* d = opendir(cur.c_str());
    if (d == nullptr) continue;
    while (dirent* e = readdir(d)) {
      std::string name = e->d_name;
      if (name == "." || name == "..") continue;
      std::string p = cur + "/" + name;
      struct stat st;
      if (lstat(p.c_str(), &st) != 0) continue;
      if (S_ISDIR(st.st_mode)) todo.insert(p);
      if (S_ISREG(st.st_mode)) out->insert({st.st_dev, st.st_ino});
    }
    closedir(d);
  }
}

// The lowest free descriptor now (what the next open would get).
inline int NextFreeFd() {
  int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  close(fd);
  return fd;
}

// True when a descriptor of this process refers to a file of the fixture tree (each is printed).
inline bool LeakedTreeFd() {
  DIR* d = opendir("/proc/self/fd");
  if (d == nullptr) return false;
  bool leaked = false;
  const std::string& root = RootPath();
  while (dirent* e = readdir(d)) {
    char buf[4096];
    std::string p = std::string("/proc/self/fd/") + e->d_name;
    ssize_t n = readlink(p.c_str(), buf, sizeof buf - 1);
    if (n <= 0) continue;
    buf[n] = '\0';
    if (strncmp(buf, root.c_str(), root.size()) == 0) {
      fprintf(stderr, "open fd %s -> %s\n", e->d_name, buf);
      leaked = true;
    }
  }
  closedir(d);
  return leaked;
}

}  // namespace fuzz_tree

#endif  // NODE_HTTPUV_FUZZ_TREE_H_
