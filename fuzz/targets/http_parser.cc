// libFuzzer harness for httpuv::Parser (src-native/http/parser.cc): llhttp with our settings, span
// accumulation, the limits llhttp does not enforce, and pause/resume driven the way
// connection.cc drives it. Built with ASan + UBSan by fuzz/build.sh; no uv, no napi.
//
// Input layout: byte 0 = configuration bits, bytes 1-2 = split point, rest = the byte stream.
// Each input is parsed three ways (whole, split in two at the chosen point, one byte per
// Execute) and the three event logs must be identical: resumption must not change meaning.
// Invariants (parser-level):
//  - Execute never reports more bytes consumed than it was given;
//  - events nest: begin < headers-complete < body* < complete, never a body outside a message;
//  - a finished request's target, header section and header count are within the limits;
//  - a message with one valid Content-Length delivers exactly that many body bytes;
//  - an error carries one of the statuses we answer with, and nothing is called after it;
//  - after the delegate fails a request, no further callback arrives.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "fuzz_check.h"
#include "http/parser.h"
#include "util/ascii.h"

namespace {

struct Config {
  bool pause_on_headers;  // like an app with onHeaders: pause in OnHeadersComplete
  bool fail_on_headers;   // like ValidateRequest rejecting: Fail(400) and return -1
  bool upgrade_returns_2; // an upgrade request is taken over (as a WebSocket would be)
  bool skip_pause_complete;  // a response already left: do not pause at message complete
  httpuv::ServerLimits limits;
};

Config MakeConfig(uint8_t b) {
  Config c;
  c.pause_on_headers = b & 1;
  c.fail_on_headers = (b & 0x0e) == 0x0e;  // rarely: 1 in 8
  c.upgrade_returns_2 = b & 0x10;
  c.skip_pause_complete = b & 0x20;
  c.limits.max_header_size = (b & 0x40) ? 1024 : 4096;
  c.limits.max_headers = (b & 0x80) ? 8 : 64;
  c.limits.max_request_target_size = (b & 0x40) ? 64 : 512;
  return c;
}

class Delegate : public httpuv::ParserDelegate {
 public:
  Delegate(const Config* cfg, httpuv::Parser* parser) : cfg_(cfg), parser_(parser) {}

  int OnMessageBegin() override {
    FUZZ_CHECK(!failed_, "callback after the delegate failed a request");
    FUZZ_CHECK(state_ == kIdle, "message begin inside a message");
    state_ = kHeaders;
    log_ += 'B';
    body_len_ = 0;
    expected_len_ = -1;
    return 0;
  }

  int OnHeadersComplete(httpuv::Request& req) override {
    FUZZ_CHECK(!failed_, "callback after the delegate failed a request");
    FUZZ_CHECK(state_ == kHeaders, "headers complete outside headers");
    const auto& lim = cfg_->limits;
    FUZZ_CHECK(req.target.size() <= lim.max_request_target_size, "request-target over limit");
    FUZZ_CHECK(req.headers.size() <= lim.max_headers, "header count over limit");
    size_t bytes = req.target.size();
    int cl_count = 0;
    const std::string* cl = nullptr;
    for (const auto& h : req.headers) {
      bytes += h.first.size() + h.second.size();
      if (httpuv::util::EqualsIgnoreCase(h.first, "content-length")) {
        cl_count++;
        cl = &h.second;
      }
    }
    // Trailing OWS is trimmed after counting, so the counted bytes are >= what remains.
    FUZZ_CHECK(bytes <= lim.max_header_size, "header section over limit");
    // Touch every byte of every span (ASan sees a stale or overrun buffer).
    log_ += 'H';
    log_ += req.method;
    log_ += ' ';
    log_ += req.target;
    for (const auto& h : req.headers) {
      log_ += '|';
      log_ += h.first;
      log_ += ':';
      log_ += h.second;
    }
    log_ += req.keep_alive ? "+k" : "-k";
    log_ += req.upgrade ? "+u" : "-u";
    if (cl_count == 1 && !cl->empty() && cl->size() <= 15 &&
        cl->find_first_not_of("0123456789") == std::string::npos &&
        req.FindHeader("transfer-encoding") == nullptr && req.method != "CONNECT") {
      // CONNECT has no body in llhttp whatever its headers say (the tunnel starts after the
      // headers); the connection answers it 501.
      expected_len_ = static_cast<long long>(strtoull(cl->c_str(), nullptr, 10));
    }
    state_ = kBody;
    if (cfg_->fail_on_headers) {
      parser_->Fail(400, "rejected by the harness");
      failed_ = true;
      return -1;
    }
    if (req.upgrade && cfg_->upgrade_returns_2) {
      expected_len_ = -1;  // taken over: the bytes after the headers belong to the new protocol
      return 2;
    }
    if (cfg_->pause_on_headers) return parser_->PauseHere();
    return 0;
  }

  int OnBody(const char* at, size_t len) override {
    FUZZ_CHECK(!failed_, "callback after the delegate failed a request");
    FUZZ_CHECK(state_ == kBody, "body outside a message body");
    FUZZ_CHECK(len > 0, "empty body span");
    body_.append(at, len);  // reads every byte of the span
    body_len_ += len;
    return 0;
  }

  int OnMessageComplete() override {
    FUZZ_CHECK(!failed_, "callback after the delegate failed a request");
    FUZZ_CHECK(state_ == kBody, "message complete without headers");
    if (expected_len_ >= 0) {
      FUZZ_CHECK(body_len_ == static_cast<uint64_t>(expected_len_),
                 "Content-Length differs from the delivered body");
    }
    log_ += 'C';
    log_ += std::to_string(body_len_);
    log_ += ':';
    log_ += body_;
    body_.clear();
    state_ = kIdle;
    if (cfg_->skip_pause_complete) return 0;
    return parser_->PauseHere();
  }

  std::string& log() { return log_; }
  void Bind(httpuv::Parser* p) { parser_ = p; }

 private:
  enum State { kIdle, kHeaders, kBody };
  const Config* cfg_;
  httpuv::Parser* parser_;
  State state_ = kIdle;
  bool failed_ = false;
  uint64_t body_len_ = 0;
  long long expected_len_ = -1;
  std::string body_;
  std::string log_;
};

// Feeds `chunks` the way Connection::ProcessInput does: Execute, on kPaused Resume and re-feed
// the unconsumed rest (plus one empty Execute, as after ContinueRequest), stop at error/upgrade.
std::string Run(const Config& cfg, const uint8_t* data, size_t size, size_t step_a,
                size_t step_rest) {
  // The delegate needs the parser (Fail) and the parser its delegate: bind after construction.
  Delegate dx(&cfg, nullptr);
  httpuv::Parser parser(&cfg.limits, &dx);
  dx.Bind(&parser);
  httpuv::Parser* px = &parser;
  std::string outcome;

  size_t off = 0;
  bool first = true;
  while (off < size || first) {
    size_t step = first ? step_a : step_rest;
    first = false;
    size_t n = size - off < step ? size - off : step;
    const char* at = reinterpret_cast<const char*>(data + off);
    size_t left = n;
    bool force = false;
    while (left > 0 || force) {
      force = false;
      httpuv::Parser::Result r = px->Execute(at, left);
      FUZZ_CHECK(r.consumed <= left, "consumed more than given");
      at += r.consumed;
      left -= r.consumed;
      if (r.state == httpuv::Parser::State::kPaused) {
        px->Resume();
        force = true;
        continue;
      }
      if (r.state == httpuv::Parser::State::kUpgrade) {
        outcome = "U";
        return dx.log() + "#" + outcome;
      }
      if (r.state == httpuv::Parser::State::kError) {
        FUZZ_CHECK(r.error_status == 400 || r.error_status == 413 || r.error_status == 414 ||
                       r.error_status == 431 || r.error_status == 501 ||
                       r.error_status == 505,
                   "unexpected error status");
        FUZZ_CHECK(!r.reason.empty(), "error without a reason");
        // Limit failures are named by us; llhttp's own errors carry their name. The status is
        // compared across splits; the reason text may name a different position.
        outcome = "E" + std::to_string(r.error_status);
        return dx.log() + "#" + outcome;
      }
    }
    off += n;
  }
  outcome = px->InMessage() ? (px->FinishAtEof() ? "F1" : "F0") : "OK";
  return dx.log() + "#" + outcome;
}

// Same events and the same outcome. Two rejections may differ in status: a limit is checked when
// llhttp hands over a span, which is at the end of each read, so an over-long target that also
// holds an invalid byte is 414 when the bytes trickle in and 400 when they arrive at once (Node
// behaves the same way). Both close the connection before the app sees anything.
bool SameOutcome(const std::string& a, const std::string& b) {
  if (a == b) return true;
  size_t ia = a.rfind('#'), ib = b.rfind('#');
  return a.compare(0, ia, b, 0, ib) == 0 && a[ia + 1] == 'E' && b[ib + 1] == 'E';
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  Config cfg = MakeConfig(data[0]);
  size_t split = (static_cast<size_t>(data[1]) << 8 | data[2]);
  data += 3;
  size -= 3;
  if (size > 0) split %= size + 1;
  std::string whole = Run(cfg, data, size, size == 0 ? 1 : size, size == 0 ? 1 : size);
  std::string two = Run(cfg, data, size, split == 0 ? 1 : split, size == 0 ? 1 : size);
  if (!SameOutcome(whole, two)) {
    fprintf(stderr, "split at %zu changes the outcome\nwhole: %s\nsplit: %s\n", split,
            whole.c_str(), two.c_str());
    abort();
  }
  if (size <= 512) {
    std::string bytewise = Run(cfg, data, size, 1, 1);
    if (!SameOutcome(whole, bytewise)) {
      fprintf(stderr, "byte-at-a-time changes the outcome\nwhole: %s\nbytes: %s\n",
              whole.c_str(), bytewise.c_str());
      abort();
    }
  }
  return 0;
}
