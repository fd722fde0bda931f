// Frame header encoding and close payloads for server frames (RFC 6455 §5.2, §5.5.1).
// Pure: runs on whichever thread calls it (the I/O thread in the server); no uv.h, no napi.h.
#include "ws/frame_writer.h"

namespace httpuv {
namespace ws {

bool IsValidCloseCode(int code) {
  if (code >= 3000 && code <= 4999) return true;  // registered (3xxx) and private (4xxx)
  return code >= 1000 && code <= 1014 && code != 1004 && code != 1005 && code != 1006;
}

size_t WriteFrameHeader(uint8_t* out, int opcode, uint64_t length, bool rsv1, bool fin) {
  out[0] = static_cast<uint8_t>((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | (opcode & 0x0F));
  if (length <= 125) {
    out[1] = static_cast<uint8_t>(length);
    return 2;
  }
  if (length <= 0xFFFF) {
    out[1] = 126;
    out[2] = static_cast<uint8_t>(length >> 8);
    out[3] = static_cast<uint8_t>(length);
    return 4;
  }
  out[1] = 127;
  for (int i = 0; i < 8; ++i) out[2 + i] = static_cast<uint8_t>(length >> (56 - 8 * i));
  return 10;
}

std::string FrameHeader(int opcode, uint64_t length, bool rsv1, bool fin) {
  uint8_t buf[kMaxFrameHeaderSize];
  size_t n = WriteFrameHeader(buf, opcode, length, rsv1, fin);
  return std::string(reinterpret_cast<const char*>(buf), n);
}

std::string EncodeFrame(int opcode, const uint8_t* payload, size_t len, bool rsv1, bool fin) {
  uint8_t buf[kMaxFrameHeaderSize];
  size_t n = WriteFrameHeader(buf, opcode, len, rsv1, fin);
  std::string out;
  out.reserve(n + len);
  out.append(reinterpret_cast<const char*>(buf), n);
  out.append(reinterpret_cast<const char*>(payload), len);
  return out;
}

std::string EncodeFrame(int opcode, const std::string& payload, bool rsv1, bool fin) {
  return EncodeFrame(opcode, reinterpret_cast<const uint8_t*>(payload.data()), payload.size(), rsv1,
                     fin);
}

std::string ClosePayload(int code, const std::string& reason) {
  if (code == kCloseNoStatus) return std::string();
  size_t cut = reason.size();
  if (cut > kMaxCloseReason) {
    cut = kMaxCloseReason;
    // Back up over continuation bytes (10xxxxxx) so the cut never splits a character.
    while (cut > 0 && (static_cast<uint8_t>(reason[cut]) & 0xC0) == 0x80) --cut;
  }
  std::string out;
  out.reserve(2 + cut);
  out.push_back(static_cast<char>((code >> 8) & 0xFF));
  out.push_back(static_cast<char>(code & 0xFF));
  out.append(reason, 0, cut);
  return out;
}

std::string CloseFrame(int code, const std::string& reason) {
  return EncodeFrame(kOpClose, ClosePayload(code, reason));
}

}  // namespace ws
}  // namespace httpuv
