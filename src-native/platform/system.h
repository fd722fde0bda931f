// The platform layer's process and thread facilities: the I/O thread's name and priority, the
// descriptor limit, the umask around a pipe bind, and a probe bind for a TCP port.
// No napi.h, no uv.h. Each function says the thread it runs on.
#ifndef NODE_HTTPUV_PLATFORM_SYSTEM_H_
#define NODE_HTTPUV_PLATFORM_SYSTEM_H_

#include <cstdint>

struct sockaddr;

namespace httpuv {
namespace platform {

// Runs on the I/O thread, first thing: names it "httpuv-io" (top -H, perf, debuggers) and raises
// its priority by `nice_delta` (negative = more CPU share) where the OS allows: Linux nice per
// thread; Windows THREAD_PRIORITY_ABOVE_NORMAL for any negative delta (Windows has no per-thread
// nice scale; one step above the JS thread is what keeps static files flowing while JS spins);
// macOS names the thread only.
void ConfigureIoThread(int nice_delta);

// The soft limit on open descriptors (RLIMIT_NOFILE), UINT64_MAX when unlimited or when the
// platform has none (Windows: sockets are handles without a per-process cap). Any thread.
uint64_t DescriptorLimit();

// Sets the process umask to `mask` and returns the old one (POSIX); Windows has no umask and
// returns 0 (the TS layer refuses a pipe `mask` there). I/O thread (around uv_pipe_bind).
int SetUmask(int mask);

// Whether a TCP listener could be bound on `addr` right now: bind + listen on a throwaway socket
// with the options libuv's listener uses, then closed. JS thread.
bool CanListen(const struct sockaddr* addr, int addr_len);

}  // namespace platform
}  // namespace httpuv

#endif  // NODE_HTTPUV_PLATFORM_SYSTEM_H_
