// The platform layer's files: what libuv does not give the I/O thread synchronously (an owned
// native file, positioned reads, fstat-style metadata with nanosecond mtime, an unlinked temp
// file for request bodies, opening an app-chosen response file, handing a file to the host's
// JS). POSIX versions are inline here and are exactly the calls the server made before this
// layer existed (the Linux hot paths are unchanged); the Windows versions live in file_win.cc.
// Pure: no napi.h, no uv.h here; runs on whichever thread calls it (the I/O thread in the
// server, except HostFd, which runs on the JS thread).
#ifndef NODE_HTTPUV_PLATFORM_FILE_H_
#define NODE_HTTPUV_PLATFORM_FILE_H_

#include <cstddef>
#include <cstdint>
#include <string>

#ifndef _WIN32
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/syscall.h>
#endif

#include <cstdlib>
#include <cstring>
#endif

namespace httpuv {
namespace platform {

#ifdef _WIN32
// A Win32 HANDLE as an integer: INVALID_HANDLE_VALUE is -1, and real handles are positive, so
// `f < 0` means "no file" as it does for a POSIX descriptor.
using file_t = intptr_t;

// What the server reads of a file's metadata, with struct stat's field names so that code shared
// with POSIX reads the same fields. st_dev = volume serial number, st_ino = the 64-bit file index.
struct FileStat {
  uint64_t st_dev = 0;
  uint64_t st_ino = 0;
  int64_t st_size = 0;
  int64_t st_mtime = 0;  // seconds since the Unix epoch
  int64_t mtime_nsec = 0;
  bool is_dir = false;
  bool is_regular = false;
};
inline int64_t MtimeNs(const FileStat& st) { return st.st_mtime * 1000000000 + st.mtime_nsec; }
inline uint64_t MtimeNsecPart(const FileStat& st) { return static_cast<uint64_t>(st.mtime_nsec); }
inline bool IsDirectory(const FileStat& st) { return st.is_dir; }
inline bool IsRegular(const FileStat& st) { return st.is_regular; }

void CloseFile(file_t f);
bool StatFile(file_t f, FileStat* st);
// Reads up to n bytes at `offset` (without moving a shared file pointer); bytes read, 0 at the
// end, -1 on error.
int64_t ReadAt(file_t f, char* buf, size_t n, uint64_t offset);
// An anonymous temp file in %TEMP% (FILE_FLAG_DELETE_ON_CLOSE): gone when its last handle closes.
file_t OpenTempFile();
bool WriteAll(file_t f, const char* p, size_t n);
// The last error of this thread as text (GetLastError, or errno when the CRT failed).
std::string LastErrorText();
#else
using file_t = int;
using FileStat = struct stat;

inline int64_t MtimeNs(const FileStat& st) {
#ifdef __APPLE__
  return static_cast<int64_t>(st.st_mtimespec.tv_sec) * 1000000000 + st.st_mtimespec.tv_nsec;
#else
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
#endif
}
inline uint64_t MtimeNsecPart(const FileStat& st) {
#ifdef __APPLE__
  return static_cast<uint64_t>(st.st_mtimespec.tv_nsec);
#else
  return static_cast<uint64_t>(st.st_mtim.tv_nsec);
#endif
}
inline bool IsDirectory(const FileStat& st) { return S_ISDIR(st.st_mode); }
inline bool IsRegular(const FileStat& st) { return S_ISREG(st.st_mode); }

// The stat family, with errno set as POSIX says. On Linux x86-64 and arm64 these are the system
// calls themselves: the Linux prebuilds are linked against zig's glibc-2.28 stubs, and in those
// stat, lstat, fstat and fstatat (which lived in libc_nonshared.a before glibc 2.33, so zig
// compiles them into the binary) report a failure in a private errno of their own; the caller's
// errno stays whatever it was (a missing file read as errno 0, "Success"). On these two
// architectures the kernel's struct stat is glibc's struct stat, so the buffer is the same.
#if defined(__linux__) && (defined(__x86_64__) || defined(__aarch64__)) && \
    defined(SYS_newfstatat) && defined(SYS_fstat)
inline int Stat(const char* path, struct stat* st) {
  return static_cast<int>(::syscall(SYS_newfstatat, AT_FDCWD, path, st, 0));
}
inline int Fstat(int fd, struct stat* st) { return static_cast<int>(::syscall(SYS_fstat, fd, st)); }
inline int Fstatat(int dfd, const char* name, struct stat* st, int flags) {
  return static_cast<int>(::syscall(SYS_newfstatat, dfd, name, st, flags));
}
#else
inline int Stat(const char* path, struct stat* st) { return ::stat(path, st); }
inline int Fstat(int fd, struct stat* st) { return ::fstat(fd, st); }
inline int Fstatat(int dfd, const char* name, struct stat* st, int flags) {
  return ::fstatat(dfd, name, st, flags);
}
#endif

inline void CloseFile(file_t f) { ::close(f); }
inline bool StatFile(file_t f, FileStat* st) { return Fstat(f, st) == 0; }
inline int64_t ReadAt(file_t f, char* buf, size_t n, uint64_t offset) {
  for (;;) {
    ssize_t r = ::pread(f, buf, n, static_cast<off_t>(offset));
    if (r < 0 && errno == EINTR) continue;
    return r;
  }
}
// An unlinked temp file in $TMPDIR (or /tmp): the body lives as long as its descriptor, even if
// the process crashes.
inline file_t OpenTempFile() {
  const char* dir = getenv("TMPDIR");
  std::string tmpl = std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") +
                     "/node-httpuv-body-XXXXXX";
  int fd = mkstemp(&tmpl[0]);
  if (fd < 0) return -1;
  unlink(tmpl.c_str());
  fcntl(fd, F_SETFD, FD_CLOEXEC);
  return fd;
}
inline bool WriteAll(file_t f, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(f, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}
inline std::string LastErrorText() { return strerror(errno); }
#endif

constexpr file_t kNoFile = -1;

// Opens a file the app named as a response body (symlinks followed: the app chose the path).
// Only a regular file is opened: a FIFO, device, socket or directory is refused before the open
// and again after it (fstat of the open file), and the open cannot block (O_NONBLOCK) or take a
// controlling terminal (O_NOCTTY). On failure returns kNoFile and sets *why.
file_t OpenResponseFile(const std::string& path, FileStat* st, std::string* why);

// Deletes a file by name (UTF-8); an open handle keeps its contents readable. Errors ignored.
void RemoveFile(const std::string& path);

// Hands an owned file to the host's JavaScript as a descriptor that node:fs can read and close
// (the host's C runtime, through libuv on Windows). Takes ownership. Runs on the JS thread.
int HostFd(file_t f);

#ifndef _WIN32
inline file_t OpenResponseFile(const std::string& path, FileStat* st, std::string* why) {
  int fd = -1;
  int err = 0;
  const char* bad = nullptr;
  if (path.empty()) {
    bad = "empty path";
  } else if (Stat(path.c_str(), st) != 0) {
    err = errno != 0 ? errno : EIO;  // a failed stat fails, whatever errno says
  } else if (!S_ISREG(st->st_mode)) {
    bad = "not a regular file";
  } else if ((fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) < 0) {
    err = errno;
  } else if (Fstat(fd, st) != 0) {
    err = errno != 0 ? errno : EIO;
  } else if (!S_ISREG(st->st_mode)) {
    bad = "not a regular file";
  }
  if (bad == nullptr && err == 0) return fd;
  if (fd >= 0) ::close(fd);
  *why = bad != nullptr ? bad : strerror(err);
  return -1;
}
inline int HostFd(file_t f) { return f; }
inline void RemoveFile(const std::string& path) { ::unlink(path.c_str()); }
#endif

}  // namespace platform
}  // namespace httpuv

#endif  // NODE_HTTPUV_PLATFORM_FILE_H_
