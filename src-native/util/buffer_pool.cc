// See buffer_pool.h. Runs on any thread (a mutex guards the list).
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

}  // namespace

std::string TakeBuffer(size_t n) {
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

size_t PooledBytes() {
  Pool& pool = ThePool();
  std::lock_guard<std::mutex> lock(pool.mutex);
  return pool.bytes;
}

}  // namespace util
}  // namespace httpuv
