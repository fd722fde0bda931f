// Server-to-client WebSocket frames (RFC 6455 §5.2): never masked, 7/16/64-bit lengths, FIN and
// RSV1 (permessage-deflate, RFC 7692 §6) under the caller's control, close payloads (§5.5.1).
// Also the protocol constants both directions share: opcodes and close-code rules (§7.4).
// Pure: runs on whichever thread calls it (the I/O thread in the server); no uv.h, no napi.h.
#ifndef NODE_HTTPUV_WS_FRAME_WRITER_H_
#define NODE_HTTPUV_WS_FRAME_WRITER_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace httpuv {
namespace ws {

enum Opcode : int {
  kOpContinuation = 0x0,
  kOpText = 0x1,
  kOpBinary = 0x2,
  kOpClose = 0x8,
  kOpPing = 0x9,
  kOpPong = 0xA,
};

// Close codes used by the server (RFC 6455 §7.4.1).
enum CloseCode : int {
  kCloseNormal = 1000,
  kCloseGoingAway = 1001,
  kCloseProtocolError = 1002,
  kCloseUnsupportedData = 1003,
  kCloseNoStatus = 1005,  // never on the wire: "the close frame had no payload"
  kCloseAbnormal = 1006,  // never on the wire: "the connection dropped without a close frame"
  kCloseInvalidPayload = 1007,
  kClosePolicyViolation = 1008,
  kCloseMessageTooBig = 1009,
  kCloseInternalError = 1011,
};

constexpr size_t kMaxFrameHeaderSize = 10;  // server frames carry no mask key
constexpr size_t kMaxControlPayload = 125;  // RFC 6455 §5.5
constexpr size_t kMaxCloseReason = 123;     // 125 minus the 2-byte code

// True for codes an endpoint may put on the wire (RFC 6455 §7.4.1–7.4.2 and the IANA
// registry): 1000–1003, 1007–1014, 3000–4999. 1004/1005/1006/1015 and everything else are not.
bool IsValidCloseCode(int code);

// Writes the header of a frame with `length` payload bytes into `out` (at least
// kMaxFrameHeaderSize bytes); returns the number of bytes written (2, 4 or 10). The shortest
// length encoding is always used, as §5.2 requires.
size_t WriteFrameHeader(uint8_t* out, int opcode, uint64_t length, bool rsv1 = false,
                        bool fin = true);
// The same header as a string.
std::string FrameHeader(int opcode, uint64_t length, bool rsv1 = false, bool fin = true);

// Header + payload in one contiguous buffer (one write).
std::string EncodeFrame(int opcode, const uint8_t* payload, size_t len, bool rsv1 = false,
                        bool fin = true);
std::string EncodeFrame(int opcode, const std::string& payload, bool rsv1 = false, bool fin = true);

// Close payload: the 2-byte big-endian code then the reason, cut to kMaxCloseReason bytes at a
// UTF-8 character boundary so the payload stays valid. Code 1005 (no status) → empty payload.
std::string ClosePayload(int code, const std::string& reason);
// A complete close frame.
std::string CloseFrame(int code, const std::string& reason);

}  // namespace ws
}  // namespace httpuv

#endif  // NODE_HTTPUV_WS_FRAME_WRITER_H_
