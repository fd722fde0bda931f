// An owned file descriptor: closed when the owner dies. Move-only.
// Pure: runs on whichever thread owns it (the I/O thread in the server); no uv.h, no napi.h.
#ifndef NODE_HTTPUV_UTIL_FD_HANDLE_H_
#define NODE_HTTPUV_UTIL_FD_HANDLE_H_

#include <unistd.h>

namespace httpuv {
namespace util {

// An owned file descriptor (a spilled request body, an open response or static file).
class FdHandle {
 public:
  FdHandle() = default;
  explicit FdHandle(int fd) : fd_(fd) {}
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
  int get() const { return fd_; }
  int Release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void Reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

}  // namespace util
}  // namespace httpuv

#endif  // NODE_HTTPUV_UTIL_FD_HANDLE_H_
