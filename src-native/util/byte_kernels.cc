// See byte_kernels.h. The SIMD paths are chosen at compile time from what the target always has
// (SSE2 is part of x86-64, NEON of AArch64), so no CPU detection is needed and every other target
// (32-bit ARM, RISC-V, s390x...) compiles the portable 8-byte path.
// Pure: runs on whichever thread calls it; no uv.h, no napi.h.
#include "util/byte_kernels.h"

#include <cstring>

// HTTPUV_KERNELS_FORCE_SCALAR (tests only) compiles the portable path on any target.
#if defined(HTTPUV_KERNELS_FORCE_SCALAR)
#elif defined(__SSE2__) || defined(_M_X64) || (defined(_M_IX86_FP) && _M_IX86_FP >= 2)
#define HTTPUV_KERNELS_SSE2 1
#include <emmintrin.h>
#elif defined(__aarch64__) || defined(_M_ARM64)
#define HTTPUV_KERNELS_NEON 1
#include <arm_neon.h>
#endif

namespace httpuv {
namespace util {

namespace {

constexpr uint64_t kHigh = 0x8080808080808080ull;

uint64_t Load64(const uint8_t* p) {
  uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}

void Store64(uint8_t* p, uint64_t w) { std::memcpy(p, &w, 8); }

// Index of the first byte with its high bit set in a word known to have one. The word's bytes are
// read back in memory order, so the answer does not depend on the target's endianness.
size_t FirstHigh(uint64_t w) {
  const unsigned char* b = reinterpret_cast<const unsigned char*>(&w);
  size_t i = 0;
  while ((b[i] & 0x80) == 0) ++i;
  return i;
}

}  // namespace

bool UnmaskCopy(uint8_t* dst, const uint8_t* src, size_t n, const uint8_t mask[4], uint64_t offset) {
  // The mask rotated so that byte j of any 4-, 8- or 16-byte block starting at a multiple of 4
  // bytes from src uses mask[(offset + j) & 3].
  uint8_t m[16];
  for (int j = 0; j < 16; ++j) m[j] = mask[(offset + j) & 3];
  size_t i = 0;
#if defined(HTTPUV_KERNELS_SSE2)
  const __m128i mv = _mm_loadu_si128(reinterpret_cast<const __m128i*>(m));
  __m128i acc = _mm_setzero_si128();
  for (; i + 32 <= n; i += 32) {
    __m128i a = _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i)), mv);
    __m128i b = _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i + 16)), mv);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i), a);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i + 16), b);
    acc = _mm_or_si128(acc, _mm_or_si128(a, b));
  }
  for (; i + 16 <= n; i += 16) {
    __m128i a = _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i)), mv);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i), a);
    acc = _mm_or_si128(acc, a);
  }
  bool ascii = _mm_movemask_epi8(acc) == 0;
#elif defined(HTTPUV_KERNELS_NEON)
  const uint8x16_t mv = vld1q_u8(m);
  uint8x16_t acc = vdupq_n_u8(0);
  for (; i + 32 <= n; i += 32) {
    uint8x16_t a = veorq_u8(vld1q_u8(src + i), mv);
    uint8x16_t b = veorq_u8(vld1q_u8(src + i + 16), mv);
    vst1q_u8(dst + i, a);
    vst1q_u8(dst + i + 16, b);
    acc = vorrq_u8(acc, vorrq_u8(a, b));
  }
  for (; i + 16 <= n; i += 16) {
    uint8x16_t a = veorq_u8(vld1q_u8(src + i), mv);
    vst1q_u8(dst + i, a);
    acc = vorrq_u8(acc, a);
  }
  bool ascii = vmaxvq_u8(acc) < 0x80;
#else
  bool ascii = true;
#endif
  uint64_t m64 = Load64(m);
  uint64_t high = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w = Load64(src + i) ^ m64;
    Store64(dst + i, w);
    high |= w;
  }
  for (; i < n; ++i) {
    uint8_t b = static_cast<uint8_t>(src[i] ^ m[i & 7]);
    dst[i] = b;
    high |= b;
  }
  return ascii && (high & kHigh) == 0;
}

size_t AsciiPrefix(const uint8_t* p, size_t n) {
  size_t i = 0;
#if defined(HTTPUV_KERNELS_SSE2)
  for (; i + 32 <= n; i += 32) {
    __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i + 16));
    if (_mm_movemask_epi8(_mm_or_si128(a, b)) != 0) break;
  }
  for (; i + 16 <= n; i += 16) {
    int bits = _mm_movemask_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i)));
    if (bits != 0) {
      size_t k = 0;
      while ((bits & 1) == 0) {
        bits >>= 1;
        ++k;
      }
      return i + k;
    }
  }
#elif defined(HTTPUV_KERNELS_NEON)
  for (; i + 32 <= n; i += 32) {
    if (vmaxvq_u8(vorrq_u8(vld1q_u8(p + i), vld1q_u8(p + i + 16))) >= 0x80) break;
  }
#endif
  for (; i + 8 <= n; i += 8) {
    uint64_t w = Load64(p + i) & kHigh;
    if (w != 0) return i + FirstHigh(w);
  }
  for (; i < n; ++i) {
    if (p[i] >= 0x80) return i;
  }
  return n;
}

const char* ByteKernelsImpl() {
#if defined(HTTPUV_KERNELS_SSE2)
  return "sse2";
#elif defined(HTTPUV_KERNELS_NEON)
  return "neon";
#else
  return "scalar";
#endif
}

}  // namespace util
}  // namespace httpuv
