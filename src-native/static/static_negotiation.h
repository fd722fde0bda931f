// The header-value grammar that static file responses negotiate with: HTTP dates (IMF-fixdate),
// single byte ranges (RFC 9110 §14), entity-tag lists (§8.8.3, §13.1) and Accept-Encoding
// q-values (§12.5.3). Pure functions over strings, used by static_files.cc and its tests.
// Runs on the I/O thread; no napi.h, no uv.h.
#ifndef NODE_HTTPUV_STATIC_STATIC_NEGOTIATION_H_
#define NODE_HTTPUV_STATIC_STATIC_NEGOTIATION_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace httpuv {
namespace statics {

// "Sun, 06 Nov 1994 08:49:37 GMT" for a Unix time in seconds.
std::string FormatHttpDate(int64_t unix_seconds);

// Parses an IMF-fixdate (exactly 29 characters, as httpuv accepted) into Unix seconds. The
// obsolete RFC 850 and asctime forms, and any out-of-range field, are rejected (false), which makes
// the conditional header that carried them be ignored.
bool ParseHttpDate(std::string_view s, int64_t* unix_seconds);

// The outcome of a Range header against a representation of `size` bytes.
struct ByteRange {
  enum class Kind {
    kIgnore,         // no usable single range (absent, bad syntax, other unit, several) → 200
    kSatisfiable,    // → 206 for [first, first + length)
    kUnsatisfiable,  // → 416 with "Content-Range: bytes */size"
  };
  Kind kind = Kind::kIgnore;
  uint64_t first = 0;
  uint64_t length = 0;
};

// Interprets `bytes=a-b`, `bytes=a-` and `bytes=-n` (unit case-insensitive, optional spaces).
// Several ranges are deliberately ignored (whole file, no multipart/byteranges); numbers that
// overflow 64 bits saturate, so a huge last-pos means "to the end".
ByteRange ParseRange(std::string_view header, uint64_t size);

// If-None-Match semantics: `*` matches; otherwise weak comparison (W/ prefixes ignored) of each
// listed entity-tag with `etag` (a quoted entity-tag, possibly W/-prefixed).
bool EtagListMatchesWeak(std::string_view list, std::string_view etag);

// If-Match semantics: `*` matches; otherwise strong comparison (a weak tag on either side never
// matches).
bool EtagListMatchesStrong(std::string_view list, std::string_view etag);

// Per-coding q-values of an Accept-Encoding header in thousandths (0..1000); -1 = not listed.
// `any` is the value of `*`. `x-gzip` counts as gzip. Elements with a bad q are skipped.
struct AcceptEncoding {
  int br = -1;
  int gzip = -1;
  int identity = -1;
  int any = -1;
};
AcceptEncoding ParseAcceptEncoding(std::string_view header);

}  // namespace statics
}  // namespace httpuv

#endif  // NODE_HTTPUV_STATIC_STATIC_NEGOTIATION_H_
