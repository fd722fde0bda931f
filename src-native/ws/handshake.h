// The server side of the RFC 6455 opening handshake (§4.2): whether a request is a WebSocket
// upgrade at all, whether it is a valid one (and the HTTP status when not), Sec-WebSocket-Accept,
// the subprotocol choice (§4.2.2 /subprotocol/) and permessage-deflate negotiation (RFC 7692 §7.1),
// plus the bytes of the 101 response. Takes headers exactly as received (any case, repeated,
// comma lists). Pure: runs on whichever thread calls it (the I/O thread in the server); no uv.h,
// no napi.h.
//
// Typical use (the connection, after the request headers):
//   if (IsWebSocketUpgrade(req.headers)) {
//     HandshakeResult hs = EvaluateHandshake(method, major, minor, req.headers, opts);
//     if (!hs.ok) → answer hs.status with hs.error_headers, close;
//     else       → write BuildAcceptResponse(hs, date), then frames with
//                  FrameParser(max, hs.deflate.enabled) and PerMessageDeflate(hs.deflate).
//   }
#ifndef NODE_HTTPUV_WS_HANDSHAKE_H_
#define NODE_HTTPUV_WS_HANDSHAKE_H_

#include <string>
#include <utility>
#include <vector>

namespace httpuv {
namespace ws {

using Headers = std::vector<std::pair<std::string, std::string>>;

// Negotiated permessage-deflate parameters (enabled = false when not negotiated). "server" is
// this side (our compressor), "client" the peer's compressor.
struct DeflateParams {
  bool enabled = false;
  bool server_no_context_takeover = false;  // we reset our compressor after each message
  bool client_no_context_takeover = false;  // the peer resets; we may drop our inflater's window
  int server_max_window_bits = 15;          // our compressor's window (9–15 in practice)
  int client_max_window_bits = 15;          // the peer's compressor window (8–15)
};

struct HandshakeOptions {
  bool enable_deflate = true;  // negotiate permessage-deflate when offered
  // Add server_no_context_takeover to every accepted offer (RFC 7692 §7.1.1.1 allows it even
  // when not offered): less compression, but no compressor memory kept between messages.
  bool server_no_context_takeover = false;
  std::vector<std::string> protocols;  // subprotocols we speak (exact match); empty = none
};

struct HandshakeResult {
  bool ok = false;
  int status = 400;        // 101 when ok; else 400, 405 (not GET) or 426 (no Connection: upgrade)
  std::string error;       // when !ok: why, one line for the log / the error body
  Headers error_headers;   // when !ok: `Allow: GET` (405), `Sec-WebSocket-Version: 13`
                           // (bad version), `Upgrade`/`Connection` (426)
  std::string accept;      // Sec-WebSocket-Accept
  std::string protocol;    // chosen subprotocol ("" = none, no header)
  std::string extensions;  // Sec-WebSocket-Extensions response value ("" = none, no header)
  DeflateParams deflate;
  Headers response_headers;  // when ok: every header of the 101 except Date, in wire order
};

// True when the request asks to switch to WebSocket: an Upgrade header with the token
// "websocket" and a Connection header with the token "upgrade" (both case-insensitive, in any
// element of any repetition). Anything else is a plain HTTP request (RFC 9110 §7.8 lets a server
// ignore other Upgrade values).
bool IsWebSocketUpgrade(const Headers& headers);

// Sec-WebSocket-Accept for a client key: base64(SHA-1(key + GUID)) (RFC 6455 §4.2.2 step 5.4).
std::string AcceptKey(const std::string& key);

// Validates the request and negotiates. Checks, in ws's order, the first failure deciding:
//   method GET (405 + Allow: GET); HTTP/1.1 or later (400); Upgrade has "websocket" (400);
//   Connection has "upgrade" (426); exactly one Sec-WebSocket-Key of 22 base64 characters + "=="
//   (16 bytes; 400); exactly one Sec-WebSocket-Version equal to 13 (400 + Sec-WebSocket-Version:
//   13); Sec-WebSocket-Protocol a list of distinct tokens (400); Sec-WebSocket-Extensions
//   syntactically valid (400, only read when enable_deflate).
// Subprotocol: the first one in the client's order that `options.protocols` contains.
// permessage-deflate: the first acceptable offer; an offer with unknown, repeated or invalid
// parameters is declined (RFC 7692 §5), as is one asking server_max_window_bits=8 (zlib cannot
// compress raw deflate with a 256-byte window); if none is acceptable, no extension.
HandshakeResult EvaluateHandshake(const std::string& method, int http_major, int http_minor,
                                  const Headers& headers, const HandshakeOptions& options);

// The complete 101 response: status line, `Date: <date>` when date is not empty, then
// result.response_headers, then the blank line. Empty string when !result.ok.
std::string BuildAcceptResponse(const HandshakeResult& result, const std::string& date);

// ---- lower-level pieces (exposed for tests) ----

struct ExtensionParam {
  std::string name;
  std::string value;       // unquoted
  bool has_value = false;  // `name` alone vs `name=value` (also `name=""`)
};
struct ExtensionOffer {
  std::string name;
  std::vector<ExtensionParam> params;
};
// Parses a Sec-WebSocket-Extensions value (RFC 6455 §9.1: 1#( token *( ";" token [ "="
// ( token / quoted-string ) ] ) ), optional whitespace around separators; a quoted value must
// unquote to a token) and appends the offers to *out. False on any syntax error, including an
// empty list element.
bool ParseExtensions(const std::string& value, std::vector<ExtensionOffer>* out);

// One permessage-deflate offer: kAccepted fills *params and *response (the header value for
// it); kDeclined leaves them.
enum class OfferVerdict { kAccepted, kDeclined };
OfferVerdict NegotiateDeflateOffer(const ExtensionOffer& offer, const HandshakeOptions& options,
                                   DeflateParams* params, std::string* response);

}  // namespace ws
}  // namespace httpuv

#endif  // NODE_HTTPUV_WS_HANDSHAKE_H_
