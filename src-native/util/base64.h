// Base64 (RFC 4648, standard alphabet, padded): encode, and a strict decoded-length check used
// to validate Sec-WebSocket-Key. Pure: runs on whichever thread calls it.
#ifndef NODE_HTTPUV_UTIL_BASE64_H_
#define NODE_HTTPUV_UTIL_BASE64_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace httpuv {
namespace util {

std::string Base64Encode(const uint8_t* data, size_t len);
// Number of bytes `s` decodes to when it is canonical padded base64, or -1.
long Base64DecodedLength(const std::string& s);

}  // namespace util
}  // namespace httpuv

#endif  // NODE_HTTPUV_UTIL_BASE64_H_
