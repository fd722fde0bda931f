// Turns a response description (from the app or the static-file code) into the bytes of a status
// line and header block, applying the framing rules the server owns: one Date (the app's wins),
// Content-Length from the real body, Connection, no body for HEAD/1xx/204/304, gzip on request.
// Pure (zlib only): runs on the I/O thread; no uv.h, no napi.h.
#ifndef NODE_HTTPUV_HTTP_RESPONSE_WRITER_H_
#define NODE_HTTPUV_HTTP_RESPONSE_WRITER_H_

#include <cstdint>
#include <string>

#include "http/request.h"

namespace httpuv {

struct ResponseSpec {
  int status = 200;
  HeaderList headers;
  // Body: absent, in memory, or a file (a path to open, or an fd range already open).
  // kStream: the body follows in chunks (Connection::StreamChunk, http/stream_encoder.h).
  enum class BodyKind { kNone, kMemory, kFilePath, kFd, kStream } body_kind = BodyKind::kNone;
  std::string body;
  ResponseFile file;        // kFilePath: the path; an owned file is deleted however this ends
  FdHandle fd;
  uint64_t fd_offset = 0;
  uint64_t fd_length = 0;
  bool gzip = false;        // compress an in-memory body (decided by the TS layer)
  uint64_t stream_window = 0;  // kStream: JS's window (binding/wire.h kStreamWindow)
};

// What the connection knows about the request being answered.
struct ResponseContext {
  bool head = false;           // request method was HEAD
  bool close = false;          // connection closes after this response
  bool http10_keep_alive = false;  // HTTP/1.0 request that asked for keep-alive
  bool chunked = false;            // a streamed body in the chunked coding: no Content-Length
  bool close_delimited = false;    // a streamed body ended by closing: no Content-Length
};

// RFC 9110 field syntax, checked on the bytes that go on the wire (after the latin1 conversion):
// a name is a token (§5.6.2); a value holds only HTAB, SP, VCHAR and obs-text (0x80–0xFF), as
// Node's validateHeaderValue accepts: never CR, LF, NUL or another control character.
bool IsValidHeaderName(const std::string& name);
bool IsValidHeaderValue(const std::string& value);
// First header of `headers` that fails the checks above, or nullptr.
const std::pair<std::string, std::string>* FindInvalidHeader(const HeaderList& headers);

// True for statuses that never carry a body (1xx, 204, 304).
bool StatusForbidsBody(int status);

// Builds the status line and headers (ending with the blank line) for a body of
// `content_length` bytes (`has_body` false = the app sent no body at all). A header that fails
// IsValidHeaderName/IsValidHeaderValue is never written (the binding already turned such a
// response into a 500; this is the last defence against response splitting).
std::string BuildResponseHead(const ResponseSpec& spec, const ResponseContext& ctx,
                              bool has_body, uint64_t content_length);

// gzip-compresses `in` (level 6). Returns false on a zlib error.
bool GzipCompress(const std::string& in, std::string* out);

// IMF-fixdate for now, cached per second.
const std::string& HttpDateNow();

}  // namespace httpuv

#endif  // NODE_HTTPUV_HTTP_RESPONSE_WRITER_H_
