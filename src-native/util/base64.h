// Base64 (RFC 4648 §4: standard alphabet, '=' padding): encoding, and a strict decoder that
// accepts only canonical padded input (no whitespace, no missing padding, zero unused bits).
// Pure: runs on whichever thread calls it (the I/O thread in the server); no uv.h, no napi.h.
#ifndef NODE_HTTPUV_UTIL_BASE64_H_
#define NODE_HTTPUV_UTIL_BASE64_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace httpuv {
namespace util {

std::string Base64Encode(const uint8_t* data, size_t len);
inline std::string Base64Encode(const std::string& data) {
  return Base64Encode(reinterpret_cast<const uint8_t*>(data.data()), data.size());
}

// Decodes canonical padded base64 into *out (replaced). False, with *out cleared, on any other
// input: a length that is not a multiple of 4, a character outside the alphabet, misplaced or
// missing '=', or non-zero bits in the last character before the padding.
bool Base64Decode(const std::string& in, std::string* out);

// Number of bytes `s` decodes to when it is canonical padded base64, or -1.
long Base64DecodedLength(const std::string& s);

}  // namespace util
}  // namespace httpuv

#endif  // NODE_HTTPUV_UTIL_BASE64_H_
