// Byte-at-a-time UTF-8 state machine with an ASCII fast path (the well-formed byte sequences
// table of Unicode §3.9, Table 3-7).
// Pure: runs on whichever thread calls it (the I/O thread in the server); no uv.h, no napi.h.
#include "util/utf8.h"

#include <cstring>

namespace httpuv {
namespace util {

bool Utf8Validator::Feed(const uint8_t* p, size_t n) {
  if (failed_) return false;
  const uint8_t* end = p + n;
  while (p < end) {
    if (need_ == 0) {
      // Fast path: skip 8 ASCII bytes at a time.
      while (end - p >= 8) {
        uint64_t w;
        std::memcpy(&w, p, 8);
        if ((w & 0x8080808080808080ull) != 0) break;
        p += 8;
      }
      if (p == end) break;
      uint8_t b = *p++;
      if (b < 0x80) continue;
      lo_ = 0x80;
      hi_ = 0xBF;
      if (b >= 0xC2 && b <= 0xDF) {
        need_ = 1;
      } else if (b >= 0xE0 && b <= 0xEF) {
        need_ = 2;
        if (b == 0xE0) lo_ = 0xA0;  // below: overlong 3-byte forms
        if (b == 0xED) hi_ = 0x9F;  // above: UTF-16 surrogates
      } else if (b >= 0xF0 && b <= 0xF4) {
        need_ = 3;
        if (b == 0xF0) lo_ = 0x90;  // below: overlong 4-byte forms
        if (b == 0xF4) hi_ = 0x8F;  // above: beyond U+10FFFF
      } else {
        // 0x80–0xC1 (lone continuation, overlong 2-byte lead) and 0xF5–0xFF.
        failed_ = true;
        return false;
      }
    } else {
      uint8_t b = *p++;
      if (b < lo_ || b > hi_) {
        failed_ = true;
        return false;
      }
      lo_ = 0x80;
      hi_ = 0xBF;
      --need_;
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
