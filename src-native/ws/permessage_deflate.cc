// permessage-deflate (see permessage_deflate.h). Runs on the I/O thread.
#include "ws/permessage_deflate.h"

namespace httpuv {
namespace ws {

namespace {
constexpr size_t kChunk = 16 * 1024;
}  // namespace

PerMessageDeflate::PerMessageDeflate(const DeflateParams& params) : params_(params) {}

PerMessageDeflate::~PerMessageDeflate() {
  if (deflate_ready_) deflateEnd(&deflate_);
  if (inflate_ready_) inflateEnd(&inflate_);
}

bool PerMessageDeflate::Compress(const std::string& in, std::string* out) {
  if (!deflate_ready_) {
    int bits = params_.server_max_window_bits < 9 ? 9 : params_.server_max_window_bits;
    if (deflateInit2(&deflate_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -bits, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK) {
      return false;
    }
    deflate_ready_ = true;
  }
  out->clear();
  deflate_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  deflate_.avail_in = static_cast<uInt>(in.size());
  int rc;
  do {
    size_t used = out->size();
    out->resize(used + kChunk + in.size() / 2);
    deflate_.next_out = reinterpret_cast<Bytef*>(&(*out)[used]);
    deflate_.avail_out = static_cast<uInt>(out->size() - used);
    rc = deflate(&deflate_, Z_SYNC_FLUSH);
    out->resize(out->size() - deflate_.avail_out);
    if (rc != Z_OK && rc != Z_BUF_ERROR) return false;
  } while (deflate_.avail_in > 0 || deflate_.avail_out == 0);
  // Z_SYNC_FLUSH ends with 00 00 FF FF, which the sender removes (RFC 7692 §7.2.1).
  if (out->size() >= 4 && out->compare(out->size() - 4, 4, std::string("\x00\x00\xff\xff", 4)) == 0) {
    out->resize(out->size() - 4);
  }
  if (out->empty()) out->push_back('\0');  // an empty message compresses to one 0x00 block
  if (params_.server_no_context_takeover) deflateReset(&deflate_);
  return true;
}

PerMessageDeflate::InflateResult PerMessageDeflate::Decompress(const std::string& in,
                                                               uint64_t limit, std::string* out) {
  if (!inflate_ready_) {
    // Always a 15-bit window: it decodes any client window size (8–15).
    if (inflateInit2(&inflate_, -15) != Z_OK) return InflateResult::kError;
    inflate_ready_ = true;
  }
  out->clear();
  static const char kTail[4] = {0x00, 0x00, static_cast<char>(0xff), static_cast<char>(0xff)};
  for (int part = 0; part < 2; part++) {
    const char* data = part == 0 ? in.data() : kTail;
    size_t len = part == 0 ? in.size() : 4;
    inflate_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
    inflate_.avail_in = static_cast<uInt>(len);
    bool out_full = false;
    while (inflate_.avail_in > 0 || out_full) {
      size_t used = out->size();
      size_t room = kChunk;
      if (used + room > limit + 1) room = static_cast<size_t>(limit + 1 - used);
      if (room == 0) return InflateResult::kTooBig;
      out->resize(used + room);
      inflate_.next_out = reinterpret_cast<Bytef*>(&(*out)[used]);
      inflate_.avail_out = static_cast<uInt>(room);
      int rc = inflate(&inflate_, Z_SYNC_FLUSH);
      out_full = inflate_.avail_out == 0;
      out->resize(out->size() - inflate_.avail_out);
      if (out->size() > limit) return InflateResult::kTooBig;
      if (rc == Z_STREAM_END) {
        // A final block (BFINAL) from the peer: the stream must restart for the next message.
        inflateReset(&inflate_);
        break;
      }
      if (rc == Z_BUF_ERROR && !out_full) break;  // needs more input: done
      if (rc != Z_OK && rc != Z_BUF_ERROR) return InflateResult::kError;
    }
  }
  if (params_.client_no_context_takeover) inflateReset(&inflate_);
  return InflateResult::kOk;
}

}  // namespace ws
}  // namespace httpuv
