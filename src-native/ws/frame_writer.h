// Server-to-client WebSocket frames (RFC 6455 §5.2): never masked, one frame per message,
// 7/16/64-bit lengths, RSV1 for permessage-deflate, close payloads. Pure: runs on whichever
// thread calls it; no uv.h, no napi.h.
#ifndef NODE_HTTPUV_WS_FRAME_WRITER_H_
#define NODE_HTTPUV_WS_FRAME_WRITER_H_

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

// Header bytes of a final frame carrying `length` payload bytes.
std::string FrameHeader(int opcode, uint64_t length, bool rsv1);
// Header + payload in one contiguous buffer (one write).
std::string EncodeFrame(int opcode, const std::string& payload, bool rsv1);
// Close payload: 2-byte code + reason, the reason cut (at a UTF-8 boundary) to fit 125 bytes.
std::string ClosePayload(int code, const std::string& reason);

}  // namespace ws
}  // namespace httpuv

#endif  // NODE_HTTPUV_WS_FRAME_WRITER_H_
