// Incremental UTF-8 validation (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF),
// carried across chunks and fragments so a WebSocket text message fails on its first bad byte
// (Autobahn 6.x "fail fast"). Pure: runs on whichever thread calls it.
#ifndef NODE_HTTPUV_UTIL_UTF8_H_
#define NODE_HTTPUV_UTIL_UTF8_H_

#include <cstddef>
#include <cstdint>

namespace httpuv {
namespace util {

class Utf8Validator {
 public:
  // Feeds bytes; false as soon as they cannot be (the start of) valid UTF-8.
  bool Feed(const uint8_t* p, size_t n);
  // True when the bytes fed so far end on a character boundary.
  bool Complete() const { return need_ == 0; }
  void Reset() {
    need_ = 0;
    lo_ = 0x80;
    hi_ = 0xBF;
  }

 private:
  int need_ = 0;      // continuation bytes still expected
  uint8_t lo_ = 0x80;  // allowed range of the next continuation byte
  uint8_t hi_ = 0xBF;
};

bool IsValidUtf8(const uint8_t* p, size_t n);

}  // namespace util
}  // namespace httpuv

#endif  // NODE_HTTPUV_UTIL_UTF8_H_
