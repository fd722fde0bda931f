// A WebSocket session on an upgraded connection: frame parsing, sending, close handshake,
// keep-alive pings. Runs on the I/O thread. (Filled in by the WebSocket integration.)
#ifndef NODE_HTTPUV_WS_WS_SESSION_H_
#define NODE_HTTPUV_WS_WS_SESSION_H_

namespace httpuv {

class WsSession {
 public:
  virtual ~WsSession() = default;
};

}  // namespace httpuv

#endif  // NODE_HTTPUV_WS_WS_SESSION_H_
