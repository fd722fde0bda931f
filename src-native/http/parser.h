// HTTP/1.1 request parsing on top of the vendored llhttp: member trampolines, span accumulation
// across reads, the size limits llhttp does not enforce (request-target, header section, header
// count, chunk extensions), and pause/resume. Strict: every lenient flag stays off.
// Runs on the I/O thread; no uv.h, no napi.h.
#ifndef NODE_HTTPUV_HTTP_PARSER_H_
#define NODE_HTTPUV_HTTP_PARSER_H_

#include <llhttp.h>

#include <cstddef>
#include <memory>
#include <string>

#include "http/request.h"

namespace httpuv {

// Implemented by the connection. Return values follow llhttp: 0 continue; from OnHeadersComplete
// also 2 = upgrade (stop parsing, the rest of the bytes belong to another protocol); any callback
// may call Parser::Fail() and return -1, or call Parser::PauseHere() and return its value.
class ParserDelegate {
 public:
  virtual ~ParserDelegate() = default;
  // Runs on the I/O thread.
  virtual int OnMessageBegin() = 0;
  virtual int OnHeadersComplete(Request& req) = 0;
  virtual int OnBody(const char* at, size_t len) = 0;
  virtual int OnMessageComplete() = 0;
};

class Parser {
 public:
  enum class State { kOk, kPaused, kUpgrade, kError };
  struct Result {
    State state = State::kOk;
    size_t consumed = 0;    // bytes of the input consumed
    int error_status = 0;   // for kError: the HTTP status to answer (400, 413, 414, 431, 501, 505)
    std::string reason;     // for kError: llhttp error name or our own limit name
  };

  Parser(const ServerLimits* limits, ParserDelegate* delegate);
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;

  // Runs on the I/O thread: feeds bytes. After kPaused call Resume() before feeding the
  // unconsumed rest again.
  Result Execute(const char* data, size_t len);
  void Resume();
  // After kUpgrade for an upgrade the connection declined: go on parsing HTTP.
  void ResumeAfterUpgrade() { llhttp_resume_after_upgrade(&parser_); }
  // Called from inside a delegate callback: stop after this callback (value to return from it).
  int PauseHere() { return HPE_PAUSED; }
  // Called from inside a delegate callback before returning -1: the status to answer.
  void Fail(int status, const char* reason);
  // EOF from the peer: true when that ends a message cleanly or nothing was started.
  bool FinishAtEof();
  // True once a message has begun and not yet completed.
  bool InMessage() const { return in_message_; }

  Request* current() { return request_.get(); }
  std::unique_ptr<Request> TakeRequest() { return std::move(request_); }

 private:
  template <int (Parser::*M)()>
  static int Cb(llhttp_t* p);
  template <int (Parser::*M)(const char*, size_t)>
  static int DataCb(llhttp_t* p, const char* at, size_t len);

  int HandleMessageBegin();
  int HandleMethod(const char* at, size_t len);
  int HandleUrl(const char* at, size_t len);
  int HandleHeaderField(const char* at, size_t len);
  int HandleHeaderValue(const char* at, size_t len);
  int HandleHeadersComplete();
  int HandleBody(const char* at, size_t len);
  int HandleMessageComplete();
  int HandleChunkExtension(const char* at, size_t len);
  int HandleChunkHeader();
  // Execute's answer for an llhttp error, pause or upgrade stop.
  Result ErrorResult(llhttp_errno_t err, const char* data, size_t len);

  // The one callback table every parser shares (parser.cc).
  static const llhttp_settings_t* Settings();

  // Ordered by width (no padding: every connection holds a parser).
  llhttp_t parser_{};
  const ServerLimits* limits_;
  ParserDelegate* delegate_;
  std::unique_ptr<Request> request_;
  // Header-section accounting (see Execute): inside the request line + header section, or a
  // trailer section (in_header_section_); the bytes of that section consumed before the current
  // slice; where the section's bytes start in the current slice (its start, or the section's
  // first byte).
  size_t header_bytes_ = 0;
  const char* count_from_ = nullptr;
  size_t chunk_ext_bytes_ = 0;
  const char* failed_reason_ = nullptr;
  const char* fail_reason_ = nullptr;
  int failed_status_ = 0;  // a limit failed after llhttp accepted the bytes (sticky)
  int fail_status_ = 0;
  bool in_message_ = false;
  bool in_value_ = false;     // the last span was a header value (a new field starts a header)
  bool headers_done_ = false;  // later field callbacks are trailers
  bool in_header_section_ = false;
};

}  // namespace httpuv

#endif  // NODE_HTTPUV_HTTP_PARSER_H_
