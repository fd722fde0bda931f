// A process-wide pool of large byte buffers (std::string capacity), so that WebSocket payloads
// and response bodies that cross between the I/O thread and the JS thread reuse memory instead of
// going through malloc and free on different threads. That churn made glibc give the top of its
// heaps back to the kernel after every batch and fault the pages in again on the next one: a
// quarter of the server's CPU time with 16 KiB messages (issue 19's profile). Buffers below
// kPoolMinCapacity (the small ones are cached per thread, below) or above kPoolMaxCapacity are never
// kept, and the pool holds at most kPoolMaxBytes in all (and kPoolMaxBuffers buffers), so its memory is bounded whatever the load.
// Small buffers (payloads of 16 to kSmallCapacity bytes: most WebSocket messages) have their own
// cache per thread, with no lock, in four size classes (32 to 256 bytes): a small message is allocated on one thread and freed on the
// other (read on the I/O thread, converted on the JS thread; a send made on the JS thread, written
// on the I/O thread), which defeats malloc's per-thread caches (a malloc cost ~270 instructions in
// issue 19's 64-byte profile, twice per echoed message). Each thread frees as many as it takes,
// so each cache refills itself; it holds at most kSmallMaxBuffers per class (240 KiB in all).
// Pure and thread-safe (one mutex, held for a few instructions): any thread may take and give.
#ifndef NODE_HTTPUV_UTIL_BUFFER_POOL_H_
#define NODE_HTTPUV_UTIL_BUFFER_POOL_H_

#include <cstddef>
#include <string>

namespace httpuv {
namespace util {

constexpr size_t kPoolMinCapacity = 4 * 1024;
constexpr size_t kPoolMaxCapacity = 1024 * 1024;
constexpr size_t kPoolMaxBytes = 4 * 1024 * 1024;
constexpr size_t kPoolMaxBuffers = 256;
constexpr size_t kSmallCapacity = 256;
constexpr size_t kSmallMaxBuffers = 512;  // per class and thread

// An empty string whose capacity is at least `n`: a pooled buffer when one fits, else a new one.
std::string TakeBuffer(size_t n);

// Hands `s`'s memory back to the pool (or frees it when the pool does not keep it); `s` is left
// empty. Safe on any string, of any size.
void GiveBuffer(std::string&& s);

// What the pool holds now: buffers and their total capacity (tests).
size_t PooledBuffers();
size_t PooledBytes();
// Small buffers cached for the calling thread (tests).
size_t SmallCachedBuffers();

}  // namespace util
}  // namespace httpuv

#endif  // NODE_HTTPUV_UTIL_BUFFER_POOL_H_
