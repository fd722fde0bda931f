// The WebSocket options of one server (the app's `websocket` options, plus sendTimeoutMs, which
// bounds WebSocket output as it bounds a response). Read by the upgrade hand-off (handshake
// options) and by every session of the server; the server owns them and outlives its sessions.
// Pure (no uv.h, no napi.h).
#ifndef NODE_HTTPUV_WS_WS_LIMITS_H_
#define NODE_HTTPUV_WS_WS_LIMITS_H_

#include <cstdint>
#include <string>
#include <vector>

namespace httpuv {

struct WsLimits {
  bool per_message_deflate = true;
  uint64_t max_message_size = 16 * 1024 * 1024;
  // Output queued beyond this stops reading the peer until it drains; twice this closes (1008).
  uint64_t send_queue_limit = 16 * 1024 * 1024;
  uint32_t ping_interval_ms = 0;     // 0: no keep-alive pings
  uint32_t ping_timeout_ms = 30000;  // a ping unanswered this long closes (0: never)
  uint32_t close_timeout_ms = 5000;  // 0 means the 5 s default
  uint32_t send_timeout_ms = 60000;  // queued output with no progress this long closes (0: never)
  std::vector<std::string> protocols;  // subprotocols offered by the app, in its order
};

}  // namespace httpuv

#endif  // NODE_HTTPUV_WS_WS_LIMITS_H_
