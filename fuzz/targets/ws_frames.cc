// libFuzzer harness for the WebSocket frame parser (src-native/ws/frame_parser.cc) with UTF-8
// validation and, when the first byte asks for it, permessage-deflate inflate. Built with
// ASan + UBSan by fuzz/build.sh; pure (zlib only).
//
// Input: byte 0 = flags (bit 0 deflate negotiated, bit 1 client_no_context_takeover, bits 2-3
// message limit), bytes 1-2 = chop size, rest = the client's byte stream (frames must be masked;
// a zero mask key leaves the payload readable to the fuzzer).
// Invariants:
//  - every delivered text message and close reason is valid UTF-8 (by an independent reference),
//    and message_ascii() says whether a text message is all ASCII;
//  - a delivered message is at most the limit; control payloads are at most 125 bytes;
//  - after a Close or a failure nothing else is delivered;
//  - a failure carries a code in {1002, 1007, 1008, 1009};
//  - a close code is 1005 (empty payload) or one a peer may send (RFC 6455 §7.4);
//  - the events are the same whether the stream arrives whole, in chops, or byte by byte.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "fuzz_check.h"
#include "utf8_reference.h"
#include "util/utf8.h"
#include "ws/frame_parser.h"
#include "ws/permessage_deflate.h"

namespace {

// The reference, not the validator under test.
bool Utf8(const std::string& s) {
  return fuzzref::Utf8Valid(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

bool PeerCloseCode(int c) {
  if (c == 1005) return true;
  if (c >= 3000 && c <= 4999) return true;
  return c == 1000 || c == 1001 || c == 1002 || c == 1003 || c == 1007 || c == 1008 ||
         c == 1009 || c == 1010 || c == 1011 || c == 1012 || c == 1013 || c == 1014;
}

class Sink : public httpuv::ws::FrameSink {
 public:
  Sink(uint64_t limit, const httpuv::ws::FrameParser* parser) : limit_(limit), parser_(parser) {}
  void OnMessage(bool binary, std::string&& payload) override {
    Live();
    FUZZ_CHECK(payload.size() <= limit_, "message over the limit");
    if (!binary) FUZZ_CHECK(Utf8(payload), "text message is not UTF-8");
    if (!binary) {
      FUZZ_CHECK(parser_->message_ascii() ==
                     fuzzref::AllAscii(reinterpret_cast<const uint8_t*>(payload.data()), payload.size()),
                 "message_ascii() wrong");
    }
    log_ += binary ? "B" : "T";
    log_ += std::to_string(payload.size()) + ":" + payload + ";";
  }
  void OnPing(std::string&& payload) override {
    Live();
    FUZZ_CHECK(payload.size() <= 125, "ping payload over 125");
    log_ += "P" + payload + ";";
  }
  void OnPong(std::string&& payload) override {
    Live();
    FUZZ_CHECK(payload.size() <= 125, "pong payload over 125");
    log_ += "O" + payload + ";";
  }
  void OnClose(int code, std::string&& reason) override {
    Live();
    FUZZ_CHECK(PeerCloseCode(code), "close code a peer may not send");
    FUZZ_CHECK(reason.size() <= 123, "close reason over 123");
    FUZZ_CHECK(code != 1005 || reason.empty(), "1005 with a reason");
    FUZZ_CHECK(Utf8(reason), "close reason is not UTF-8");
    log_ += "C" + std::to_string(code) + reason + ";";
    ended_ = true;
  }
  void OnProtocolError(int close_code, const char* reason) override {
    Live();
    FUZZ_CHECK(close_code == 1002 || close_code == 1007 || close_code == 1008 ||
                   close_code == 1009,
               "failure code outside {1002, 1007, 1008, 1009}");
    FUZZ_CHECK(reason != nullptr, "failure without a reason");
    log_ += "E" + std::to_string(close_code) + ";";
    ended_ = true;
  }
  const std::string& log() const { return log_; }

 private:
  void Live() { FUZZ_CHECK(!ended_, "event after a close or a failure"); }
  uint64_t limit_;
  const httpuv::ws::FrameParser* parser_;
  bool ended_ = false;
  std::string log_;
};

std::string Run(uint8_t flags, const uint8_t* data, size_t size, size_t chop) {
  static const uint64_t kLimits[] = {0, 125, 4096, 1 << 20};
  uint64_t limit = kLimits[(flags >> 2) & 3];
  if (limit == 0) limit = 1;
  bool deflate = flags & 1;
  httpuv::ws::DeflateParams p;
  p.enabled = deflate;
  p.client_no_context_takeover = flags & 2;
  std::unique_ptr<httpuv::ws::PerMessageDeflate> pmd;
  httpuv::ws::FrameParser parser(limit, deflate);
  if (deflate) {
    pmd = std::make_unique<httpuv::ws::PerMessageDeflate>(p);
    parser.SetInflater(pmd.get());
  }
  Sink sink(limit, &parser);
  size_t off = 0;
  while (off < size && !parser.done()) {
    size_t n = size - off < chop ? size - off : chop;
    parser.Consume(reinterpret_cast<const char*>(data + off), n, sink);
    off += n;
  }
  return sink.log();
}

// Same events; when both runs end in a failure, the close code may differ. A compressed text
// message is inflated and validated as its bytes arrive, so with a tiny limit the bytes that
// arrive at once overflow the limit first (1009) while the same bytes one at a time hit a bad
// UTF-8 sequence first (1007). Both close the connection; which violation is seen first depends
// on TCP segmentation (observed in the first runs, reported with the hardening work).
bool SameOutcome(const std::string& a, const std::string& b) {
  if (a == b) return true;
  size_t ia = a.rfind('E'), ib = b.rfind('E');
  if (ia == std::string::npos || ib == std::string::npos) return false;
  if ((ia > 0 && a[ia - 1] != ';') || (ib > 0 && b[ib - 1] != ';')) return false;
  auto is_failure_tail = [](const std::string& s, size_t i) {
    size_t j = i + 1;
    while (j < s.size() && s[j] >= '0' && s[j] <= '9') j++;
    return j == i + 5 && j + 1 == s.size() && s[j] == ';';  // "E" + 4 digits + ";" at the end
  };
  return ia == ib && is_failure_tail(a, ia) && is_failure_tail(b, ib) &&
         a.compare(0, ia, b, 0, ib) == 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  uint8_t flags = data[0];
  size_t chop = (static_cast<size_t>(data[1]) << 8 | data[2]) % 512 + 1;
  data += 3;
  size -= 3;
  std::string whole = Run(flags, data, size, size == 0 ? 1 : size);
  std::string chopped = Run(flags, data, size, chop);
  if (!SameOutcome(whole, chopped)) {
    fprintf(stderr, "chops of %zu change the events\nwhole: %s\nchops: %s\n", chop,
            whole.c_str(), chopped.c_str());
    abort();
  }
  if (size <= 1024) {
    std::string bytewise = Run(flags, data, size, 1);
    if (!SameOutcome(whole, bytewise)) {
      fprintf(stderr, "byte-at-a-time changes the events\nwhole: %s\nbytes: %s\n",
              whole.c_str(), bytewise.c_str());
      abort();
    }
  }
  return 0;
}
