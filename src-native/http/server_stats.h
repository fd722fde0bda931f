// Per-server counters: written with relaxed atomics on the I/O thread, read on the JS thread by
// server.stats(). Shared (shared_ptr) so a read never races the server's destruction.
// Pure; no uv.h, no napi.h.
#ifndef NODE_HTTPUV_HTTP_SERVER_STATS_H_
#define NODE_HTTPUV_HTTP_SERVER_STATS_H_

#include <atomic>
#include <cstdint>

#include "transport/socket_counters.h"

namespace httpuv {

// bytes_in, bytes_out and reads_paused are the sockets' own (SocketCounters); Add/Sub too.
struct ServerStats : SocketCounters {
  std::atomic<uint64_t> connections_open{0};
  std::atomic<uint64_t> connections_total{0};
  std::atomic<uint64_t> requests_total{0};
  std::atomic<uint64_t> requests_static{0};
  std::atomic<uint64_t> requests_js{0};
  std::atomic<uint64_t> websockets_open{0};
  std::atomic<uint64_t> websockets_total{0};
};

}  // namespace httpuv

#endif  // NODE_HTTPUV_HTTP_SERVER_STATS_H_
