// Shared support for the static-file engine's standalone tests (static_files_test.cc,
// static_files_fs_test.cc): the fixture tree, config builders, and Run(), which serves one
// request and reads back the bytes the connection would send (checking no secret leaks). Main
// thread; no napi.h, no uv.h.
#ifndef NODE_HTTPUV_TEST_NATIVE_CPP_STATIC_TEST_SUPPORT_H_
#define NODE_HTTPUV_TEST_NATIVE_CPP_STATIC_TEST_SUPPORT_H_

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "static/static_files.h"
#include "static/static_negotiation.h"
#include "static/static_resolve.h"
#include "util/ascii.h"
#include "native/cpp/check.h"

using namespace httpuv::statics;  // NOLINT(build/namespaces): test file

namespace stest {

inline std::string g_tree;  // fixture root (argv[1])
inline std::string Www() { return g_tree + "/www"; }

inline StaticPathEntry Entry(std::string path, std::string dir) {
  StaticPathEntry e;
  e.path = std::move(path);
  e.dir = std::move(dir);
  return e;
}

inline StaticConfig Config(std::vector<StaticPathEntry> entries) {
  StaticConfig c;
  c.entries = std::move(entries);
  return c;
}

// One decision plus the bytes the connection would send for it.
struct Res {
  StaticResult r;
  std::string data;
  bool had_fd = false;
  bool NotStatic() const { return r.kind == StaticResult::Kind::kNotStatic; }
  int status() const { return NotStatic() ? -1 : r.status; }
  const std::string* H(std::string_view name) const {
    for (const auto& h : r.headers) {
      if (httpuv::util::EqualsIgnoreCase(h.first, name)) return &h.second;
    }
    return nullptr;
  }
  std::string Hs(std::string_view name) const {
    const std::string* v = H(name);
    return v ? *v : "<absent>";
  }
  int Count(std::string_view name) const {
    int n = 0;
    for (const auto& h : r.headers) n += httpuv::util::EqualsIgnoreCase(h.first, name) ? 1 : 0;
    return n;
  }
};

inline Res Run(const StaticConfig& config, const std::string& target, const StaticHeaders& headers = {},
        const std::string& method = "GET") {
  StaticRequest req;
  req.method = method;
  req.target = target;
  req.headers = &headers;
  Res out;
  out.r = ServeStatic(config, req);
  if (out.r.fd >= 0) {
    out.had_fd = true;
    // The fd handed to the connection is a regular file (its O_NONBLOCK is then inert).
    struct stat fst;
    CHECK_EQ(fstat(out.r.fd, &fst), 0);
    CHECK(S_ISREG(fst.st_mode));
    out.data.resize(out.r.length);
    ssize_t n = pread(out.r.fd, &out.data[0], out.r.length, static_cast<off_t>(out.r.offset));
    CHECK_EQ(static_cast<uint64_t>(n), out.r.length);
    close(out.r.fd);
    out.r.fd = -1;
  } else if (!out.r.head_only) {
    out.data = out.r.body;
    CHECK_EQ(out.r.length, static_cast<uint64_t>(out.r.body.size()));
  }
  if (out.data.find("SECRET") != std::string::npos) {
    ++g_failures;
    std::cerr << "LEAK: " << target << " returned secret bytes\n";
  }
  return out;
}

inline int CountOpenFds() {
  DIR* d = opendir("/proc/self/fd");
  if (d == nullptr) return -1;
  int n = 0;
  while (readdir(d) != nullptr) n++;
  closedir(d);
  return n;
}

inline StaticConfig RootConfig() { return Config({Entry("/", Www())}); }

inline int64_t MtimeOf(const std::string& path) {
  struct stat st;
  stat(path.c_str(), &st);
  return st.st_mtime;
}

// static_files_fs_test.cc: validators, ranges, precompressed siblings, the root memo and the
// symlink swap race.
void TestConditionals();
void TestRanges();
void TestPrecompressed();
void TestRootMemo();
void TestSymlinkSwapRace();

}  // namespace stest

using namespace stest;  // NOLINT(build/namespaces): test support

#endif  // NODE_HTTPUV_TEST_NATIVE_CPP_STATIC_TEST_SUPPORT_H_
