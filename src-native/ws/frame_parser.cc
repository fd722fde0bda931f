// Client frame parsing state machine (RFC 6455 §5, RFC 7692 §6): header bytes one at a time so
// every rule fails on the first byte that breaks it, payload bytes in bulk (unmask, inflate,
// validate as they arrive). A payload piece is unmasked in the same pass that copies it out of the
// read buffer and tells whether it is ASCII (util/byte_kernels); ASCII text at a character
// boundary needs no further UTF-8 check, and the message remembers that it is ASCII so that the
// binding builds its JS string without another scan.
// Pure: runs on whichever thread calls it (the I/O thread in the server); no uv.h, no napi.h.
#include "ws/frame_parser.h"

#include <algorithm>
#include <cstring>

#include "util/buffer_pool.h"
#include "util/byte_kernels.h"
#include "ws/frame_writer.h"
#include "ws/permessage_deflate.h"

namespace httpuv {
namespace ws {

namespace {

uint8_t* Bytes(std::string& s, size_t at) { return reinterpret_cast<uint8_t*>(&s[at]); }

}  // namespace

int CloseCodeFor(ParseError error) {
  switch (error) {
    case kErrNone:
      return kCloseNormal;
    case kErrTooBigMessage:
      return kCloseMessageTooBig;
    case kErrInvalidUtf8:
    case kErrInvalidCloseReason:
    case kErrInflate:
      return kCloseInvalidPayload;
    default:
      return kCloseProtocolError;
  }
}

const char* ErrorReason(ParseError error) {
  switch (error) {
    case kErrNone:
      return "";
    case kErrUnmasked:
      return "client frame not masked";
    case kErrReservedBits:
      return "reserved bits set";
    case kErrReservedOpcode:
      return "reserved opcode";
    case kErrControlTooLong:
      return "control frame longer than 125 bytes";
    case kErrControlFragmented:
      return "fragmented control frame";
    case kErrUnexpectedContinuation:
      return "continuation frame without a message";
    case kErrExpectedContinuation:
      return "new data frame inside a fragmented message";
    case kErrLengthMsbSet:
      return "frame length has its most significant bit set";
    case kErrTooBigMessage:
      return "message too big";
    case kErrInvalidUtf8:
      return "invalid UTF-8 in text message";
    case kErrCloseLength:
      return "close frame payload of 1 byte";
    case kErrInvalidCloseCode:
      return "invalid close code";
    case kErrInvalidCloseReason:
      return "invalid UTF-8 in close reason";
    case kErrInflate:
      return "invalid compressed data";
  }
  return "protocol error";
}

FrameParser::FrameParser(uint64_t max_message_size, bool deflate_negotiated)
    : max_message_(max_message_size == 0 ? UINT64_MAX : max_message_size),
      deflate_negotiated_(deflate_negotiated) {}

bool FrameParser::Fail(ParseError e) {
  error_ = e;
  stage_ = Stage::kDone;
  return false;
}

// Byte 0: FIN, RSV1–3, opcode. Everything checkable without the length is checked here.
bool FrameParser::CheckFirstByte(uint8_t b) {
  fin_ = (b & 0x80) != 0;
  rsv1_ = (b & 0x40) != 0;
  opcode_ = b & 0x0F;
  if ((b & 0x30) != 0) return Fail(kErrReservedBits);  // RSV2/RSV3: no extension defines them
  switch (opcode_) {
    case kOpContinuation:
      if (!in_message_) return Fail(kErrUnexpectedContinuation);
      // RFC 7692 §6.1: RSV1 marks a compressed message on its first frame only.
      if (rsv1_) return Fail(kErrReservedBits);
      return true;
    case kOpText:
    case kOpBinary:
      if (in_message_) return Fail(kErrExpectedContinuation);
      if (rsv1_ && (!deflate_negotiated_ || inflater_ == nullptr)) {
        return Fail(kErrReservedBits);
      }
      return true;
    case kOpClose:
    case kOpPing:
    case kOpPong:
      if (!fin_) return Fail(kErrControlFragmented);
      if (rsv1_) return Fail(kErrReservedBits);  // control frames are never compressed
      return true;
    default:
      return Fail(kErrReservedOpcode);
  }
}

// Byte 1: MASK and the 7-bit length.
bool FrameParser::CheckSecondByte(uint8_t b) {
  if ((b & 0x80) == 0) return Fail(kErrUnmasked);  // RFC 6455 §5.1: server MUST fail
  uint8_t len7 = b & 0x7F;
  if (opcode_ >= 0x8 && len7 > kMaxControlPayload) return Fail(kErrControlTooLong);
  header_need_ = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + 4;
  return true;
}

bool FrameParser::HeaderComplete(FrameSink& sink) {
  uint8_t len7 = header_[1] & 0x7F;
  size_t pos = 2;
  if (len7 == 126) {
    length_ = (uint64_t{header_[2]} << 8) | header_[3];
    pos = 4;
  } else if (len7 == 127) {
    length_ = 0;
    for (int i = 0; i < 8; ++i) length_ = (length_ << 8) | header_[2 + i];
    if ((length_ >> 63) != 0) return Fail(kErrLengthMsbSet);
    pos = 10;
  } else {
    length_ = len7;
  }
  // Non-minimal length encodings are accepted, as ws and browsers do.
  std::memcpy(mask_, header_ + pos, 4);
  received_ = 0;

  if (opcode_ >= 0x8) {
    control_.clear();
  } else {
    if (opcode_ != kOpContinuation) {
      in_message_ = true;
      message_binary_ = opcode_ == kOpBinary;
      message_compressed_ = rsv1_;
      wire_bytes_ = 0;
      message_ascii_ = true;
      message_.clear();
      // Room for the announced payload at once (a pooled buffer when one fits), rather than a
      // chain of reallocations as the pieces arrive; bounded, so a header announcing a huge
      // frame commits no memory before its bytes come.
      if (!message_compressed_) {
        size_t want = static_cast<size_t>(std::min<uint64_t>(length_, kReserveLimit));
        if (want > message_.capacity()) message_ = util::TakeBuffer(want);
      }
      utf8_.Reset();
    }
    // Refuse as soon as the header announces too much, before any payload is buffered.
    if (message_compressed_) {
      // The compressed size is only a sanity bound (deflate's worst-case expansion is far below
      // 1/8 + 1 KiB); the real limit applies to the inflated bytes as they are produced.
      uint64_t slack = max_message_ / 8 + 1024;
      uint64_t wire_limit = max_message_ > UINT64_MAX - slack ? UINT64_MAX : max_message_ + slack;
      if (length_ > wire_limit - wire_bytes_) return Fail(kErrTooBigMessage);
      wire_bytes_ += length_;
    } else if (length_ > max_message_ - message_.size()) {
      return Fail(kErrTooBigMessage);
    }
  }
  if (length_ == 0) return FinishFrame(sink);
  stage_ = Stage::kPayload;
  return true;
}

bool FrameParser::ValidateText(size_t from, bool known_ascii) {
  if (message_binary_ || from >= message_.size()) return true;
  const uint8_t* p = Bytes(message_, from);
  const size_t n = message_.size() - from;
  // At a character boundary an ASCII prefix leaves the validator's state as it is: skip it.
  size_t skip = 0;
  if (utf8_.Complete()) skip = known_ascii ? n : util::AsciiPrefix(p, n);
  if (skip == n) return true;
  message_ascii_ = false;
  if (!utf8_.Feed(p + skip, n - skip)) return Fail(kErrInvalidUtf8);
  return true;
}

bool FrameParser::ConsumePayload(const uint8_t* p, size_t n) {
  if (opcode_ >= 0x8) {
    size_t old = control_.size();
    control_.resize(old + n);
    util::UnmaskCopy(Bytes(control_, old), p, n, mask_, received_);
    return true;
  }
  if (!message_compressed_) {
    size_t old = message_.size();
    message_.resize(old + n);
    bool ascii = util::UnmaskCopy(Bytes(message_, old), p, n, mask_, received_);
    return ValidateText(old, ascii);
  }
  // Compressed: unmask through a small buffer and inflate straight into the message, so
  // neither the compressed bytes nor more than max_message_ + 1 inflated bytes are held.
  uint8_t buf[4096];
  size_t done = 0;
  while (done < n) {
    size_t m = std::min(n - done, sizeof(buf));
    util::UnmaskCopy(buf, p + done, m, mask_, received_ + done);
    size_t old = message_.size();
    auto r = inflater_->InflateChunk(buf, m, max_message_, &message_);
    if (r == PerMessageDeflate::InflateResult::kTooBig) return Fail(kErrTooBigMessage);
    if (r != PerMessageDeflate::InflateResult::kOk) return Fail(kErrInflate);
    if (!ValidateText(old, false)) return false;
    done += m;
  }
  return true;
}

bool FrameParser::FinishClose(FrameSink& sink) {
  if (control_.empty()) {
    stage_ = Stage::kDone;
    sink.OnClose(kCloseNoStatus, std::string());
    return true;
  }
  if (control_.size() == 1) return Fail(kErrCloseLength);
  int code = (static_cast<uint8_t>(control_[0]) << 8) | static_cast<uint8_t>(control_[1]);
  if (!IsValidCloseCode(code)) return Fail(kErrInvalidCloseCode);
  if (!util::IsValidUtf8(Bytes(control_, 2), control_.size() - 2)) {
    return Fail(kErrInvalidCloseReason);
  }
  stage_ = Stage::kDone;
  sink.OnClose(code, control_.substr(2));
  return true;
}

bool FrameParser::FinishFrame(FrameSink& sink) {
  stage_ = Stage::kHeader;
  header_have_ = 0;
  header_need_ = 2;
  switch (opcode_) {
    case kOpPing: {
      std::string payload = std::move(control_);
      control_.clear();
      sink.OnPing(std::move(payload));
      return true;
    }
    case kOpPong: {
      std::string payload = std::move(control_);
      control_.clear();
      sink.OnPong(std::move(payload));
      return true;
    }
    case kOpClose:
      return FinishClose(sink);
    default:
      break;
  }
  if (!fin_) return true;  // more fragments to come
  if (message_compressed_) {
    size_t old = message_.size();
    auto r = inflater_->InflateFinish(max_message_, &message_);
    if (r == PerMessageDeflate::InflateResult::kTooBig) return Fail(kErrTooBigMessage);
    if (r != PerMessageDeflate::InflateResult::kOk) return Fail(kErrInflate);
    if (!ValidateText(old, false)) return false;
  }
  // A text message may not end inside a character.
  if (!message_binary_ && !utf8_.Complete()) return Fail(kErrInvalidUtf8);
  in_message_ = false;
  std::string payload = std::move(message_);
  message_.clear();
  utf8_.Reset();
  sink.OnMessage(message_binary_, std::move(payload));
  return true;
}

size_t FrameParser::Consume(const uint8_t* data, size_t len, FrameSink& sink) {
  size_t i = 0;
  paused_ = false;
  while (i < len && stage_ != Stage::kDone && !paused_) {
    if (stage_ == Stage::kHeader) {
      header_[header_have_++] = data[i++];
      if (header_have_ == 1) {
        if (!CheckFirstByte(header_[0])) break;
        continue;
      }
      if (header_have_ == 2 && !CheckSecondByte(header_[1])) break;
      if (header_have_ < header_need_) continue;
      if (!HeaderComplete(sink)) break;
    } else {
      size_t n = static_cast<size_t>(std::min<uint64_t>(len - i, length_ - received_));
      bool ok = ConsumePayload(data + i, n);
      i += n;
      if (!ok) break;
      received_ += n;
      if (received_ == length_ && !FinishFrame(sink)) break;
    }
  }
  if (error_ != kErrNone && !error_reported_) {
    error_reported_ = true;
    sink.OnProtocolError(CloseCodeFor(error_), ErrorReason(error_));
  }
  return i;
}

}  // namespace ws
}  // namespace httpuv
