// llhttp wrapper (see parser.h). Runs on the I/O thread.
#include "http/parser.h"

#include <algorithm>
#include <cstring>

namespace httpuv {

namespace {
// Chunk extensions are legal but useless; Node caps them at 16 KiB and answers 413.
constexpr size_t kMaxChunkExtensionBytes = 16 * 1024;
}  // namespace

template <int (Parser::*M)()>
int Parser::Cb(llhttp_t* p) {
  return (static_cast<Parser*>(p->data)->*M)();
}

template <int (Parser::*M)(const char*, size_t)>
int Parser::DataCb(llhttp_t* p, const char* at, size_t len) {
  return (static_cast<Parser*>(p->data)->*M)(at, len);
}

// The callbacks are the same for every parser (they reach their Parser through llhttp_t::data),
// so one settings table serves them all: 200 bytes less per connection (bench S5). Built once,
// on first use (a function-local static: thread-safe), and only read after that.
const llhttp_settings_t* Parser::Settings() {
  static const llhttp_settings_t settings = [] {
    llhttp_settings_t s;
    llhttp_settings_init(&s);
    s.on_message_begin = Cb<&Parser::HandleMessageBegin>;
    s.on_method = DataCb<&Parser::HandleMethod>;
    s.on_url = DataCb<&Parser::HandleUrl>;
    s.on_header_field = DataCb<&Parser::HandleHeaderField>;
    s.on_header_value = DataCb<&Parser::HandleHeaderValue>;
    s.on_headers_complete = Cb<&Parser::HandleHeadersComplete>;
    s.on_body = DataCb<&Parser::HandleBody>;
    s.on_message_complete = Cb<&Parser::HandleMessageComplete>;
    s.on_chunk_extension_name = DataCb<&Parser::HandleChunkExtension>;
    s.on_chunk_extension_value = DataCb<&Parser::HandleChunkExtension>;
    s.on_chunk_header = Cb<&Parser::HandleChunkHeader>;
    return s;
  }();
  return &settings;
}

Parser::Parser(const ServerLimits* limits, ParserDelegate* delegate)
    : limits_(limits), delegate_(delegate) {
  // llhttp only reads its settings (the pointer is const in spirit; its API takes it non-const).
  llhttp_init(&parser_, HTTP_REQUEST, const_cast<llhttp_settings_t*>(Settings()));
  parser_.data = this;
  // Every lenient flag stays at its default (off): each one admits a malformed form (bare LF,
  // both Content-Length and Transfer-Encoding, invalid header bytes, loose chunk syntax...) that
  // two HTTP parsers can read two ways (request smuggling), so such a request is a 400 instead.
}

void Parser::Fail(int status, const char* reason) {
  fail_status_ = status;
  fail_reason_ = reason;
}

int Parser::HandleMessageBegin() {
  request_ = std::make_unique<Request>();
  in_message_ = true;
  in_value_ = false;
  headers_done_ = false;
  // The header section starts at the first byte of the method (HandleMethod marks it).
  in_header_section_ = true;
  header_bytes_ = 0;
  count_from_ = nullptr;
  chunk_ext_bytes_ = 0;
  return delegate_->OnMessageBegin();
}

int Parser::HandleMethod(const char* at, size_t) {
  if (count_from_ == nullptr) count_from_ = at;
  return 0;
}

int Parser::HandleUrl(const char* at, size_t len) {
  request_->target.append(at, len);
  if (request_->target.size() > limits_->max_request_target_size) {
    Fail(414, "request-target too long");
    return -1;
  }
  return 0;
}

int Parser::HandleHeaderField(const char* at, size_t len) {
  // Trailer fields of a chunked body (RFC 9112 §7.1.2) are counted but dropped: they are not
  // request headers (httpuv ignores them too). The trailer section gets its own maxHeaderSize
  // budget, counted like the header section from its first byte.
  if (headers_done_) {
    if (!in_header_section_) {
      in_header_section_ = true;
      header_bytes_ = 0;
      count_from_ = at;
    }
    return 0;
  }
  if (in_value_ || request_->headers.empty()) {
    if (request_->headers.size() >= limits_->max_headers) {
      Fail(431, "too many headers");
      return -1;
    }
    request_->headers.emplace_back();
    in_value_ = false;
  }
  request_->headers.back().first.append(at, len);
  return 0;
}

int Parser::HandleHeaderValue(const char* at, size_t len) {
  if (headers_done_) return 0;
  in_value_ = true;
  request_->headers.back().second.append(at, len);
  return 0;
}

int Parser::HandleHeadersComplete() {
  headers_done_ = true;
  in_header_section_ = false;
  Request& req = *request_;
  req.method = llhttp_method_name(static_cast<llhttp_method_t>(parser_.method));
  req.http_major = parser_.http_major;
  req.http_minor = parser_.http_minor;
  req.keep_alive = llhttp_should_keep_alive(&parser_) != 0;
  req.upgrade = parser_.upgrade != 0;
  req.has_body_framing =
      (parser_.flags & (F_CONTENT_LENGTH | F_TRANSFER_ENCODING | F_CHUNKED)) != 0;
  // llhttp keeps trailing whitespace of values (OWS is not part of the value, RFC 9110 §5.5).
  for (auto& h : req.headers) {
    auto& v = h.second;
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.pop_back();
  }
  return delegate_->OnHeadersComplete(req);
}

int Parser::HandleBody(const char* at, size_t len) { return delegate_->OnBody(at, len); }

int Parser::HandleMessageComplete() {
  in_message_ = false;
  in_header_section_ = false;
  return delegate_->OnMessageComplete();
}

int Parser::HandleChunkHeader() {
  chunk_ext_bytes_ = 0;
  return 0;
}

int Parser::HandleChunkExtension(const char* at, size_t len) {
  chunk_ext_bytes_ += len;
  if (chunk_ext_bytes_ > kMaxChunkExtensionBytes) {
    Fail(413, "chunk extensions too large");
    return -1;
  }
  return 0;
}

Parser::Result Parser::Execute(const char* data, size_t len) {
  Result r;
  if (failed_status_ != 0) {
    // A limit failed after llhttp had accepted the bytes: the parser's state is no longer
    // trusted; everything later is refused the same way.
    r.state = State::kError;
    r.error_status = failed_status_;
    r.reason = failed_reason_;
    return r;
  }
  fail_status_ = 0;
  // maxHeaderSize counts every byte llhttp consumes while in a header (or trailer) section:
  // request line, field names, values, the whitespace around them and the line endings, not a
  // sum of the spans llhttp reports (which leaves out optional whitespace, so 8 MB of spaces
  // before a value passed a 1 KiB limit). To know that without llhttp telling where the section
  // ends, llhttp is fed slices: at most the section's remaining budget while inside it, at most
  // the whole limit otherwise (a section that starts inside a slice then fits in it whole, or is
  // still open at the slice's end and is counted up to there). A section still open once its
  // budget is used up has passed the limit: 431 after at most one byte too many, whatever the
  // bytes are.
  const size_t limit = std::max<size_t>(limits_->max_header_size, 1);
  size_t off = 0;
  for (;;) {
    size_t budget = in_header_section_ ? limit - header_bytes_ : limit;
    size_t n = std::min(len - off, budget);
    const char* slice = data + off;
    count_from_ = in_header_section_ ? slice : nullptr;
    llhttp_errno_t err = llhttp_execute(&parser_, slice, n);
    if (err != HPE_OK) return ErrorResult(err, data, len);
    off += n;
    if (in_header_section_) {
      const char* from = count_from_ != nullptr ? count_from_ : slice;
      header_bytes_ += static_cast<size_t>(data + off - from);
      if (header_bytes_ >= limit) {
        failed_status_ = 431;
        failed_reason_ = headers_done_ ? "trailer section too large" : "header section too large";
        r.state = State::kError;
        r.consumed = off;
        r.error_status = failed_status_;
        r.reason = failed_reason_;
        return r;
      }
    }
    if (off == len) break;
  }
  r.consumed = len;
  return r;
}

Parser::Result Parser::ErrorResult(llhttp_errno_t err, const char* data, size_t len) {
  Result r;
  const char* pos = llhttp_get_error_pos(&parser_);
  r.consumed = pos != nullptr && pos >= data && pos <= data + len ? static_cast<size_t>(pos - data)
                                                                  : len;
  if (err == HPE_PAUSED) {
    r.state = State::kPaused;
    return r;
  }
  if (err == HPE_PAUSED_UPGRADE) {
    r.state = State::kUpgrade;
    return r;
  }
  r.state = State::kError;
  if (fail_status_ != 0) {
    r.error_status = fail_status_;
    r.reason = fail_reason_;
    return r;
  }
  // Everything else llhttp refuses (HTTP/1.2 and garbage alike: H45 allows 400) is a 400;
  // HTTP/2.0 is caught after parsing, see Http1Handler::ValidateRequest.
  r.error_status = 400;
  r.reason = llhttp_errno_name(err);
  const char* why = llhttp_get_error_reason(&parser_);
  if (why != nullptr && *why != '\0') {
    r.reason += ": ";
    r.reason += why;
  }
  return r;
}

void Parser::Resume() { llhttp_resume(&parser_); }

bool Parser::FinishAtEof() {
  if (!in_message_) return true;
  return llhttp_finish(&parser_) == HPE_OK;
}

}  // namespace httpuv
