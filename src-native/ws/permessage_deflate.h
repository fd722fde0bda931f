// permessage-deflate (RFC 7692) for one WebSocket connection, on the runtime's zlib (standard
// API only): raw deflate, the 00 00 FF FF tail stripped after compressing and restored before
// inflating (§7.2.1, §7.2.2; not after a message that ended its stream with a BFINAL block,
// §7.2.3.4, whose next bytes start a new stream that keeps the window), context takeover and
// window bits as negotiated, and an inflate output limit so a compression bomb stops at the
// message limit without being allocated.
// Pure: runs on whichever thread calls it (the I/O thread in the server); no uv.h, no napi.h.
//
// Memory per connection (zlib's own allocations, counted exactly by MemoryInUse()):
//   compressor   = 2^(w+2) + 2^(m+9) + ~6 KiB, w = our window bits (9–15), m = memLevel, and we
//                  pick m = clamp(w-7, 1, 8): 262 KiB at w=15 (m=8), 38 KiB at w=12, 10 KiB at w=9.
//   decompressor = 2^w' + ~7 KiB, w' = the client's window bits: 39 KiB at 15.
// Each stream is created on first use. When a direction has no context takeover its stream is
// freed after every message (so an idle connection holds nothing for it); with takeover it lives
// as long as the connection. zlib refuses windowBits 8 for raw deflate (>= 1.2.9), so a
// negotiated server_max_window_bits of 8 would be run with 9 — the handshake therefore declines
// offers that demand 8 (see handshake.h); the decompressor likewise uses at least 9 (a bigger
// inflate window always decodes a smaller-window stream).
#ifndef NODE_HTTPUV_WS_PERMESSAGE_DEFLATE_H_
#define NODE_HTTPUV_WS_PERMESSAGE_DEFLATE_H_

#include <zlib/zlib.h>  // deps/zlib, vendored (deps/zlib.gyp)

#include <cstddef>
#include <cstdint>
#include <string>

#include "ws/handshake.h"

namespace httpuv {
namespace ws {

class PerMessageDeflate {
 public:
  enum class InflateResult {
    kOk,      // output appended; more may follow
    kTooBig,  // the output would pass `limit` (close 1009); at most limit+1 bytes were produced
    kError,   // corrupt deflate data (close 1007, as ws does)
  };

  explicit PerMessageDeflate(const DeflateParams& params);
  ~PerMessageDeflate();
  PerMessageDeflate(const PerMessageDeflate&) = delete;
  PerMessageDeflate& operator=(const PerMessageDeflate&) = delete;

  // ---- sending (server → client) ----
  // Compresses one whole message into *out (replaced), tail stripped; send it with RSV1 set.
  // False on a zlib failure (out of memory): send the message uncompressed instead.
  bool Compress(const uint8_t* data, size_t len, std::string* out);
  bool Compress(const std::string& in, std::string* out) {
    return Compress(reinterpret_cast<const uint8_t*>(in.data()), in.size(), out);
  }

  // ---- receiving (client → server), streaming: what the frame parser uses ----
  // 1. InflateChunk() for each piece of (unmasked) compressed payload of one message, in order;
  //    it appends the inflated bytes to *out and fails with kTooBig once out->size() > limit.
  // 2. InflateFinish() once after the final frame: feeds the 00 00 FF FF tail, appends the rest.
  // After kTooBig or kError the message is lost; the connection is expected to close.
  InflateResult InflateChunk(const uint8_t* data, size_t len, uint64_t limit, std::string* out);
  InflateResult InflateFinish(uint64_t limit, std::string* out);

  // Whole-message convenience: *out (replaced) = inflate(in + tail), bounded by `limit`.
  InflateResult Decompress(const std::string& in, uint64_t limit, std::string* out);

  // Bytes zlib currently holds for this connection (both directions).
  size_t MemoryInUse() const { return deflate_bytes_ + inflate_bytes_; }
  const DeflateParams& params() const { return params_; }
  // Window bits and memLevel actually handed to zlib.
  int deflate_window_bits() const;
  int deflate_mem_level() const;
  int inflate_window_bits() const;

 private:
  bool EnsureDeflate();
  bool EnsureInflate();
  void EndDeflate();
  void EndInflate();
  // `tail`: the bytes are our appended 00 00 FF FF, not the peer's (see InflateFinish).
  InflateResult Inflate(const uint8_t* data, size_t len, uint64_t limit, std::string* out,
                        bool tail);
  // After a BFINAL block: a fresh stream whose dictionary is the old stream's window.
  bool RestartInflateKeepingWindow();

  DeflateParams params_;
  z_stream deflate_{};
  z_stream inflate_{};
  bool deflate_ready_ = false;
  bool inflate_ready_ = false;
  size_t deflate_bytes_ = 0;  // zlib allocations, counted by our zalloc/zfree
  size_t inflate_bytes_ = 0;
  // The peer's deflate stream ended with a BFINAL block and nothing of it followed yet: the
  // next bytes of the peer start a new stream (with the window carried over); our tail after
  // it is not fed (RFC 7692 §7.2.3.4: it would begin a stored block that never ends).
  bool stream_ended_ = false;
};

}  // namespace ws
}  // namespace httpuv

#endif  // NODE_HTTPUV_WS_PERMESSAGE_DEFLATE_H_
