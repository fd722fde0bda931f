// Per-server counters: written with relaxed atomics on the I/O thread, read on the JS thread by
// server.stats(). Shared (shared_ptr) so a read never races the server's destruction.
// Pure; no uv.h, no napi.h.
#ifndef NODE_HTTPUV_HTTP_SERVER_STATS_H_
#define NODE_HTTPUV_HTTP_SERVER_STATS_H_

#include <atomic>
#include <cstdint>

namespace httpuv {

struct ServerStats {
  std::atomic<uint64_t> connections_open{0};
  std::atomic<uint64_t> connections_total{0};
  std::atomic<uint64_t> requests_total{0};
  std::atomic<uint64_t> requests_static{0};
  std::atomic<uint64_t> requests_js{0};
  std::atomic<uint64_t> bytes_in{0};
  std::atomic<uint64_t> bytes_out{0};
  std::atomic<uint64_t> websockets_open{0};
  std::atomic<uint64_t> websockets_total{0};
  // Connections not being read right now because JS or the peer is behind (read backpressure).
  std::atomic<uint64_t> reads_paused{0};

  static void Add(std::atomic<uint64_t>& c, uint64_t n) { c.fetch_add(n, std::memory_order_relaxed); }
  static void Sub(std::atomic<uint64_t>& c, uint64_t n) { c.fetch_sub(n, std::memory_order_relaxed); }
};

}  // namespace httpuv

#endif  // NODE_HTTPUV_HTTP_SERVER_STATS_H_
