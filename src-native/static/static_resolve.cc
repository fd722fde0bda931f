// Request path → open file under a static root: decoding, the path safety rules and the
// realpath containment check around open(); reading a directory for a listing under the same
// rules. Runs on the I/O thread; no napi.h, no uv.h.
#include "static/static_resolve.h"

#include <cstring>

#ifndef _WIN32  // the Windows file side is static_resolve_win.cc
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#endif

#if defined(__linux__) && defined(__has_include)
#if __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#include <sys/syscall.h>
#if defined(SYS_openat2)
#define HTTPUV_HAVE_OPENAT2 1
#endif
#endif
#endif

#include "util/utf8.h"

namespace httpuv {
namespace statics {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

#ifndef _WIN32
OpenedFile::Status StatusFromErrno(int err) {
  switch (err) {
    case EACCES:
    case EPERM:
      return OpenedFile::Status::kForbidden;
    case ENOENT:
    case ENOTDIR:
    case ENAMETOOLONG:
    case ELOOP:   // O_NOFOLLOW / RESOLVE_NO_SYMLINKS met a symlink swapped in after realpath
    case EXDEV:   // RESOLVE_BENEATH: the path left the root
    case ENXIO:   // a socket or a device without a driver
      return OpenedFile::Status::kMissing;
    default:
      return OpenedFile::Status::kError;
  }
}

// realpath(3) with the result owned; empty string and errno set on failure.
std::string RealPath(const std::string& path) {
  std::unique_ptr<char, decltype(&free)> real(realpath(path.c_str(), nullptr), &free);
  return real ? std::string(real.get()) : std::string();
}
#endif

bool IsHiddenSegment(std::string_view seg) {
  return !seg.empty() && seg[0] == '.' && seg != "." && seg != ".well-known";
}

#ifndef _WIN32
constexpr int kOpenFlags = O_RDONLY | O_CLOEXEC | O_NONBLOCK;

// True when no segment of `rel` is ".." or hidden (and it has no NUL): such a path, free of symlinks, names exactly
// the file under the root that it spells, which is what the fast path relies on.
bool IsPlainRel(std::string_view rel) {
  if (rel.find('\0') != std::string_view::npos) return false;  // would cut the C path short
  size_t start = 0;
  while (start <= rel.size()) {
    size_t end = rel.find('/', start);
    if (end == std::string_view::npos) end = rel.size();
    std::string_view seg = rel.substr(start, end - start);
    if (seg == ".." || IsHiddenSegment(seg)) return false;
    start = end + 1;
  }
  return true;
}

// Step 4 of OpenUnderRoot for a freshly opened `fd`: type and size from fstat.
void FinishOpen(int fd, OpenedFile* out, bool keep_directory) {
  out->fd = util::FdHandle(fd);
  if (platform::Fstat(fd, &out->st) != 0) {
    // platform::Fstat sets errno (not so libc's fstat in the zig-built prebuilds: see file.h).
    out->status = StatusFromErrno(errno != 0 ? errno : EIO);
    out->fd.Reset();
    return;
  }
  if (S_ISDIR(out->st.st_mode)) {
    out->status = OpenedFile::Status::kDirectory;
    if (!keep_directory) out->fd.Reset();
    return;
  }
  if (!S_ISREG(out->st.st_mode)) {
    out->status = OpenedFile::Status::kMissing;  // FIFO, socket, device: never served
    out->fd.Reset();
    return;
  }
  out->status = OpenedFile::Status::kOk;
}
#endif  // !_WIN32

#ifdef HTTPUV_HAVE_OPENAT2
// Cleared the first time openat2 is unavailable (old kernel, or a seccomp filter that answers
// ENOSYS/EPERM), after which O_NOFOLLOW is the only guard.
std::atomic<bool> g_openat2_usable{true};

// openat2(dirfd, path) refusing every symlink, plus RESOLVE_BENEATH when `beneath`. Returns the fd,
// or -1 with errno set; *tried is false when openat2 could not be used at all.
int OpenNoSymlinks(int dirfd, const char* path, bool beneath, bool* tried) {
  *tried = false;
  if (!g_openat2_usable.load(std::memory_order_relaxed)) return -1;
  struct open_how how {};
  how.flags = kOpenFlags;
  how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | (beneath ? RESOLVE_BENEATH : 0);
  long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
  if (fd < 0 && (errno == ENOSYS || errno == EPERM || errno == E2BIG)) {
    g_openat2_usable.store(false, std::memory_order_relaxed);
    return -1;
  }
  *tried = true;
  return static_cast<int>(fd);
}

// The slow path's open: `rel` (already realpath-checked) beneath the root directory.
int OpenBeneath(const std::string& root, const std::string& rel, bool* tried) {
  *tried = false;
  if (!g_openat2_usable.load(std::memory_order_relaxed)) return -1;
  util::FdHandle dir(open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0) return -1;
  return OpenNoSymlinks(dir.get(), rel.c_str(), true, tried);
}
#endif

}  // namespace

bool TargetPath(std::string_view target, std::string_view* path) {
  if (!target.empty() && target[0] == '/') {
    *path = target;
    return true;
  }
  size_t scheme_end = target.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) return false;
  for (size_t i = 0; i < scheme_end; i++) {
    char c = target[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
    if (!ok) return false;
  }
  size_t start = target.find_first_of("/?#", scheme_end + 3);
  if (start == std::string_view::npos || target[start] != '/') {
    *path = "/";  // "http://host" or "http://host?q": the path is empty, which means "/"
    return true;
  }
  *path = target.substr(start);
  return true;
}

bool PercentDecode(std::string_view in, std::string* out) {
  out->clear();
  out->reserve(in.size());
  for (size_t i = 0; i < in.size(); i++) {
    if (in[i] != '%') {
      out->push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return false;
    int hi = HexValue(in[i + 1]);
    int lo = HexValue(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return true;
}

std::string PercentEncodePath(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  for (char ch : path) {
    const unsigned char c = static_cast<unsigned char>(ch);
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
    if (keep) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back("0123456789ABCDEF"[c >> 4]);
      out.push_back("0123456789ABCDEF"[c & 0xf]);
    }
  }
  return out;
}

void NormalizeRequestPath(std::string_view raw, NormalizedPath* out) {
  std::string& p = out->path;
  out->ok = true;
  out->trailing_slash = false;
  // 1. Decode once into `p`. A malformed escape ends the decoded text there: the segment it is in
  //    is the first bad one.
  size_t bad_at = std::string::npos;
  if (!PercentDecode(raw, &p)) bad_at = p.size();
  if (p.empty() || p[0] != '/') {  // TargetPath never gives one; defensive
    p.insert(p.begin(), '/');
    if (bad_at != std::string::npos) bad_at++;
  }
  // 2. Walk the segments (after each '/'), compacting in place: p[0, w) is the normalised path so
  //    far. Every write lands at or before the '/' that precedes the segment being read, so the
  //    memmove never overwrites bytes not yet read. A loop, not recursion; one pass.
  const size_t n = p.size();
  size_t w = 0;
  size_t start = 1;
  bool skipped_last = false;
  for (;;) {
    size_t end = p.find('/', start);
    if (end == std::string::npos) end = n;
    std::string_view seg(p.data() + start, end - start);
    const bool bad = (bad_at != std::string::npos && end == n) || seg == ".." ||
                     seg.find('\0') != std::string_view::npos ||
                     seg.find('\\') != std::string_view::npos || !util::IsValidUtf8(seg.data(), seg.size());
    if (bad) {
      out->ok = false;
      break;
    }
    skipped_last = seg.empty() || seg == ".";
    if (!skipped_last) {
      p[w] = '/';
      memmove(&p[w + 1], seg.data(), seg.size());
      w += 1 + seg.size();
    }
    if (end >= n) break;
    start = end + 1;
  }
  out->trailing_slash = out->ok && skipped_last && w > 0;
  if (w == 0) {
    p.assign(1, '/');
  } else {
    p.resize(w);
  }
}

std::string NormalizeStaticKey(std::string_view key) {
  std::string out;
  out.reserve(key.size() + 1);
  size_t start = 0;
  while (start <= key.size()) {
    size_t end = key.find('/', start);
    if (end == std::string_view::npos) end = key.size();
    std::string_view seg = key.substr(start, end - start);
    if (!seg.empty() && seg != ".") {
      out.push_back('/');
      out.append(seg);
    }
    start = end + 1;
  }
  if (out.empty()) out.push_back('/');
  return out;
}

namespace {

// The next character of `s` at *i for a case-insensitive comparison, advancing *i: ASCII letters
// in lower case, U+212A KELVIN SIGN as 'k', U+017F LATIN SMALL LETTER LONG S as 's' (the only
// characters outside ASCII whose Unicode case folding is an ASCII letter), any other byte as is.
int FoldedNext(std::string_view s, size_t* i) {
  unsigned char c = static_cast<unsigned char>(s[*i]);
  if (c >= 'A' && c <= 'Z') {
    ++*i;
    return c - 'A' + 'a';
  }
  if (c == 0xE2 && *i + 2 < s.size() && static_cast<unsigned char>(s[*i + 1]) == 0x84 &&
      static_cast<unsigned char>(s[*i + 2]) == 0xAA) {
    *i += 3;
    return 'k';
  }
  if (c == 0xC5 && *i + 1 < s.size() && static_cast<unsigned char>(s[*i + 1]) == 0xBF) {
    *i += 2;
    return 's';
  }
  ++*i;
  return c;
}

}  // namespace

bool KeyMatchesFolded(std::string_view key, std::string_view path) {
  if (key == "/") return true;
  size_t i = 0;
  size_t j = 0;
  while (i < key.size()) {
    if (j >= path.size()) return false;
    if (FoldedNext(key, &i) != FoldedNext(path, &j)) return false;
  }
  return j == path.size() || path[j] == '/';
}

bool HasHiddenSegment(std::string_view rel) {
  size_t start = 0;
  while (start <= rel.size()) {
    size_t end = rel.find('/', start);
    if (end == std::string_view::npos) end = rel.size();
    if (IsHiddenSegment(rel.substr(start, end - start))) return true;
    start = end + 1;
  }
  return false;
}

#ifndef _WIN32
bool ResolveRoot(const std::string& dir, StaticRoot* root) {
  root->real = RealPath(dir);
  if (root->real.empty()) return false;
  struct stat st;
  if (platform::Stat(root->real.c_str(), &st) != 0) return false;
  root->is_file = !S_ISDIR(st.st_mode);
  return true;
}

namespace {

// The realpath-based path (see static_resolve.h): symlinks followed while they stay in the root.
OpenedFile OpenUnderRootSlow(const StaticRoot& given, std::string_view rel_in, bool keep_directory) {
  OpenedFile out;
  StaticRoot fresh;
  const StaticRoot* root = &given;
  if (given.dir != nullptr) {
    // `given` may be a memo of an earlier request; containment is judged against the root as
    // it resolves now (as every request did before the fast path existed).
    if (!ResolveRoot(*given.dir, &fresh)) return out;
    root = &fresh;
  }
  if (root->is_file && !rel_in.empty()) return out;  // a one-file entry has nothing beneath it
  const std::string rel(rel_in);
  std::string candidate = rel.empty() ? root->real : root->real + "/" + rel;
  if (candidate.size() >= PATH_MAX) return out;  // ENAMETOOLONG without asking the kernel

  // 1. Containment of the fully resolved path.
  std::string real = RealPath(candidate);
  if (real.empty()) {
    out.status = StatusFromErrno(errno);
    return out;
  }
  const std::string& base = root->real;
  if (real == base) {
    out.rel.clear();
  } else if (base == "/") {
    out.rel = real.substr(1);
  } else if (real.size() > base.size() && real.compare(0, base.size(), base) == 0 &&
             real[base.size()] == '/') {
    out.rel = real.substr(base.size() + 1);
  } else {
    return out;  // a symlink that leaves the root: 404, as if absent
  }
  // 2. The dotfile policy applies to where a symlink lands, too.
  if (HasHiddenSegment(out.rel)) return out;

  // 3. Open without following symlinks.
  int fd = -1;
  bool opened_beneath = false;
#ifdef HTTPUV_HAVE_OPENAT2
  if (!root->is_file && !out.rel.empty()) fd = OpenBeneath(base, out.rel, &opened_beneath);
#endif
  if (!opened_beneath) fd = open(real.c_str(), kOpenFlags | O_NOFOLLOW);
  if (fd < 0) {
    out.status = StatusFromErrno(errno);
    return out;
  }
  // 4. Type and size of what was actually opened.
  FinishOpen(fd, &out, keep_directory);
  return out;
}

}  // namespace

OpenedFile OpenUnderRoot(const StaticRoot& root, std::string_view rel, bool keep_directory) {
  OpenedFile out;
  if (root.is_file && !rel.empty()) return out;  // a one-file entry has nothing beneath it
  if (root.real.size() + 1 + rel.size() >= PATH_MAX) return out;  // ENAMETOOLONG
#ifdef HTTPUV_HAVE_OPENAT2
  if (!root.real.empty() && root.real[0] == '/' && IsPlainRel(rel)) {
    // Fast path: "<root>/<rel>" in one openat2 that refuses every symlink, the root's own
    // components included. No symlink and no ".." means the path is what it spells: beneath
    // the root. A symlink anywhere (ELOOP) takes the realpath path, which follows it if it stays
    // inside; any other error is final, as the slow path would reach the same one.
    char path[PATH_MAX];
    size_t n = root.real.size();
    memcpy(path, root.real.data(), n);
    if (!rel.empty()) {
      if (n > 1) path[n++] = '/';  // root "/" already ends with one
      memcpy(path + n, rel.data(), rel.size());
      n += rel.size();
    }
    path[n] = '\0';
    bool tried = false;
    int fd = OpenNoSymlinks(AT_FDCWD, path, false, &tried);
    if (tried) {
      if (fd >= 0) {
        out.rel.assign(rel.data(), rel.size());
        FinishOpen(fd, &out, keep_directory);
        return out;
      }
      if (errno != ELOOP && errno != EXDEV) {
        out.status = StatusFromErrno(errno);
        return out;
      }
    }
  }
#endif
  return OpenUnderRootSlow(root, rel, keep_directory);
}

bool ListDirectory(const StaticRoot& root, OpenedFile dir, size_t max,
                   std::vector<ListedName>* out, size_t* more) {
  out->clear();
  *more = 0;
  if (dir.status != OpenedFile::Status::kDirectory || dir.fd.get() < 0) return false;
  DIR* d = fdopendir(dir.fd.get());
  if (d == nullptr) return false;
  dir.fd.Release();  // owned by `d` now
  const int dfd = dirfd(d);
  // A loop over the entries; a symlink costs one OpenUnderRoot (the same containment rules as a
  // request for it), anything else one fstatat that does not follow links.
  while (struct dirent* ent = readdir(d)) {
    std::string_view name(ent->d_name);
    if (name.empty() || name == "." || name == ".." || IsHiddenSegment(name)) continue;
    if (name.find('\\') != std::string_view::npos || !util::IsValidUtf8(name.data(), name.size())) continue;
    struct stat st;
    if (platform::Fstatat(dfd, ent->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    std::string rel = dir.rel.empty() ? std::string(name) : dir.rel + "/" + std::string(name);
    ListedName item;
    if (S_ISLNK(st.st_mode)) {
      OpenedFile target = OpenUnderRoot(root, rel);
      if (target.status == OpenedFile::Status::kOk) {
        item.size = static_cast<uint64_t>(target.st.st_size);
        item.mtime = static_cast<int64_t>(target.st.st_mtime);
      } else if (target.status == OpenedFile::Status::kDirectory) {
        item.is_dir = true;
        struct stat dst;
        if (platform::Fstatat(dfd, ent->d_name, &dst, 0) == 0) item.mtime = static_cast<int64_t>(dst.st_mtime);
      } else {
        continue;  // leaves the root, hidden, dangling or not a file
      }
      item.rel = target.rel;
    } else if (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)) {
      item.is_dir = S_ISDIR(st.st_mode);
      item.size = item.is_dir ? 0 : static_cast<uint64_t>(st.st_size);
      item.mtime = static_cast<int64_t>(st.st_mtime);
      item.rel = rel;
    } else {
      continue;
    }
    if (out->size() >= max) {
      ++*more;
      continue;
    }
    item.name.assign(name);
    out->push_back(std::move(item));
  }
  closedir(d);
  return true;
}

bool SetOpenat2ForTesting(bool enabled) {
#ifdef HTTPUV_HAVE_OPENAT2
  return g_openat2_usable.exchange(enabled);
#else
  (void)enabled;
  return false;
#endif
}
#endif  // !_WIN32

}  // namespace statics
}  // namespace httpuv
