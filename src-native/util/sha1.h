// SHA-1 (FIPS 180-4), only for the WebSocket accept key. Pure: runs on whichever thread calls it.
#ifndef NODE_HTTPUV_UTIL_SHA1_H_
#define NODE_HTTPUV_UTIL_SHA1_H_

#include <array>
#include <cstdint>
#include <string>

namespace httpuv {
namespace util {

std::array<uint8_t, 20> Sha1(const std::string& data);

}  // namespace util
}  // namespace httpuv

#endif  // NODE_HTTPUV_UTIL_SHA1_H_
