// Incremental, socket-free consumer of client-to-server WebSocket frames (RFC 6455 §5), fed
// arbitrary byte chunks (1-byte splits work). It enforces the server-side rules — MASK set, RSV
// bits only as negotiated, known opcodes, control frames final and <= 125 bytes, continuation
// order, 63-bit lengths, the message size limit (before buffering, and on the inflated size),
// UTF-8 of text incrementally (fail fast), close payload rules — and reports each violation once
// as a named error with its close code. Pure: runs on whichever thread calls it (the I/O thread in
// the server); no uv.h, no napi.h.
//
// Use: FrameParser p(max_message_size, hs.deflate.enabled); if deflate, p.SetInflater(&pmd);
// then p.Consume(bytes, n, sink) for every read. The sink gets whole messages (fragments joined,
// inflated, validated), pings, pongs, a close, or one protocol error; after a close or an error
// the parser is done() and consumes nothing more (the caller sends the close frame and ends TCP).
#ifndef NODE_HTTPUV_WS_FRAME_PARSER_H_
#define NODE_HTTPUV_WS_FRAME_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "util/utf8.h"

namespace httpuv {
namespace ws {

class PerMessageDeflate;

constexpr uint64_t kDefaultMaxMessageSize = 16 * 1024 * 1024;  // websocket.maxMessageSize's default

// Named protocol errors. CloseCodeFor() gives the close code to send (RFC 6455 §7.4.1),
// ErrorReason() a short reason (<= 123 bytes, fit for the close frame and the log).
enum ParseError : int {
  kErrNone = 0,
  kErrUnmasked,                // client frame without MASK (§5.1)                   → 1002
  kErrReservedBits,            // RSV2/RSV3, or RSV1 not allowed here (§5.2, 7692 §6) → 1002
  kErrReservedOpcode,          // opcode 3–7 or 0xB–0xF (§5.2)                        → 1002
  kErrControlTooLong,          // control payload > 125 (§5.5)                        → 1002
  kErrControlFragmented,       // control frame with FIN clear (§5.5)                 → 1002
  kErrUnexpectedContinuation,  // continuation with no message to continue (§5.4)     → 1002
  kErrExpectedContinuation,    // text/binary while a fragmented message is open      → 1002
  kErrLengthMsbSet,            // 64-bit length with its most significant bit set (§5.2) → 1002
  kErrTooBigMessage,           // message (all fragments, inflated) > max_message_size → 1009
  kErrInvalidUtf8,             // text message not UTF-8 (§8.1)                       → 1007
  kErrCloseLength,             // close payload of exactly 1 byte (§5.5.1)            → 1002
  kErrInvalidCloseCode,        // close code not allowed on the wire (§7.4)           → 1002
  kErrInvalidCloseReason,      // close reason not UTF-8 (§5.5.1)                     → 1007
  kErrInflate,                 // corrupt permessage-deflate data (ws answers 1007)   → 1007
};
int CloseCodeFor(ParseError error);
const char* ErrorReason(ParseError error);

// Receives what the parser finds. Called synchronously from inside Consume(); a callback must
// not destroy the parser or call Consume() again. Payloads are moved out (the sink owns them).
class FrameSink {
 public:
  virtual ~FrameSink() = default;
  // A complete data message: fragments joined, inflated if compressed, text validated.
  virtual void OnMessage(bool binary, std::string&& payload) = 0;
  // Control frames, delivered when each is complete (also between fragments of a message).
  virtual void OnPing(std::string&& payload) = 0;
  virtual void OnPong(std::string&& payload) = 0;
  // A valid close frame; code 1005 (and empty reason) when it had no payload. Last callback.
  virtual void OnClose(int code, std::string&& reason) = 0;
  // The connection must fail with `close_code` (1002, 1007, 1009); `reason` is ErrorReason(),
  // a static string. Last callback; FrameParser::error() names the error.
  virtual void OnProtocolError(int close_code, const char* reason) = 0;
};

class FrameParser {
 public:
  // max_message_size: limit on one message's payload, summed over fragments and measured after
  // inflation; 0 means no limit. deflate_negotiated: permessage-deflate is on (RSV1 allowed on
  // the first frame of a data message); SetInflater() must then be called before Consume().
  explicit FrameParser(uint64_t max_message_size = kDefaultMaxMessageSize,
                       bool deflate_negotiated = false);
  void SetInflater(PerMessageDeflate* inflater) { inflater_ = inflater; }

  // Consumes bytes, calling `sink` for each event. Returns how many bytes were consumed: all of
  // them, except that consumption stops right after a close frame, after the header byte or
  // payload piece that caused an error (bytes after it are never looked at), or after a
  // callback that called Pause(). Once done(), returns 0 and does nothing.
  size_t Consume(const uint8_t* data, size_t len, FrameSink& sink);
  size_t Consume(const char* data, size_t len, FrameSink& sink) {
    return Consume(reinterpret_cast<const uint8_t*>(data), len, sink);
  }

  // Called from a sink callback: Consume() returns right after that callback, leaving the
  // following bytes unconsumed for the caller to feed again later (read backpressure: the
  // receiver must not turn bytes it already holds into more messages). paused() stays true
  // until the next Consume().
  void Pause() { paused_ = true; }
  bool paused() const { return paused_; }

  bool done() const { return stage_ == Stage::kDone; }
  ParseError error() const { return error_; }
  // Inside OnMessage for a text message: true when every byte of it is ASCII (then its UTF-8 and
  // Latin-1 readings are the same string).
  bool message_ascii() const { return message_ascii_; }
  // Bytes held for the message being assembled (for memory accounting).
  size_t buffered() const { return message_.size() + control_.size(); }

 private:
  enum class Stage { kHeader, kPayload, kDone };

  bool CheckFirstByte(uint8_t b);
  bool CheckSecondByte(uint8_t b);
  bool HeaderComplete(FrameSink& sink);
  bool ConsumePayload(const uint8_t* p, size_t n);
  bool FinishFrame(FrameSink& sink);
  bool FinishClose(FrameSink& sink);
  // Validates message_[from..) as the next piece of a text message; known_ascii: every byte of
  // it is known to be ASCII.
  bool ValidateText(size_t from, bool known_ascii);
  bool Fail(ParseError e);

  uint64_t max_message_;
  bool deflate_negotiated_;
  PerMessageDeflate* inflater_ = nullptr;

  Stage stage_ = Stage::kHeader;
  ParseError error_ = kErrNone;
  bool error_reported_ = false;
  bool paused_ = false;

  // Current frame.
  uint8_t header_[14];  // 2 + up to 8 length bytes + 4 mask bytes
  size_t header_have_ = 0;
  size_t header_need_ = 2;
  bool fin_ = false;
  bool rsv1_ = false;
  int opcode_ = 0;
  uint64_t length_ = 0;
  uint64_t received_ = 0;  // payload bytes of the current frame consumed so far
  uint8_t mask_[4] = {0, 0, 0, 0};
  std::string control_;  // control frame payload (<= 125 bytes)

  // Current data message.
  bool in_message_ = false;
  bool message_binary_ = false;
  bool message_compressed_ = false;
  uint64_t wire_bytes_ = 0;  // compressed payload bytes of the current message
  bool message_ascii_ = true;  // no byte >= 0x80 in the current (text) message so far
  // Most a message's first frame header makes the parser reserve before its payload arrives.
  static constexpr uint64_t kReserveLimit = 256 * 1024;
  std::string message_;
  util::Utf8Validator utf8_;
};

}  // namespace ws
}  // namespace httpuv

#endif  // NODE_HTTPUV_WS_FRAME_PARSER_H_
