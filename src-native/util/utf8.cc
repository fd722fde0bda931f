// UTF-8 validation: ASCII runs are skipped 16-32 bytes at a time (util/byte_kernels), each
// multi-byte character is checked whole when it lies inside the chunk, and a character split
// across chunks goes through the byte-at-a-time state machine (the well-formed byte sequences
// table of Unicode §3.9, Table 3-7), which also gives the fail-fast position.
// Pure: runs on whichever thread calls it (the I/O thread in the server); no uv.h, no napi.h.
#include "util/utf8.h"

#include <cstring>

#include "util/byte_kernels.h"

namespace httpuv {
namespace util {

namespace {

inline bool IsCont(uint8_t b) { return (b & 0xC0) == 0x80; }

inline bool EightAscii(const uint8_t* p) {
  uint64_t w;
  std::memcpy(&w, p, 8);
  return (w & 0x8080808080808080ull) == 0;
}

}  // namespace

bool Utf8Validator::Feed(const uint8_t* p, size_t n) {
  if (failed_) return false;
  const uint8_t* end = p + n;
  for (;;) {
    // Finish a character left open by the previous chunk (or by the end of this one, below),
    // byte by byte.
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
    if (p >= end) return true;
    // Whole characters. A long ASCII run goes to the vector scan; the short runs between the
    // letters of other scripts are stepped over here, without a call per run.
    while (p < end) {
      uint8_t b = *p;
      if (b < 0x80) {
        if (end - p >= 8 && EightAscii(p)) {
          p += AsciiPrefix(p, static_cast<size_t>(end - p));
        } else {
          ++p;
        }
        continue;
      }
      const size_t left = static_cast<size_t>(end - p);
      uint8_t lo = 0x80, hi = 0xBF;
      int k;
      if ((b & 0xE0) == 0xC0) {  // C2–DF: 2 bytes (C0, C1: overlong)
        if (b < 0xC2) break;
        k = 1;
      } else if ((b & 0xF0) == 0xE0) {  // E0–EF: 3 bytes
        if (b == 0xE0) lo = 0xA0;       // below: overlong 3-byte forms
        if (b == 0xED) hi = 0x9F;       // above: UTF-16 surrogates
        k = 2;
      } else if (b >= 0xF0 && b <= 0xF4) {  // 4 bytes
        if (b == 0xF0) lo = 0x90;           // below: overlong 4-byte forms
        if (b == 0xF4) hi = 0x8F;           // above: beyond U+10FFFF
        k = 3;
      } else {
        break;  // 80–BF (lone continuation) and F5–FF
      }
      if (left <= static_cast<size_t>(k)) {
        // The character continues in the next chunk: carry the rest (checked above).
        ++p;
        need_ = k;
        lo_ = lo;
        hi_ = hi;
        break;
      }
      if (p[1] < lo || p[1] > hi) break;
      if (k >= 2 && !IsCont(p[2])) break;
      if (k == 3 && !IsCont(p[3])) break;
      p += k + 1;
    }
    if (need_ == 0) {
      if (p >= end) return true;
      failed_ = true;  // the loop above stopped on a byte no valid UTF-8 continues with
      return false;
    }
  }
}

bool IsValidUtf8(const uint8_t* p, size_t n) {
  Utf8Validator v;
  return v.Feed(p, n) && v.Complete();
}

}  // namespace util
}  // namespace httpuv
