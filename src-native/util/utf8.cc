// UTF-8 validation: ASCII runs are skipped 16-32 bytes at a time (util/byte_kernels), each
// multi-byte character is checked whole when it lies inside the chunk, and a character split
// across chunks goes through the byte-at-a-time state machine (the well-formed byte sequences
// table of Unicode §3.9, Table 3-7), which also gives the fail-fast position.
// Pure: runs on whichever thread calls it (the I/O thread in the server); no uv.h, no napi.h.
#include "util/utf8.h"

#include "util/byte_kernels.h"

namespace httpuv {
namespace util {

namespace {

// Continuation byte range after lead byte `b` (Table 3-7): the second byte's bounds exclude
// overlongs (E0, F0), surrogates (ED) and code points above U+10FFFF (F4). Returns the number
// of continuation bytes, or -1 when `b` cannot start a character.
inline int LeadInfo(uint8_t b, uint8_t* lo, uint8_t* hi) {
  *lo = 0x80;
  *hi = 0xBF;
  if (b >= 0xC2 && b <= 0xDF) return 1;
  if (b >= 0xE0 && b <= 0xEF) {
    if (b == 0xE0) *lo = 0xA0;
    if (b == 0xED) *hi = 0x9F;
    return 2;
  }
  if (b >= 0xF0 && b <= 0xF4) {
    if (b == 0xF0) *lo = 0x90;
    if (b == 0xF4) *hi = 0x8F;
    return 3;
  }
  return -1;  // 0x80–0xC1 (lone continuation, overlong 2-byte lead) and 0xF5–0xFF
}

inline bool IsCont(uint8_t b) { return (b & 0xC0) == 0x80; }

}  // namespace

bool Utf8Validator::Feed(const uint8_t* p, size_t n) {
  if (failed_) return false;
  const uint8_t* end = p + n;
  // Finish a character left open by the previous chunk, byte by byte.
  while (need_ > 0 && p < end) {
    uint8_t b = *p++;
    if (b < lo_ || b > hi_) {
      failed_ = true;
      return false;
    }
    lo_ = 0x80;
    hi_ = 0xBF;
    --need_;
  }
  while (p < end) {
    if (*p < 0x80) {
      p += AsciiPrefix(p, static_cast<size_t>(end - p));
      continue;
    }
    uint8_t lo, hi;
    int k = LeadInfo(*p, &lo, &hi);
    if (k < 0) {
      failed_ = true;
      return false;
    }
    if (end - p > k) {
      // The whole character is in this chunk: check it at once.
      uint8_t b1 = p[1];
      if (b1 < lo || b1 > hi) {
        failed_ = true;
        return false;
      }
      if (k >= 2 && !IsCont(p[2])) {
        failed_ = true;
        return false;
      }
      if (k == 3 && !IsCont(p[3])) {
        failed_ = true;
        return false;
      }
      p += k + 1;
      continue;
    }
    // The character continues in the next chunk: check what is here, carry the rest.
    ++p;
    need_ = k;
    lo_ = lo;
    hi_ = hi;
    while (p < end) {
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
