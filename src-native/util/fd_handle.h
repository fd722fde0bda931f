// An owned file (a POSIX descriptor, a Win32 HANDLE: platform::file_t): closed when the owner
// dies. Move-only.
// Pure: runs on whichever thread owns it (the I/O thread in the server); no uv.h, no napi.h.
#ifndef NODE_HTTPUV_UTIL_FD_HANDLE_H_
#define NODE_HTTPUV_UTIL_FD_HANDLE_H_

#include "platform/file.h"

namespace httpuv {
namespace util {

// An owned file descriptor (a spilled request body, an open response or static file).
class FdHandle {
 public:
  FdHandle() = default;
  explicit FdHandle(platform::file_t fd) : fd_(fd) {}
  FdHandle(FdHandle&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  FdHandle& operator=(FdHandle&& o) noexcept {
    if (this != &o) {
      Reset();
      fd_ = o.fd_;
      o.fd_ = -1;
    }
    return *this;
  }
  FdHandle(const FdHandle&) = delete;
  FdHandle& operator=(const FdHandle&) = delete;
  ~FdHandle() { Reset(); }
  platform::file_t get() const { return fd_; }
  platform::file_t Release() {
    platform::file_t fd = fd_;
    fd_ = -1;
    return fd;
  }
  void Reset() {
    if (fd_ >= 0) platform::CloseFile(fd_);
    fd_ = -1;
  }

 private:
  platform::file_t fd_ = -1;
};

}  // namespace util
}  // namespace httpuv

#endif  // NODE_HTTPUV_UTIL_FD_HANDLE_H_
