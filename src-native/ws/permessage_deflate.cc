// permessage-deflate streams (RFC 7692 §7.2) on the standard zlib API, with counting allocators.
// Pure: runs on whichever thread calls it (the I/O thread in the server); no uv.h, no napi.h.
#include "ws/permessage_deflate.h"

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <vector>

namespace httpuv {
namespace ws {

namespace {

constexpr uint8_t kTail[4] = {0x00, 0x00, 0xFF, 0xFF};  // RFC 7692 §7.2.1 step 2
constexpr size_t kInflateStep = 16 * 1024;

// zlib allocator that records its bytes in the size_t `opaque` points to.
struct alignas(std::max_align_t) AllocHeader {
  size_t size;
};

voidpf CountingAlloc(voidpf opaque, uInt items, uInt size) {
  size_t n = static_cast<size_t>(items) * size;
  void* raw = std::malloc(sizeof(AllocHeader) + n);
  if (raw == nullptr) return Z_NULL;
  static_cast<AllocHeader*>(raw)->size = n;
  *static_cast<size_t*>(opaque) += n;
  return static_cast<AllocHeader*>(raw) + 1;
}

void CountingFree(voidpf opaque, voidpf address) {
  if (address == Z_NULL) return;
  AllocHeader* h = static_cast<AllocHeader*>(address) - 1;
  *static_cast<size_t*>(opaque) -= h->size;
  std::free(h);
}

// Grows out to `size` bytes, doubling capacity but never past `cap` (limit + 1), so a bomb
// never makes us allocate more than the limit allows. std::string's own growth doubles from the
// old capacity even when asked for less, so the last step moves into an exact-size buffer.
void GrowTo(std::string* out, size_t size, size_t cap) {
  size_t old_cap = out->capacity();
  if (size > old_cap) {
    size_t want = std::max(size, std::min(old_cap * 2, cap));
    if (want >= old_cap * 2) {
      out->reserve(want);
    } else {
      std::string bigger;
      bigger.reserve(want);
      bigger.assign(*out);
      out->swap(bigger);
    }
  }
  out->resize(size);
}

}  // namespace

PerMessageDeflate::PerMessageDeflate(const DeflateParams& params) : params_(params) {}

PerMessageDeflate::~PerMessageDeflate() {
  EndDeflate();
  EndInflate();
}

int PerMessageDeflate::deflate_window_bits() const {
  return std::clamp(params_.server_max_window_bits, 9, 15);
}

int PerMessageDeflate::deflate_mem_level() const {
  return std::clamp(deflate_window_bits() - 7, 1, 8);
}

int PerMessageDeflate::inflate_window_bits() const {
  return std::clamp(params_.client_max_window_bits, 9, 15);
}

bool PerMessageDeflate::EnsureDeflate() {
  if (deflate_ready_) return true;
  deflate_ = z_stream{};
  deflate_.zalloc = CountingAlloc;
  deflate_.zfree = CountingFree;
  deflate_.opaque = &deflate_bytes_;
  // Negative windowBits = raw deflate, no zlib header or trailer (RFC 7692 §7.2.1).
  if (deflateInit2(&deflate_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -deflate_window_bits(),
                   deflate_mem_level(), Z_DEFAULT_STRATEGY) != Z_OK) {
    return false;
  }
  deflate_ready_ = true;
  return true;
}

bool PerMessageDeflate::EnsureInflate() {
  if (inflate_ready_) return true;
  inflate_ = z_stream{};
  inflate_.zalloc = CountingAlloc;
  inflate_.zfree = CountingFree;
  inflate_.opaque = &inflate_bytes_;
  if (inflateInit2(&inflate_, -inflate_window_bits()) != Z_OK) return false;
  inflate_ready_ = true;
  return true;
}

void PerMessageDeflate::EndDeflate() {
  if (!deflate_ready_) return;
  deflateEnd(&deflate_);
  deflate_ready_ = false;
}

void PerMessageDeflate::EndInflate() {
  stream_ended_ = false;
  if (!inflate_ready_) return;
  inflateEnd(&inflate_);
  inflate_ready_ = false;
}

bool PerMessageDeflate::Compress(const uint8_t* data, size_t len, std::string* out) {
  out->clear();
  if (len == 0) {
    // An empty message is one empty stored block with its tail removed: a single 0x00 byte
    // (RFC 7692 §7.2.3.6). zlib would emit nothing here once a previous flush has aligned it.
    out->push_back('\0');
    return true;
  }
  if (!EnsureDeflate()) return false;
  deflate_.next_in = const_cast<Bytef*>(data);
  deflate_.avail_in = 0;
  size_t remaining = len;
  size_t step = deflateBound(&deflate_, static_cast<uLong>(std::min<size_t>(len, 1u << 30))) + 16;
  int rc = Z_OK;
  // Feed in <= 1 GiB slices (avail_in is 32-bit); Z_SYNC_FLUSH on the last one ends the
  // output on a byte boundary followed by the 00 00 FF FF tail.
  for (;;) {
    if (deflate_.avail_in == 0 && remaining != 0) {
      uInt slice = static_cast<uInt>(std::min<size_t>(remaining, 1u << 30));
      deflate_.avail_in = slice;
      remaining -= slice;
    }
    int flush = remaining == 0 ? Z_SYNC_FLUSH : Z_NO_FLUSH;
    size_t have = out->size();
    out->resize(have + step);
    deflate_.next_out = reinterpret_cast<Bytef*>(&(*out)[have]);
    deflate_.avail_out = static_cast<uInt>(step);
    rc = deflate(&deflate_, flush);
    out->resize(have + step - deflate_.avail_out);
    if (rc != Z_OK && rc != Z_BUF_ERROR) break;
    // Done when all input is in and the flush completed (zlib left output space unused).
    if (remaining == 0 && deflate_.avail_in == 0 && deflate_.avail_out != 0) break;
  }
  bool ok =
      (rc == Z_OK || rc == Z_BUF_ERROR) && out->size() >= 4 &&
      std::equal(kTail, kTail + 4, reinterpret_cast<const uint8_t*>(out->data()) + out->size() - 4);
  if (!ok) {
    EndDeflate();  // the stream state is unknown now: start over on the next message
    out->clear();
    return false;
  }
  out->resize(out->size() - 4);
  if (params_.server_no_context_takeover) EndDeflate();  // frees ~all of its memory
  return true;
}

bool PerMessageDeflate::RestartInflateKeepingWindow() {
  // The peer ended its deflate stream with a BFINAL block (RFC 7692 §7.2.3.4); what it sends
  // next starts a new stream, which (with context takeover, or later in the same message) may
  // still refer back into what came before. inflateReset would forget the window, so carry it
  // over: read it out, reset, and hand it back as the dictionary (raw inflate accepts one at any
  // time).
  std::vector<Bytef> window(size_t{1} << inflate_window_bits());
  uInt have = 0;
  if (inflateGetDictionary(&inflate_, window.data(), &have) != Z_OK) return false;
  if (inflateReset(&inflate_) != Z_OK) return false;
  return have == 0 || inflateSetDictionary(&inflate_, window.data(), have) == Z_OK;
}

PerMessageDeflate::InflateResult PerMessageDeflate::Inflate(const uint8_t* data, size_t len,
                                                            uint64_t limit, std::string* out,
                                                            bool tail) {
  if (!EnsureInflate()) return InflateResult::kError;
  if (out->size() > limit) return InflateResult::kTooBig;
  if (stream_ended_) {
    // The previous stream ended at a BFINAL block: these bytes begin the next one.
    if (tail) return InflateResult::kOk;  // nothing followed it: no empty block to complete
    if (!RestartInflateKeepingWindow()) return InflateResult::kError;
    stream_ended_ = false;
  }
  // The output may grow to limit + 1 bytes: one byte past the limit proves "too big".
  size_t cap = limit >= SIZE_MAX - 1 ? SIZE_MAX - 1 : static_cast<size_t>(limit) + 1;
  inflate_.next_in = const_cast<Bytef*>(data);
  inflate_.avail_in = 0;
  size_t remaining = len;
  for (;;) {
    if (inflate_.avail_in == 0 && remaining != 0) {
      uInt slice = static_cast<uInt>(std::min<size_t>(remaining, 1u << 30));
      inflate_.next_in = const_cast<Bytef*>(data + (len - remaining));
      inflate_.avail_in = slice;
      remaining -= slice;
    }
    size_t have = out->size();
    size_t step = std::min(kInflateStep, cap - have);
    GrowTo(out, have + step, cap);
    inflate_.next_out = reinterpret_cast<Bytef*>(&(*out)[have]);
    inflate_.avail_out = static_cast<uInt>(step);
    int rc = inflate(&inflate_, Z_SYNC_FLUSH);
    size_t produced = step - inflate_.avail_out;
    out->resize(have + produced);
    if (out->size() > limit) return InflateResult::kTooBig;
    if (rc == Z_STREAM_END) {
      // A BFINAL block ended the peer's stream (allowed, RFC 7692 §7.2.3.4); all its output is
      // in `out`. Our own tail never starts a new stream: the message ends here.
      stream_ended_ = true;
      if (tail || (inflate_.avail_in == 0 && remaining == 0)) break;
      // More of the peer's bytes: a new stream within the same message (e.g. the RFC's example,
      // whose BFINAL block is followed by 0x00 so that the tail completes an empty block).
      if (!RestartInflateKeepingWindow()) return InflateResult::kError;
      stream_ended_ = false;
      continue;
    }
    if (rc == Z_BUF_ERROR) {
      // No progress possible: fine when all input is consumed (zlib wants more), never else.
      if (inflate_.avail_in == 0 && remaining == 0) break;
      return InflateResult::kError;
    }
    if (rc != Z_OK) {
      return InflateResult::kError;  // Z_DATA_ERROR, Z_NEED_DICT, Z_MEM_ERROR, Z_STREAM_ERROR
    }
    if (inflate_.avail_in == 0 && remaining == 0 && inflate_.avail_out != 0) break;
  }
  return InflateResult::kOk;
}

PerMessageDeflate::InflateResult PerMessageDeflate::InflateChunk(const uint8_t* data, size_t len,
                                                                 uint64_t limit, std::string* out) {
  if (len == 0) return out->size() > limit ? InflateResult::kTooBig : InflateResult::kOk;
  return Inflate(data, len, limit, out, false);
}

PerMessageDeflate::InflateResult PerMessageDeflate::InflateFinish(uint64_t limit,
                                                                  std::string* out) {
  InflateResult r = Inflate(kTail, sizeof(kTail), limit, out, true);
  // Without context takeover the next message starts from an empty window: free the stream.
  // After an error the stream is unusable either way. (With takeover, a stream that ended at a
  // BFINAL block stays ended; the next message's first bytes restart it, keeping the window.)
  if (r != InflateResult::kOk || params_.client_no_context_takeover) EndInflate();
  return r;
}

PerMessageDeflate::InflateResult PerMessageDeflate::Decompress(const std::string& in,
                                                               uint64_t limit, std::string* out) {
  out->clear();
  InflateResult r =
      InflateChunk(reinterpret_cast<const uint8_t*>(in.data()), in.size(), limit, out);
  if (r == InflateResult::kOk) return InflateFinish(limit, out);
  EndInflate();
  return r;
}

}  // namespace ws
}  // namespace httpuv
