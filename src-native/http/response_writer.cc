// Response head building and gzip (see response_writer.h). Runs on the I/O thread.
#include "http/response_writer.h"

#include <zlib/zlib.h>  // deps/zlib, vendored (deps/zlib.gyp)

#include <cstdio>
#include <ctime>

#include "platform/time.h"
#include "util/ascii.h"
#include "util/reason_phrase.h"

namespace httpuv {

bool IsValidHeaderName(const std::string& name) { return util::IsToken(name); }

bool IsValidHeaderValue(const std::string& value) {
  for (char ch : value) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c == '\t') continue;
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

const std::pair<std::string, std::string>* FindInvalidHeader(const HeaderList& headers) {
  for (const auto& h : headers) {
    if (!IsValidHeaderName(h.first) || !IsValidHeaderValue(h.second)) return &h;
  }
  return nullptr;
}

bool StatusForbidsBody(int status) {
  return (status >= 100 && status < 200) || status == 204 || status == 304;
}

const std::string& HttpDateNow() {
  // Thread-local: each I/O thread (one per JS environment) keeps its own cache.
  thread_local time_t cached_sec = 0;
  thread_local std::string cached;
  time_t now = time(nullptr);
  if (now != cached_sec || cached.empty()) {
    struct tm tm;
    platform::GmTime(now, &tm);
    char buf[64];
    strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached = buf;
    cached_sec = now;
  }
  return cached;
}

std::string BuildResponseHead(const ResponseSpec& spec, const ResponseContext& ctx,
                              bool has_body, uint64_t content_length) {
  std::string out;
  out.reserve(256);
  out += "HTTP/1.1 ";
  out += std::to_string(spec.status);
  out += ' ';
  out += util::ReasonPhrase(spec.status);
  out += "\r\n";
  bool app_date = false;
  for (const auto& h : spec.headers) {
    if (util::EqualsIgnoreCase(h.first, "date") && IsValidHeaderValue(h.second)) app_date = true;
  }
  if (!app_date) {
    out += "Date: ";
    out += HttpDateNow();
    out += "\r\n";
  }
  for (const auto& h : spec.headers) {
    // The server owns message framing and persistence: an app's Content-Length,
    // Transfer-Encoding or Connection could desynchronise the connection.
    if (util::EqualsIgnoreCase(h.first, "content-length") ||
        util::EqualsIgnoreCase(h.first, "transfer-encoding") ||
        util::EqualsIgnoreCase(h.first, "connection")) {
      continue;
    }
    if (!IsValidHeaderName(h.first) || !IsValidHeaderValue(h.second)) continue;
    out += h.first;
    out += ": ";
    out += h.second;
    out += "\r\n";
  }
  if (spec.gzip) out += "Content-Encoding: gzip\r\n";
  if (ctx.close) {
    out += "Connection: close\r\n";
  } else if (ctx.http10_keep_alive) {
    out += "Connection: keep-alive\r\n";
  }
  if (spec.status == 101) {
    // A 101 ends the HTTP message; no length.
  } else if (StatusForbidsBody(spec.status)) {
    // 1xx/204/304 never carry a body (RFC 9110 §8.6 forbids Content-Length on 1xx/204).
  } else if (ctx.chunked) {
    out += "Transfer-Encoding: chunked\r\n";
  } else if (ctx.close_delimited) {
    // RFC 9112 §6.3 item 8: the body ends when the connection closes.
  } else if (has_body || !ctx.head) {
    // Without a body object we still say 0 so a keep-alive client knows where this ends.
    out += "Content-Length: ";
    out += std::to_string(has_body ? content_length : 0);
    out += "\r\n";
  }
  out += "\r\n";
  return out;
}

bool GzipCompress(const std::string& in, std::string* out) {
  z_stream zs{};
  if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return false;
  out->resize(deflateBound(&zs, in.size()) + 32);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(&(*out)[0]);
  zs.avail_out = static_cast<uInt>(out->size());
  int rc = deflate(&zs, Z_FINISH);
  size_t produced = out->size() - zs.avail_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return false;
  out->resize(produced);
  return true;
}

}  // namespace httpuv
