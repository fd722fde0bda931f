// The server side of the RFC 6455 opening handshake: is a request a WebSocket upgrade, is it a
// valid one (and if not, which status), the Sec-WebSocket-Accept value, subprotocol choice and
// permessage-deflate negotiation (RFC 7692 §7). Pure: runs on whichever thread calls it (the I/O
// thread); no uv.h, no napi.h.
#ifndef NODE_HTTPUV_WS_HANDSHAKE_H_
#define NODE_HTTPUV_WS_HANDSHAKE_H_

#include <string>
#include <utility>
#include <vector>

namespace httpuv {
namespace ws {

using Headers = std::vector<std::pair<std::string, std::string>>;

// Negotiated permessage-deflate parameters (enabled = false when not negotiated).
struct DeflateParams {
  bool enabled = false;
  bool server_no_context_takeover = false;
  bool client_no_context_takeover = false;
  int server_max_window_bits = 15;  // our compressor's window (9–15)
  int client_max_window_bits = 15;  // the peer's compressor's window (8–15)
};

struct HandshakeOptions {
  bool enable_deflate = true;
  std::vector<std::string> protocols;  // subprotocols the server speaks, in preference order
};

struct HandshakeResult {
  bool ok = false;
  int status = 400;           // when !ok: 400, 405 (not GET) …
  std::string error;          // when !ok: why, for the log
  Headers error_headers;      // when !ok: e.g. Sec-WebSocket-Version: 13, Allow: GET
  std::string accept;         // Sec-WebSocket-Accept
  std::string protocol;       // chosen subprotocol ("" = none)
  std::string extensions;     // Sec-WebSocket-Extensions response value ("" = none)
  DeflateParams deflate;
};

// True when `headers` ask for a WebSocket (an Upgrade header listing the token "websocket").
bool IsWebSocketUpgrade(const Headers& headers);

// Sec-WebSocket-Accept for a client key (RFC 6455 §4.2.2).
std::string AcceptKey(const std::string& key);

HandshakeResult EvaluateHandshake(const std::string& method, int http_major, int http_minor,
                                  const Headers& headers, const HandshakeOptions& options);

// The complete 101 response (status line, Date, Upgrade, Connection, Accept, protocol,
// extensions, blank line).
std::string BuildAcceptResponse(const HandshakeResult& result, const std::string& date);

// Parses one Sec-WebSocket-Extensions value into offers: name + (param, value) pairs; a param
// without value has value "\x01" (distinct from an empty quoted value). False on bad syntax.
struct ExtensionOffer {
  std::string name;
  std::vector<std::pair<std::string, std::string>> params;
};
bool ParseExtensions(const std::string& value, std::vector<ExtensionOffer>* out);

}  // namespace ws
}  // namespace httpuv

#endif  // NODE_HTTPUV_WS_HANDSHAKE_H_
