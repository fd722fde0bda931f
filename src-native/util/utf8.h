// Incremental UTF-8 validation (RFC 3629 §4: no overlong forms, no UTF-16 surrogates
// U+D800–U+DFFF, nothing above U+10FFFF). The state is carried across chunks and WebSocket
// fragments, and a sequence is rejected on its first byte that no valid UTF-8 can continue with
// (Autobahn 6.4.x "fail fast"), not at the end of the message.
// Pure: runs on whichever thread calls it (the I/O thread in the server); no uv.h, no napi.h.
#ifndef NODE_HTTPUV_UTIL_UTF8_H_
#define NODE_HTTPUV_UTIL_UTF8_H_

#include <cstddef>
#include <cstdint>

namespace httpuv {
namespace util {

class Utf8Validator {
 public:
  // Feeds bytes. Returns false as soon as the bytes fed so far cannot be the start of valid
  // UTF-8; the failure is sticky (every later Feed returns false until Reset()).
  bool Feed(const uint8_t* p, size_t n);
  bool Feed(const char* p, size_t n) { return Feed(reinterpret_cast<const uint8_t*>(p), n); }
  // True when no error was seen and the bytes fed so far end on a character boundary: call it
  // at the end of a message (a message may not end inside a code point).
  bool Complete() const { return !failed_ && need_ == 0; }
  bool failed() const { return failed_; }
  void Reset() {
    need_ = 0;
    lo_ = 0x80;
    hi_ = 0xBF;
    failed_ = false;
  }

 private:
  int need_ = 0;       // continuation bytes still expected in the current code point
  uint8_t lo_ = 0x80;  // allowed range of the next continuation byte (narrowed after E0, ED,
  uint8_t hi_ = 0xBF;  // F0, F4 to exclude overlongs, surrogates and > U+10FFFF)
  bool failed_ = false;
};

// Whole-buffer check: true when [p, p+n) is complete, valid UTF-8.
bool IsValidUtf8(const uint8_t* p, size_t n);
inline bool IsValidUtf8(const char* p, size_t n) {
  return IsValidUtf8(reinterpret_cast<const uint8_t*>(p), n);
}

}  // namespace util
}  // namespace httpuv

#endif  // NODE_HTTPUV_UTIL_UTF8_H_
