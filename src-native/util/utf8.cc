// UTF-8 validation (see utf8.h): the byte ranges of RFC 3629 §4 (Unicode Table 3-7). Pure.
#include "util/utf8.h"

namespace httpuv {
namespace util {

bool Utf8Validator::Feed(const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; i++) {
    uint8_t b = p[i];
    if (need_ == 0) {
      if (b < 0x80) continue;
      lo_ = 0x80;
      hi_ = 0xBF;
      if (b >= 0xC2 && b <= 0xDF) {
        need_ = 1;
      } else if (b >= 0xE0 && b <= 0xEF) {
        need_ = 2;
        if (b == 0xE0) lo_ = 0xA0;       // no overlongs
        else if (b == 0xED) hi_ = 0x9F;  // no surrogates
      } else if (b >= 0xF0 && b <= 0xF4) {
        need_ = 3;
        if (b == 0xF0) lo_ = 0x90;       // no overlongs
        else if (b == 0xF4) hi_ = 0x8F;  // nothing above U+10FFFF
      } else {
        return false;  // 0x80–0xC1 and 0xF5–0xFF never start a character
      }
    } else {
      if (b < lo_ || b > hi_) return false;
      lo_ = 0x80;
      hi_ = 0xBF;
      need_--;
    }
  }
  return true;
}

bool IsValidUtf8(const uint8_t* p, size_t n) {
  Utf8Validator v;
  return v.Feed(p, n) && v.Complete();
}

}  // namespace util
}  // namespace httpuv
