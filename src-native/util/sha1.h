// SHA-1 (FIPS 180-4), used only to compute Sec-WebSocket-Accept (RFC 6455 §4.2.2); not for any
// security purpose. Own implementation, no OpenSSL.
// Pure: runs on whichever thread calls it (the I/O thread in the server); no uv.h, no napi.h.
#ifndef NODE_HTTPUV_UTIL_SHA1_H_
#define NODE_HTTPUV_UTIL_SHA1_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace httpuv {
namespace util {

using Sha1Digest = std::array<uint8_t, 20>;

// Streaming hasher: Update() any number of times, then Final() once (the object is spent).
class Sha1 {
 public:
  Sha1();
  void Update(const uint8_t* data, size_t len);
  void Update(const std::string& data) {
    Update(reinterpret_cast<const uint8_t*>(data.data()), data.size());
  }
  Sha1Digest Final();

 private:
  void Block(const uint8_t* block);

  uint32_t h_[5];
  uint64_t total_bytes_ = 0;
  uint8_t buffer_[64];
  size_t buffered_ = 0;
};

// One-shot helpers.
Sha1Digest Sha1Of(const uint8_t* data, size_t len);
Sha1Digest Sha1Of(const std::string& data);

}  // namespace util
}  // namespace httpuv

#endif  // NODE_HTTPUV_UTIL_SHA1_H_
