// A byte-at-a-time UTF-8 reference (Unicode §3.9, Table 3-7), written independently of
// src-native/util/utf8 so that the harnesses check the fast validator against something other
// than itself. Header-only; pure.
#ifndef NODE_HTTPUV_FUZZ_UTF8_REFERENCE_H_
#define NODE_HTTPUV_FUZZ_UTF8_REFERENCE_H_

#include <cstddef>
#include <cstdint>

namespace fuzzref {

// Index of the first byte no valid UTF-8 can continue with; n when [p, p+n) is valid but ends
// inside a character; -1 when it is complete and valid.
inline long Utf8FailIndex(const uint8_t* p, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint8_t b = p[i];
    if (b < 0x80) {
      ++i;
      continue;
    }
    int need;
    uint8_t lo = 0x80, hi = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) {
      need = 1;
    } else if (b >= 0xE0 && b <= 0xEF) {
      need = 2;
      lo = b == 0xE0 ? 0xA0 : 0x80;
      hi = b == 0xED ? 0x9F : 0xBF;
    } else if (b >= 0xF0 && b <= 0xF4) {
      need = 3;
      lo = b == 0xF0 ? 0x90 : 0x80;
      hi = b == 0xF4 ? 0x8F : 0xBF;
    } else {
      return static_cast<long>(i);
    }
    for (int k = 1; k <= need; ++k) {
      if (i + k >= n) return static_cast<long>(n);
      uint8_t c = p[i + k];
      if (c < lo || c > hi) return static_cast<long>(i + k);
      lo = 0x80;
      hi = 0xBF;
    }
    i += need + 1;
  }
  return -1;
}

inline bool Utf8Valid(const uint8_t* p, size_t n) { return Utf8FailIndex(p, n) == -1; }

inline bool AllAscii(const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (p[i] >= 0x80) return false;
  }
  return true;
}

}  // namespace fuzzref

#endif  // NODE_HTTPUV_FUZZ_UTF8_REFERENCE_H_
