// See buffer_pool.h. Runs on any thread (a mutex guards the shared pool; the small-buffer cache is
// per thread).
#include "util/buffer_pool.h"

#include <mutex>
#include <utility>
#include <vector>

namespace httpuv {
namespace util {

namespace {

struct Pool {
  std::mutex mutex;
  std::vector<std::string> free;  // most recently given last (warmest in cache)
  size_t bytes = 0;
};

// Never destroyed: a buffer given back during static destruction (a late finalizer) must still
// find a live pool. What it holds is bounded (kPoolMaxBytes) and freed with the process.
Pool& ThePool() {
  static Pool* pool = new Pool();
  return *pool;
}

// The calling thread's small buffers, in four size classes (32, 64, 128 and 256 bytes: a buffer
// is never more than twice what it holds, as with malloc's bins). Reached through one
// trivially destructible thread_local (one TLS lookup per call: in a shared object each costs a
// __tls_get_addr call); a second thread_local, registered when the cache is made, frees it at
// thread exit and marks it gone, so a buffer given back after that (a late finalizer) is freed.
constexpr size_t kSmallClasses = 4;
constexpr size_t kSmallMinClass = 32;
struct SmallCache {
  std::vector<std::string> free[kSmallClasses];
};
struct SmallSlot {
  SmallCache* cache;
  bool gone;
};
thread_local SmallSlot small_slot = {nullptr, false};
struct SmallOwner {
  bool armed = false;
  ~SmallOwner() {
    delete small_slot.cache;
    small_slot.cache = nullptr;
    small_slot.gone = true;
  }
};
thread_local SmallOwner small_owner;

// The calling thread's cache, or null once it is gone.
SmallCache* Small() {
  SmallSlot& slot = small_slot;
  if (slot.cache != nullptr || slot.gone) return slot.cache;
  slot.cache = new SmallCache();
  small_owner.armed = true;  // its first use registers its destructor for this thread
  return slot.cache;
}

// The class a request of n bytes (16..kSmallCapacity) takes: the smallest that holds it.
size_t ClassFor(size_t n) {
  size_t k = 0;
  while ((kSmallMinClass << k) < n) k++;
  return k;
}

}  // namespace

static_assert(kSmallMinClass << (kSmallClasses - 1) == kSmallCapacity, "the largest class is kSmallCapacity");

std::string TakeBuffer(size_t n) {
  if (n <= kSmallCapacity) {
    std::string s;
    if (n <= s.capacity()) return s;  // fits the string itself (no heap memory)
    const size_t k = ClassFor(n);
    SmallCache* cache = Small();
    if (cache != nullptr && !cache->free[k].empty()) {
      s = std::move(cache->free[k].back());
      cache->free[k].pop_back();
      s.clear();
      return s;
    }
    s.reserve(kSmallMinClass << k);  // the class's size, so that it can be cached when given back
    return s;
  }
  if (n >= kPoolMinCapacity && n <= kPoolMaxCapacity) {
    Pool& pool = ThePool();
    std::lock_guard<std::mutex> lock(pool.mutex);
    for (size_t i = pool.free.size(); i-- > 0;) {
      if (pool.free[i].capacity() < n) continue;
      std::string s = std::move(pool.free[i]);
      if (i + 1 != pool.free.size()) pool.free[i] = std::move(pool.free.back());
      pool.free.pop_back();
      pool.bytes -= s.capacity();
      s.clear();
      return s;
    }
  }
  std::string s;
  s.reserve(n);
  return s;
}

void GiveBuffer(std::string&& s) {
  std::string mine = std::move(s);
  s.clear();
  const size_t cap = mine.capacity();
  if (cap >= kSmallMinClass && cap < 2 * kSmallCapacity) {
    // The largest class it can serve.
    size_t k = kSmallClasses - 1;
    while ((kSmallMinClass << k) > cap) k--;
    SmallCache* cache = Small();
    if (cache != nullptr && cache->free[k].size() < kSmallMaxBuffers) cache->free[k].push_back(std::move(mine));
    return;  // else freed here
  }
  if (cap < kPoolMinCapacity || cap > kPoolMaxCapacity) return;  // freed here
  Pool& pool = ThePool();
  std::lock_guard<std::mutex> lock(pool.mutex);
  if (pool.bytes + cap > kPoolMaxBytes || pool.free.size() >= kPoolMaxBuffers) return;  // full: freed here (after the unlock)
  pool.bytes += cap;
  pool.free.push_back(std::move(mine));
}

size_t PooledBuffers() {
  Pool& pool = ThePool();
  std::lock_guard<std::mutex> lock(pool.mutex);
  return pool.free.size();
}

size_t SmallCachedBuffers() {
  SmallCache* cache = Small();
  size_t n = 0;
  if (cache != nullptr) {
    for (const auto& list : cache->free) n += list.size();
  }
  return n;
}

size_t PooledBytes() {
  Pool& pool = ThePool();
  std::lock_guard<std::mutex> lock(pool.mutex);
  return pool.bytes;
}

}  // namespace util
}  // namespace httpuv
