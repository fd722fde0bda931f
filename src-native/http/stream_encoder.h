// The bytes of a streamed response body (an app's async iterable or ReadableStream, one chunk at a
// time): HTTP/1.1 chunked transfer coding (RFC 9112 §7.1), a Content-Length the app declared (the
// server enforces it: more bytes, or fewer by the end, is an error the connection answers by
// truncating the message), or a close-delimited body (HTTP/1.0 clients); optionally gzip with a
// sync flush after every chunk, so that each chunk (an SSE event) can be decoded on arrival.
// Pure (zlib only; no uv.h, no napi.h): runs on the I/O thread, tested alone by
// test/native/cpp/http_stream_pure_test.cc.
#ifndef NODE_HTTPUV_HTTP_STREAM_ENCODER_H_
#define NODE_HTTPUV_HTTP_STREAM_ENCODER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace httpuv {

// Appends one chunk of the chunked coding ("<hex size>\r\n<data>\r\n") to `out`. An empty chunk
// appends nothing: a zero-size chunk is the end of the message.
void AppendChunk(std::string* out, const char* data, size_t n);

// The last chunk with no trailers: the end of a chunked message.
constexpr const char kLastChunk[] = "0\r\n\r\n";

// gzip (RFC 1952) over a stream of chunks: each Write ends with Z_SYNC_FLUSH, so what it returns
// decodes to everything written so far. Move-only.
class GzipStream {
 public:
  GzipStream();
  ~GzipStream();
  GzipStream(const GzipStream&) = delete;
  GzipStream& operator=(const GzipStream&) = delete;
  bool ok() const { return ok_; }
  // Appends the compressed, flushed bytes of `data` to `out`; false on a zlib error.
  bool Write(const char* data, size_t n, std::string* out);
  // Appends the end of the gzip member (final block and trailer); false on a zlib error.
  bool Finish(std::string* out);

 private:
  bool Run(const char* data, size_t n, int flush, std::string* out);
  struct State;
  std::unique_ptr<State> z_;
  bool ok_ = false;
};

class StreamEncoder {
 public:
  enum class Framing {
    kChunked,  // Transfer-Encoding: chunked (HTTP/1.1, no Content-Length from the app)
    kLength,   // the app's Content-Length, enforced
    kClose,    // delimited by closing the connection (HTTP/1.0)
  };
  enum class Result {
    kOk,
    kTooLong,   // kLength: this chunk would pass the declared length (nothing of it is written)
    kTooShort,  // kLength: the end came before the declared length
    kError,     // zlib failed
  };

  // `length`: the declared Content-Length (kLength only). `gzip`: compress (never with kLength:
  // the length of the compressed body is not known in advance).
  StreamEncoder(Framing framing, uint64_t length, bool gzip);

  Framing framing() const { return framing_; }
  // Appends the wire bytes of one body chunk to `out` (nothing for an empty chunk).
  Result Chunk(const char* data, size_t n, std::string* out);
  // Appends the end of the body to `out` (the gzip trailer, the last chunk).
  Result End(std::string* out);
  // kLength: bytes still owed.
  uint64_t remaining() const { return remaining_; }

 private:
  Framing framing_;
  uint64_t remaining_;
  std::unique_ptr<GzipStream> gzip_;
};

}  // namespace httpuv

#endif  // NODE_HTTPUV_HTTP_STREAM_ENCODER_H_
