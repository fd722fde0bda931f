// permessage-deflate (RFC 7692) for one connection, with the runtime's zlib: raw deflate with
// the 00 00 FF FF tail removed on compress and restored on inflate, context takeover as
// negotiated, and an inflate output limit so a small frame cannot become an unbounded message.
// Memory per connection: a compressor (windowBits 9–15, memLevel 8: at most ~256 KiB) created on
// the first compressed send, and a decompressor (~44 KiB at windowBits 15) created on the first
// compressed message received. Pure (zlib only): runs on the I/O thread.
#ifndef NODE_HTTPUV_WS_PERMESSAGE_DEFLATE_H_
#define NODE_HTTPUV_WS_PERMESSAGE_DEFLATE_H_

#include <zlib.h>

#include <cstdint>
#include <string>

#include "ws/handshake.h"

namespace httpuv {
namespace ws {

class PerMessageDeflate {
 public:
  enum class InflateResult { kOk, kTooBig, kError };

  explicit PerMessageDeflate(const DeflateParams& params);
  ~PerMessageDeflate();
  PerMessageDeflate(const PerMessageDeflate&) = delete;
  PerMessageDeflate& operator=(const PerMessageDeflate&) = delete;

  // Compresses one whole message. False on a zlib error (send it uncompressed then).
  bool Compress(const std::string& in, std::string* out);
  // Inflates one whole message (all its fragments' payloads, concatenated); stops with kTooBig
  // as soon as the output would pass `limit` bytes.
  InflateResult Decompress(const std::string& in, uint64_t limit, std::string* out);

 private:
  DeflateParams params_;
  z_stream deflate_{};
  z_stream inflate_{};
  bool deflate_ready_ = false;
  bool inflate_ready_ = false;
};

}  // namespace ws
}  // namespace httpuv

#endif  // NODE_HTTPUV_WS_PERMESSAGE_DEFLATE_H_
