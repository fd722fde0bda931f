// The HTTP → WebSocket hand-off, the one ws/ header the HTTP side includes: the handshake it
// evaluates (ws/handshake.h: IsWebSocketUpgrade, EvaluateHandshake, BuildAcceptResponse), the
// limits and counters a session is given (ws_limits.h, ws_counters.h), and NewSession, which
// returns a ProtocolHandler to swap into the socket's transport; the HTTP side never sees the
// session's type. Pure (no uv.h, no napi.h); runs on the I/O thread.
#ifndef NODE_HTTPUV_WS_UPGRADE_H_
#define NODE_HTTPUV_WS_UPGRADE_H_

#include <atomic>
#include <cstdint>
#include <memory>

#include "transport/transport.h"
#include "ws/handshake.h"
#include "ws/ws_counters.h"
#include "ws/ws_limits.h"

namespace httpuv {
namespace ws {

// What a session shares with the rest of its server: the bufferedAmount counters by id, and the
// server's WebSocket statistics (websocketsOpen / websocketsTotal). All outlive the session.
struct SessionEnv {
  WsCounters* counters = nullptr;
  std::atomic<uint64_t>* open_count = nullptr;
  std::atomic<uint64_t>* total_count = nullptr;
};

// A WebSocket session with id `id` speaking over `transport` (which owns it and outlives it);
// call OnStart once the transport has installed it and posted the open event.
std::unique_ptr<ProtocolHandler> NewSession(Transport* transport, uint64_t id,
                                            const WsLimits& limits, const DeflateParams& deflate,
                                            const SessionEnv& env);

}  // namespace ws
}  // namespace httpuv

#endif  // NODE_HTTPUV_WS_UPGRADE_H_
