// Streamed response bodies: chunked coding, enforced length, gzip per chunk (see
// stream_encoder.h). Pure; runs on the I/O thread.
#include "http/stream_encoder.h"

#include <zlib.h>

#include <cstdio>

namespace httpuv {

void AppendChunk(std::string* out, const char* data, size_t n) {
  if (n == 0) return;
  char size[32];
  int len = std::snprintf(size, sizeof(size), "%zx\r\n", n);
  out->reserve(out->size() + static_cast<size_t>(len) + n + 2);
  out->append(size, static_cast<size_t>(len));
  out->append(data, n);
  out->append("\r\n", 2);
}

struct GzipStream::State {
  z_stream zs{};
};

GzipStream::GzipStream() : z_(new State) {
  // windowBits 15 + 16: a gzip wrapper; level 6 as the whole-body gzip (response_writer.cc).
  ok_ = deflateInit2(&z_->zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK;
}

GzipStream::~GzipStream() {
  if (ok_) deflateEnd(&z_->zs);
}

bool GzipStream::Run(const char* data, size_t n, int flush, std::string* out) {
  if (!ok_) return false;
  z_stream& zs = z_->zs;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
  zs.avail_in = static_cast<uInt>(n);
  for (;;) {
    size_t at = out->size();
    size_t room = deflateBound(&zs, zs.avail_in) + 64;
    out->resize(at + room);
    zs.next_out = reinterpret_cast<Bytef*>(&(*out)[at]);
    zs.avail_out = static_cast<uInt>(room);
    int rc = deflate(&zs, flush);
    out->resize(at + room - zs.avail_out);
    if (rc == Z_STREAM_ERROR) {
      ok_ = false;
      return false;
    }
    if (flush == Z_FINISH) {
      if (rc == Z_STREAM_END) return true;
      if (rc != Z_OK && rc != Z_BUF_ERROR) {
        ok_ = false;
        return false;
      }
      continue;
    }
    // A flush is complete once deflate leaves output space unused with no input left.
    if (zs.avail_in == 0 && zs.avail_out != 0) return true;
  }
}

bool GzipStream::Write(const char* data, size_t n, std::string* out) {
  if (n == 0) return ok_;
  return Run(data, n, Z_SYNC_FLUSH, out);
}

bool GzipStream::Finish(std::string* out) { return Run("", 0, Z_FINISH, out); }

StreamEncoder::StreamEncoder(Framing framing, uint64_t length, bool gzip)
    : framing_(framing), remaining_(framing == Framing::kLength ? length : 0) {
  if (gzip && framing != Framing::kLength) gzip_.reset(new GzipStream);
}

StreamEncoder::Result StreamEncoder::Chunk(const char* data, size_t n, std::string* out) {
  if (n == 0) return Result::kOk;
  if (framing_ == Framing::kLength) {
    if (n > remaining_) return Result::kTooLong;
    remaining_ -= n;
    out->append(data, n);
    return Result::kOk;
  }
  if (gzip_) {
    std::string z;
    if (!gzip_->Write(data, n, &z)) return Result::kError;
    if (framing_ == Framing::kChunked) {
      AppendChunk(out, z.data(), z.size());
    } else {
      out->append(z);
    }
    return Result::kOk;
  }
  if (framing_ == Framing::kChunked) {
    AppendChunk(out, data, n);
  } else {
    out->append(data, n);
  }
  return Result::kOk;
}

StreamEncoder::Result StreamEncoder::End(std::string* out) {
  if (framing_ == Framing::kLength) return remaining_ == 0 ? Result::kOk : Result::kTooShort;
  if (gzip_) {
    std::string z;
    if (!gzip_->Finish(&z)) return Result::kError;
    if (framing_ == Framing::kChunked) {
      AppendChunk(out, z.data(), z.size());
    } else {
      out->append(z);
    }
  }
  if (framing_ == Framing::kChunked) out->append(kLastChunk);
  return Result::kOk;
}

}  // namespace httpuv
