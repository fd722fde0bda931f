// libFuzzer harness for permessage-deflate inflate (src-native/ws/permessage_deflate.cc): corrupt
// streams, decompression bombs, BFINAL blocks, context takeover across messages. Built with
// ASan + UBSan by fuzz/build.sh; zlib only.
//
// Input: byte 0 = flags (bit 0 client_no_context_takeover, bit 1 server_no_context_takeover,
// bits 2-3 the output limit, bits 4-7 the compressor's window bits - 9), then messages, each
// a 2-byte big-endian length and that many bytes.
// Invariants (inflate never writes past maxMessage):
//  - kOk output is at most the limit; after kTooBig/kError the connection would close, so stop;
//  - round trip: each message, compressed by a server-side instance and inflated by a client-side
//    one with matching context rules, comes back byte-identical (when within the limit);
//  - the raw message bytes, inflated as if a client had sent them, never crash or overrun.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "fuzz_check.h"
#include "ws/permessage_deflate.h"

namespace {

using httpuv::ws::DeflateParams;
using httpuv::ws::PerMessageDeflate;
using Result = PerMessageDeflate::InflateResult;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t flags = data[0];
  static const uint64_t kLimits[] = {1, 100, 4096, 1 << 20};
  const uint64_t limit = kLimits[(flags >> 2) & 3];
  DeflateParams p;
  p.enabled = true;
  p.client_no_context_takeover = flags & 1;
  p.server_no_context_takeover = flags & 2;
  int bits = 9 + ((flags >> 4) % 7);
  p.server_max_window_bits = bits;
  p.client_max_window_bits = bits;

  PerMessageDeflate raw(p);  // inflates the fuzzer's bytes as a client's compressed messages
  PerMessageDeflate sender(p);
  DeflateParams rp = p;
  // The receiver of our own compressed messages resets exactly when the sender does.
  rp.client_no_context_takeover = p.server_no_context_takeover;
  PerMessageDeflate receiver(rp);
  bool raw_alive = true, trip_alive = true;

  size_t off = 1;
  int messages = 0;
  while (off + 2 <= size && messages < 64) {
    size_t n = static_cast<size_t>(data[off]) << 8 | data[off + 1];
    off += 2;
    if (n > size - off) n = size - off;
    std::string msg(reinterpret_cast<const char*>(data + off), n);
    off += n;
    messages++;

    if (raw_alive) {
      std::string out;
      Result r = raw.Decompress(msg, limit, &out);
      if (r == Result::kOk) {
        FUZZ_CHECK(out.size() <= limit, "inflated past the limit");
        for (char c : out) (void)static_cast<volatile char>(c);
      } else {
        raw_alive = false;  // the connection closes with 1009 / 1007
      }
    }
    if (trip_alive) {
      std::string packed, back;
      if (!sender.Compress(msg, &packed)) {
        trip_alive = false;
      } else {
        Result r = receiver.Decompress(packed, msg.size() + 1, &back);
        FUZZ_CHECK(r == Result::kOk, "our own compressed message does not inflate");
        FUZZ_CHECK(back == msg, "round trip changed the message");
      }
    }
  }
  return 0;
}
