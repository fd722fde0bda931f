// POSIX side of platform/system.h (Linux and macOS). Each function says the thread it runs on.
#ifndef _WIN32
#include "platform/system.h"

#include <pthread.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/syscall.h>
#endif

#include <cerrno>

namespace httpuv {
namespace platform {

// I/O thread.
void ConfigureIoThread(int nice_delta) {
#if defined(__linux__)
  // The name shows in top -H, perf and /proc/<pid>/task/<tid>/comm (15 characters at most).
  pthread_setname_np(pthread_self(), "httpuv-io");
  if (nice_delta != 0) {
    // On Linux nice is per thread: PRIO_PROCESS with a thread id changes only that thread, and
    // a new thread starts with its creator's value. Static files must keep flowing while the JS
    // thread spins on the same core; a higher weight gives this thread the larger share then.
    const auto tid = static_cast<id_t>(syscall(SYS_gettid));
    errno = 0;
    int current = getpriority(PRIO_PROCESS, tid);
    if (errno == 0) {
      int wanted = current + nice_delta;
      if (wanted < -20) wanted = -20;
      if (wanted > 19) wanted = 19;
      // EACCES/EPERM without CAP_SYS_NICE or a matching RLIMIT_NICE: keep the inherited value.
      (void)setpriority(PRIO_PROCESS, tid, wanted);
    }
  }
#elif defined(__APPLE__)
  (void)nice_delta;  // macOS nice is per process; the thread keeps its default QoS
  pthread_setname_np("httpuv-io");
#else
  (void)nice_delta;
#endif
}

// Any thread.
uint64_t DescriptorLimit() {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return UINT64_MAX;
  return static_cast<uint64_t>(rl.rlim_cur);
}

// I/O thread.
int SetUmask(int mask) { return static_cast<int>(umask(static_cast<mode_t>(mask))); }

// JS thread.
bool CanListen(const struct sockaddr* addr, int addr_len) {
#ifdef SOCK_CLOEXEC
  int fd = socket(addr->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
#else  // macOS: no SOCK_CLOEXEC; the probe socket lives for a few system calls only
  int fd = socket(addr->sa_family, SOCK_STREAM, 0);
#endif
  if (fd < 0) return false;
  // Same options as a real listener (libuv sets SO_REUSEADDR), so the answer matches.
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  bool ok = bind(fd, addr, static_cast<socklen_t>(addr_len)) == 0 && listen(fd, 1) == 0;
  close(fd);
  return ok;
}

}  // namespace platform
}  // namespace httpuv
#endif  // !_WIN32
