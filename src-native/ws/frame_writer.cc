// WebSocket frame writing (see frame_writer.h). Pure.
#include "ws/frame_writer.h"

namespace httpuv {
namespace ws {

std::string FrameHeader(int opcode, uint64_t length, bool rsv1) {
  std::string h;
  h += static_cast<char>(0x80 | (rsv1 ? 0x40 : 0) | (opcode & 0x0f));
  if (length <= 125) {
    h += static_cast<char>(length);
  } else if (length <= 0xffff) {
    h += static_cast<char>(126);
    h += static_cast<char>((length >> 8) & 0xff);
    h += static_cast<char>(length & 0xff);
  } else {
    h += static_cast<char>(127);
    for (int i = 7; i >= 0; i--) h += static_cast<char>((length >> (i * 8)) & 0xff);
  }
  return h;
}

std::string EncodeFrame(int opcode, const std::string& payload, bool rsv1) {
  std::string out = FrameHeader(opcode, payload.size(), rsv1);
  out.reserve(out.size() + payload.size());
  out += payload;
  return out;
}

std::string ClosePayload(int code, const std::string& reason) {
  std::string p;
  p += static_cast<char>((code >> 8) & 0xff);
  p += static_cast<char>(code & 0xff);
  size_t n = reason.size() > 123 ? 123 : reason.size();
  // Do not cut a UTF-8 sequence in half: back off over continuation bytes.
  if (n < reason.size()) {
    while (n > 0 && (static_cast<unsigned char>(reason[n]) & 0xC0) == 0x80) n--;
  }
  p.append(reason, 0, n);
  return p;
}

}  // namespace ws
}  // namespace httpuv
