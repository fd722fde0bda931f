// Incremental, socket-free parser of client-to-server WebSocket frames (RFC 6455 §5), fed any
// byte chunks (1-byte splits work). Enforces: MASK set, RSV bits only as negotiated (RSV1 on the
// first frame of a compressed message), known opcodes, control frames <= 125 bytes and final,
// continuation rules, 63-bit lengths, the message size limit before buffering a payload (and on
// the inflated size), incremental UTF-8 of text (fail fast), close payload and code rules.
// Errors become close codes (1002, 1007, 1009). Pure: runs on the I/O thread; no uv.h, no napi.h.
#ifndef NODE_HTTPUV_WS_FRAME_PARSER_H_
#define NODE_HTTPUV_WS_FRAME_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "util/utf8.h"

namespace httpuv {
namespace ws {

class PerMessageDeflate;

// Error names → close codes.
enum ParseError : int {
  kErrProtocol = 1002,        // framing violation
  kErrInvalidData = 1007,     // text or close reason not UTF-8
  kErrTooBigMessage = 1009,   // message larger than the limit
};

class FrameSink {
 public:
  virtual ~FrameSink() = default;
  virtual void OnMessage(bool binary, std::string&& payload) = 0;
  virtual void OnPing(std::string&& payload) = 0;
  virtual void OnPong(std::string&& payload) = 0;
  // code 1005 when the close frame had no payload.
  virtual void OnClose(int code, std::string&& reason) = 0;
  virtual void OnProtocolError(int close_code, const char* reason) = 0;
};

class FrameParser {
 public:
  FrameParser(uint64_t max_message_size, bool deflate_negotiated)
      : max_message_(max_message_size), deflate_negotiated_(deflate_negotiated) {}
  void SetInflater(PerMessageDeflate* inflater) { inflater_ = inflater; }

  // Consumes bytes, calling `sink`. After a close frame or an error nothing more is consumed.
  void Consume(const char* data, size_t len, FrameSink& sink);
  bool done() const { return done_; }

 private:
  enum class Stage { kHeader, kPayload };
  bool ParseHeader(FrameSink& sink);
  void FinishFrame(FrameSink& sink);
  void Fail(FrameSink& sink, int code, const char* reason);

  uint64_t max_message_;
  bool deflate_negotiated_;
  PerMessageDeflate* inflater_ = nullptr;
  bool done_ = false;

  Stage stage_ = Stage::kHeader;
  std::string header_;      // bytes of the current frame header collected so far
  bool fin_ = false;
  bool rsv1_ = false;
  int opcode_ = 0;
  uint64_t length_ = 0;
  uint8_t mask_[4] = {0, 0, 0, 0};
  uint64_t received_ = 0;   // payload bytes of the current frame received
  std::string frame_;       // control frame payload being collected

  // Current data message (fragments).
  bool in_message_ = false;
  bool message_binary_ = false;
  bool message_compressed_ = false;
  std::string message_;
  util::Utf8Validator utf8_;
};

}  // namespace ws
}  // namespace httpuv

#endif  // NODE_HTTPUV_WS_FRAME_PARSER_H_
