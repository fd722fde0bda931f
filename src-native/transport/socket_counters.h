// Byte and read counters of a group of sockets (a server's: ServerStats extends this). Relaxed
// atomics written on the I/O thread (SocketTransport), read on the JS thread (server.stats()).
// Pure; no uv.h, no napi.h.
#ifndef NODE_HTTPUV_TRANSPORT_SOCKET_COUNTERS_H_
#define NODE_HTTPUV_TRANSPORT_SOCKET_COUNTERS_H_

#include <atomic>
#include <cstdint>

namespace httpuv {

struct SocketCounters {
  std::atomic<uint64_t> bytes_in{0};
  std::atomic<uint64_t> bytes_out{0};
  // Sockets not being read right now because JS or the peer is behind (read backpressure).
  std::atomic<uint64_t> reads_paused{0};

  static void Add(std::atomic<uint64_t>& c, uint64_t n) { c.fetch_add(n, std::memory_order_relaxed); }
  static void Sub(std::atomic<uint64_t>& c, uint64_t n) { c.fetch_sub(n, std::memory_order_relaxed); }
};

}  // namespace httpuv

#endif  // NODE_HTTPUV_TRANSPORT_SOCKET_COUNTERS_H_
