// WebSocket frame parsing (see frame_parser.h). Pure; runs on the I/O thread.
#include "ws/frame_parser.h"

#include "util/utf8.h"
#include "ws/frame_writer.h"
#include "ws/permessage_deflate.h"

namespace httpuv {
namespace ws {

namespace {

bool IsControl(int opcode) { return opcode >= 0x8; }

// Close codes an endpoint may receive (RFC 6455 §7.4.1, IANA registry; 1004–1006 and 1015 are
// never sent on the wire; 1016–2999 are unassigned; 3000–4999 are for libraries and apps).
bool ValidCloseCode(int code) {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
         (code >= 3000 && code <= 4999);
}

size_t HeaderSize(const std::string& h) {
  uint8_t len7 = static_cast<uint8_t>(h[1]) & 0x7f;
  size_t n = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0);
  if (static_cast<uint8_t>(h[1]) & 0x80) n += 4;
  return n;
}

}  // namespace

void FrameParser::Fail(FrameSink& sink, int code, const char* reason) {
  done_ = true;
  sink.OnProtocolError(code, reason);
}

// Checks the first two bytes as soon as they arrive (fail fast), then the whole header.
bool FrameParser::ParseHeader(FrameSink& sink) {
  const auto* h = reinterpret_cast<const uint8_t*>(header_.data());
  if (header_.size() == 2) {
    fin_ = (h[0] & 0x80) != 0;
    rsv1_ = (h[0] & 0x40) != 0;
    opcode_ = h[0] & 0x0f;
    if ((h[0] & 0x30) != 0) {
      Fail(sink, kErrProtocol, "RSV2/RSV3 set");
      return false;
    }
    if (opcode_ != kOpContinuation && opcode_ != kOpText && opcode_ != kOpBinary &&
        opcode_ != kOpClose && opcode_ != kOpPing && opcode_ != kOpPong) {
      Fail(sink, kErrProtocol, "reserved opcode");
      return false;
    }
    if (rsv1_ && !(deflate_negotiated_ && (opcode_ == kOpText || opcode_ == kOpBinary))) {
      Fail(sink, kErrProtocol, "RSV1 set without a compressed message start");
      return false;
    }
    if (IsControl(opcode_)) {
      if (!fin_) {
        Fail(sink, kErrProtocol, "fragmented control frame");
        return false;
      }
      if ((h[1] & 0x7f) > 125) {
        Fail(sink, kErrProtocol, "control frame payload over 125 bytes");
        return false;
      }
    } else if (opcode_ == kOpContinuation) {
      if (!in_message_) {
        Fail(sink, kErrProtocol, "continuation frame without a message");
        return false;
      }
    } else if (in_message_) {
      Fail(sink, kErrProtocol, "new data frame inside a fragmented message");
      return false;
    }
    if ((h[1] & 0x80) == 0) {
      Fail(sink, kErrProtocol, "unmasked client frame");
      return false;
    }
  }
  if (header_.size() < HeaderSize(header_)) return true;  // need more header bytes

  uint8_t len7 = h[1] & 0x7f;
  size_t p = 2;
  if (len7 == 126) {
    length_ = (uint64_t(h[2]) << 8) | h[3];
    p = 4;
  } else if (len7 == 127) {
    length_ = 0;
    for (int i = 0; i < 8; i++) length_ = (length_ << 8) | h[2 + i];
    p = 10;
    if (length_ >> 63) {
      Fail(sink, kErrProtocol, "64-bit length with the high bit set");
      return false;
    }
  } else {
    length_ = len7;
  }
  for (int i = 0; i < 4; i++) mask_[i] = h[p + i];
  header_.clear();
  received_ = 0;
  if (IsControl(opcode_)) {
    frame_.clear();
  } else {
    if (opcode_ != kOpContinuation) {
      in_message_ = true;
      message_binary_ = opcode_ == kOpBinary;
      message_compressed_ = rsv1_;
      message_.clear();
      utf8_.Reset();
    }
    // Refuse before buffering: the announced length alone passes the limit (RFC 6455 §10.4).
    if (message_.size() + length_ > max_message_) {
      Fail(sink, kErrTooBigMessage, "message too big");
      return false;
    }
    message_.reserve(message_.size() + static_cast<size_t>(length_));
  }
  stage_ = Stage::kPayload;
  if (length_ == 0) FinishFrame(sink);
  return !done_;
}

void FrameParser::Consume(const char* data, size_t len, FrameSink& sink) {
  size_t i = 0;
  while (i < len && !done_) {
    if (stage_ == Stage::kHeader) {
      header_.push_back(data[i++]);
      if (header_.size() >= 2 && !ParseHeader(sink)) return;
      continue;
    }
    uint64_t left = length_ - received_;
    size_t n = static_cast<size_t>(left < len - i ? left : len - i);
    std::string& dst = IsControl(opcode_) ? frame_ : message_;
    size_t start = dst.size();
    dst.append(data + i, n);
    for (size_t k = 0; k < n; k++) dst[start + k] ^= static_cast<char>(mask_[(received_ + k) & 3]);
    if (!IsControl(opcode_) && !message_binary_ && !message_compressed_) {
      // Text: validate as it arrives so a bad byte fails the connection at once (Autobahn 6.4).
      if (!utf8_.Feed(reinterpret_cast<const uint8_t*>(dst.data() + start), n)) {
        Fail(sink, kErrInvalidData, "invalid UTF-8 in a text message");
        return;
      }
    }
    received_ += n;
    i += n;
    if (received_ == length_) FinishFrame(sink);
  }
}

void FrameParser::FinishFrame(FrameSink& sink) {
  stage_ = Stage::kHeader;
  if (opcode_ == kOpPing) {
    sink.OnPing(std::move(frame_));
    frame_.clear();
    return;
  }
  if (opcode_ == kOpPong) {
    sink.OnPong(std::move(frame_));
    frame_.clear();
    return;
  }
  if (opcode_ == kOpClose) {
    if (frame_.size() == 1) {
      Fail(sink, kErrProtocol, "close payload of 1 byte");
      return;
    }
    if (frame_.empty()) {
      done_ = true;
      sink.OnClose(1005, std::string());
      return;
    }
    int code = (static_cast<uint8_t>(frame_[0]) << 8) | static_cast<uint8_t>(frame_[1]);
    if (!ValidCloseCode(code)) {
      Fail(sink, kErrProtocol, "invalid close code");
      return;
    }
    std::string reason = frame_.substr(2);
    if (!util::IsValidUtf8(reinterpret_cast<const uint8_t*>(reason.data()), reason.size())) {
      Fail(sink, kErrInvalidData, "close reason is not UTF-8");
      return;
    }
    done_ = true;
    sink.OnClose(code, std::move(reason));
    return;
  }
  if (!fin_) return;  // more fragments to come
  in_message_ = false;
  if (message_compressed_) {
    if (inflater_ == nullptr) {
      Fail(sink, kErrProtocol, "compressed message without permessage-deflate");
      return;
    }
    std::string plain;
    PerMessageDeflate::InflateResult r = inflater_->Decompress(message_, max_message_, &plain);
    if (r == PerMessageDeflate::InflateResult::kTooBig) {
      Fail(sink, kErrTooBigMessage, "message too big after inflating");
      return;
    }
    if (r != PerMessageDeflate::InflateResult::kOk) {
      Fail(sink, kErrInvalidData, "invalid compressed data");
      return;
    }
    message_.swap(plain);
    if (!message_binary_ &&
        !util::IsValidUtf8(reinterpret_cast<const uint8_t*>(message_.data()), message_.size())) {
      Fail(sink, kErrInvalidData, "invalid UTF-8 in a text message");
      return;
    }
  } else if (!message_binary_ && !utf8_.Complete()) {
    Fail(sink, kErrInvalidData, "text message ends inside a UTF-8 sequence");
    return;
  }
  std::string msg;
  msg.swap(message_);
  sink.OnMessage(message_binary_, std::move(msg));
}

}  // namespace ws
}  // namespace httpuv
