// Per-byte kernels of the WebSocket data path, at memory speed: unmasking (RFC 6455 §5.3) fused
// with the copy out of the read buffer and with an ASCII check, and the length of an ASCII run
// (the UTF-8 validator's and the string builder's fast path). 16 bytes at a time with SSE2
// (every x86-64) or NEON (every arm64), 8 bytes at a time elsewhere; the result never depends on
// which path ran (test/native/cpp/ws_pure_kernels_test.cc and fuzz/targets/byte_kernels.cc
// compare each with a byte-at-a-time reference).
// Pure: runs on whichever thread calls it; no uv.h, no napi.h.
#ifndef NODE_HTTPUV_UTIL_BYTE_KERNELS_H_
#define NODE_HTTPUV_UTIL_BYTE_KERNELS_H_

#include <cstddef>
#include <cstdint>

namespace httpuv {
namespace util {

// dst[i] = src[i] ^ mask[(offset + i) & 3] for i in [0, n): `offset` is the position of src[0]
// in the frame's payload, so a payload split across reads unmasks piece by piece. dst may equal
// src (in place) but must not otherwise overlap it. Returns true when every unmasked byte is
// ASCII (< 0x80); true for n == 0.
bool UnmaskCopy(uint8_t* dst, const uint8_t* src, size_t n, const uint8_t mask[4], uint64_t offset);

// Length of the longest prefix of [p, p+n) made of ASCII bytes (n when all are).
size_t AsciiPrefix(const uint8_t* p, size_t n);

inline bool IsAscii(const uint8_t* p, size_t n) { return AsciiPrefix(p, n) == n; }

// Which implementation this build uses: "sse2", "neon" or "scalar" (tests print it).
const char* ByteKernelsImpl();

}  // namespace util
}  // namespace httpuv

#endif  // NODE_HTTPUV_UTIL_BYTE_KERNELS_H_
