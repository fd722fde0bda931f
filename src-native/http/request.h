// Plain data describing one HTTP request as parsed on the I/O thread, and the server limits that
// govern parsing. No uv.h, no napi.h: shared by the parser, the connection and the binding.
// (HeaderList and PeerInfo are the event wire's, transport/events.h.)
#ifndef NODE_HTTPUV_HTTP_REQUEST_H_
#define NODE_HTTPUV_HTTP_REQUEST_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "transport/events.h"
#include "util/fd_handle.h"
#include "ws/upgrade.h"  // WsLimits: what the upgrade hands to WebSocket sessions

namespace httpuv {

// The path of a `{ file }` response body, and whether the app handed the file over (`owned`).
// An owned file is unlinked when this object dies, or earlier by Unlink() (once the file is
// open): every way a response ends (sent, refused with a 500, dropped for a stale id or a closed
// connection, left in the command queue at shutdown, never posted because no I/O thread runs)
// deletes it, by construction. Move-only; the moved-from object owns nothing. Runs on whichever
// thread ends the response (the I/O thread, or the JS thread for a command never posted).
class ResponseFile {
 public:
  ResponseFile() = default;
  ResponseFile(std::string path, bool owned) : path_(std::move(path)), owned_(owned) {}
  ResponseFile(ResponseFile&& o) noexcept : path_(std::move(o.path_)), owned_(o.owned_) {
    o.owned_ = false;
  }
  ResponseFile& operator=(ResponseFile&& o) noexcept {
    if (this != &o) {
      Unlink();
      path_ = std::move(o.path_);
      owned_ = o.owned_;
      o.owned_ = false;
    }
    return *this;
  }
  ResponseFile(const ResponseFile&) = delete;
  ResponseFile& operator=(const ResponseFile&) = delete;
  ~ResponseFile() { Unlink(); }
  const std::string& path() const { return path_; }
  bool owned() const { return owned_; }
  // Deletes an owned file now (an open descriptor keeps its contents readable); no-op otherwise.
  void Unlink() {
    if (owned_ && !path_.empty()) platform::RemoveFile(path_);
    owned_ = false;
  }

 private:
  std::string path_;
  bool owned_ = false;
};

struct Request {
  uint64_t id = 0;
  std::string method;
  std::string target;
  int http_major = 1;
  int http_minor = 1;
  HeaderList headers;
  bool keep_alive = true;
  bool upgrade = false;
  bool has_body_framing = false;  // Content-Length or Transfer-Encoding present
  // Body: in memory until it passes the spill threshold, then in an unlinked temp file.
  std::string body;
  FdHandle body_fd;
  uint64_t body_length = 0;

  // Case-insensitive lookup of the first header named `name`; nullptr when absent.
  const std::string* FindHeader(const char* name) const;
  // Number of headers named `name` (case-insensitive).
  int CountHeader(const char* name) const;
};

// Server limits and behaviour switches, resolved (defaults applied) by the TypeScript layer.
struct ServerLimits {
  uint32_t max_header_size = 80 * 1024;
  uint32_t max_headers = 2000;
  uint32_t max_request_target_size = 16 * 1024;
  uint64_t max_body_size = 0;  // 0 = unlimited
  uint64_t body_spill_threshold = 1024 * 1024;
  uint32_t headers_timeout_ms = 60000;
  uint32_t request_timeout_ms = 300000;
  uint32_t keep_alive_timeout_ms = 5000;
  uint32_t send_timeout_ms = 60000;  // no progress writing a response: close
  uint32_t max_connections = 0;  // 0 = unlimited
  bool has_on_headers = false;
  bool has_on_ws_open = false;
  // Request bodies stream to JS as they arrive (app.fetch, or the streamRequestBodies option):
  // a chunked body or one over kStreamBodyMin bytes goes to the app once its headers are in,
  // then chunk by chunk, with the receive queue limit as the app's credit (http1_body_stream.cc).
  bool stream_bodies = false;
  // Bytes of received events waiting for JS per connection (HTTP or WebSocket) before the
  // connection stops being read (websocket.receiveQueueLimit).
  uint64_t receive_queue_limit = 1024 * 1024;
  // What the upgrade hands to WebSocket sessions (their own struct: ws/ never sees the rest).
  WsLimits ws;
};

}  // namespace httpuv

#endif  // NODE_HTTPUV_HTTP_REQUEST_H_
