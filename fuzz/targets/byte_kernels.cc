// libFuzzer harness for the WebSocket data path's byte kernels (src-native/util/byte_kernels.cc)
// and the UTF-8 validator's fast paths (src-native/util/utf8.cc), differential against the
// byte-at-a-time references of utf8_reference.h. Built with ASan + UBSan by fuzz/build.sh; pure.
//
// Input: bytes 0-3 = mask key, byte 4 = payload offset (0-255) and pointer misalignment,
// byte 5 = chunk size for the incremental runs (1-256), rest = the bytes.
// Invariants:
//  - UnmaskCopy equals a byte-wise XOR with mask[(offset + i) & 3], copies and in place, whole
//    and in chunks, writes nothing outside its output, and says ASCII exactly when no unmasked
//    byte is >= 0x80;
//  - AsciiPrefix equals the index of the first byte >= 0x80;
//  - the validator accepts exactly valid UTF-8, whole and in chunks, and fails on the same byte
//    as the reference (fed byte by byte after the chunk that failed).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "fuzz_check.h"
#include "utf8_reference.h"
#include "util/byte_kernels.h"
#include "util/utf8.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 6) return 0;
  const uint8_t mask[4] = {data[0], data[1], data[2], data[3]};
  const uint64_t offset = data[4];
  const size_t misalign = data[4] & 15;
  const size_t chunk = static_cast<size_t>(data[5]) + 1;
  data += 6;
  size -= 6;

  // Unmask into a guarded, misaligned buffer.
  std::vector<uint8_t> out(size + misalign + 32, 0xA5);
  uint8_t* dst = out.data() + misalign + 16;
  bool ascii = httpuv::util::UnmaskCopy(dst, data, size, mask, offset);
  std::vector<uint8_t> ref(size);
  for (size_t i = 0; i < size; ++i) ref[i] = data[i] ^ mask[(offset + i) & 3];
  FUZZ_CHECK(size == 0 || std::memcmp(dst, ref.data(), size) == 0, "unmasked bytes differ");
  for (size_t i = 0; i < misalign + 16; ++i) FUZZ_CHECK(out[i] == 0xA5, "wrote before dst");
  for (size_t i = misalign + 16 + size; i < out.size(); ++i) FUZZ_CHECK(out[i] == 0xA5, "wrote past dst");
  FUZZ_CHECK(ascii == fuzzref::AllAscii(ref.data(), size), "ASCII answer differs");

  // In chunks, in place.
  std::vector<uint8_t> inplace(data, data + size);
  bool all_ascii = true;
  for (size_t at = 0; at < size; at += chunk) {
    size_t n = size - at < chunk ? size - at : chunk;
    all_ascii = httpuv::util::UnmaskCopy(inplace.data() + at, inplace.data() + at, n, mask, offset + at) && all_ascii;
  }
  FUZZ_CHECK(inplace == ref, "chunked in-place unmask differs");
  FUZZ_CHECK(all_ascii == ascii, "chunked ASCII answer differs");

  // ASCII prefix of the raw bytes and of the unmasked ones.
  for (const std::vector<uint8_t>* v : {&inplace}) {
    size_t expect = 0;
    while (expect < v->size() && (*v)[expect] < 0x80) ++expect;
    FUZZ_CHECK(httpuv::util::AsciiPrefix(v->data(), v->size()) == expect, "ASCII prefix differs");
  }
  {
    size_t expect = 0;
    while (expect < size && data[expect] < 0x80) ++expect;
    FUZZ_CHECK(httpuv::util::AsciiPrefix(data, size) == expect, "ASCII prefix differs (raw)");
  }

  // UTF-8 of the raw bytes: whole, and in chunks with the failing byte located.
  for (const uint8_t* p : {data, static_cast<const uint8_t*>(ref.data())}) {
    long expect = fuzzref::Utf8FailIndex(p, size);
    FUZZ_CHECK(httpuv::util::IsValidUtf8(p, size) == (expect == -1), "whole-buffer answer differs");
    httpuv::util::Utf8Validator v;
    long got = -1;
    for (size_t at = 0; at < size; at += chunk) {
      size_t n = size - at < chunk ? size - at : chunk;
      if (!v.Feed(p + at, n)) {
        httpuv::util::Utf8Validator w;
        FUZZ_CHECK(at == 0 || w.Feed(p, at), "failed in an earlier chunk than reported");
        for (size_t k = 0; k < n && got < 0; ++k) {
          if (!w.Feed(p + at + k, 1)) got = static_cast<long>(at + k);
        }
        FUZZ_CHECK(got >= 0, "a chunk failed that byte-wise feeding accepts");
        break;
      }
    }
    if (got < 0 && !v.Complete()) got = static_cast<long>(size);
    if (got != expect) {
      fprintf(stderr, "UTF-8 fail index %ld, reference %ld (chunk %zu)\n", got, expect, chunk);
      abort();
    }
  }
  return 0;
}
