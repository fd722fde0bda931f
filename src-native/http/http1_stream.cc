// Streamed responses over HTTP/1.1 (see http1_handler.h): an app's async iterable or
// ReadableStream leaves one chunk per STREAM_CHUNK command, framed by http/stream_encoder (chunked
// for HTTP/1.1, the app's Content-Length enforced, close-delimited for HTTP/1.0; gzip flushed per
// chunk), each piece corked with the socket's other output of this loop iteration. Backpressure:
// JS sends at most a window (binding/wire.h kStreamWindow) ahead and gets more only through
// kEventStreamAck, which this file emits once half a window came in while the socket's write
// queue is at most kStreamHighWater (or when the queue drains). A client that leaves, a server
// stop at its grace deadline, or a broken length ends the stream with kEventRequestEnded, so JS
// calls return()/cancel() on the app's source. Every function runs on the I/O thread.
#include <string>

#include "http/http1_handler.h"
#include "http/server.h"
#include "util/ascii.h"

namespace httpuv {

namespace {

// Bytes in the socket's write queue above which JS gets no more credit.
constexpr size_t kStreamHighWater = 64 * 1024;

// The app's Content-Length for a streamed body, if it gave one that is a plain decimal number
// (JS refuses any other with a 500; this is the backstop).
bool AppContentLength(const HeaderList& headers, uint64_t* out) {
  for (const auto& h : headers) {
    if (!util::EqualsIgnoreCase(h.first, "content-length")) continue;
    const std::string& v = h.second;
    if (v.empty() || v.size() > 15) return false;
    uint64_t n = 0;
    for (char c : v) {
      if (c < '0' || c > '9') return false;
      n = n * 10 + static_cast<uint64_t>(c - '0');
    }
    *out = n;
    return true;
  }
  return false;
}

}  // namespace

void Http1Handler::StartStream(ResponseSpec&& spec, ResponseContext ctx, bool send_body) {
  uint64_t length = 0;
  StreamEncoder::Framing framing;
  if (AppContentLength(spec.headers, &length)) {
    framing = StreamEncoder::Framing::kLength;
    spec.gzip = false;  // the declared length is of the body as given
  } else if (http10_) {
    framing = StreamEncoder::Framing::kClose;
  } else {
    framing = StreamEncoder::Framing::kChunked;
  }
  if (framing == StreamEncoder::Framing::kClose && send_body) {
    close_after_response_ = true;
    ctx.close = true;
    ctx.http10_keep_alive = false;
  }
  ctx.chunked = framing == StreamEncoder::Framing::kChunked;
  ctx.close_delimited = framing == StreamEncoder::Framing::kClose;
  if (!send_body) spec.gzip = false;
  std::string head = BuildResponseHead(spec, ctx, framing == StreamEncoder::Framing::kLength, length);
  if (!send_body) {
    // HEAD, 204, 304: the head says how the body would be framed, and that is all (JS has
    // already stopped the app's source: it knows the method and the status).
    LogAccess(spec.status, 0);
    WriteBuffers(std::move(head), std::string(), true);
    return;
  }
  stream_ = std::make_unique<OpenStream>(framing, length, spec.gzip, spec.status,
                                         spec.stream_window / 2 > 0 ? spec.stream_window / 2 : 1);
  // The request stays addressable (STREAM_* commands) and JS holds it until the end: a client
  // that leaves is reported to JS (EndJsRequest), which stops the app's source.
  transport_->SetRoute(current_id_);
  js_holds_ = true;
  StreamWrite(std::move(head));
}

void Http1Handler::StreamWrite(std::string&& bytes) {
  if (bytes.empty()) return;
  transport_->QueueFrame(std::move(bytes), std::string(), false, WriteCounter(), 0);
}

void Http1Handler::StreamAck() {
  // Only once JS could be waiting (half its window came in), and only while the socket's queue is
  // below its bound: a stream that fits the window costs no event at all.
  if (!stream_ || stream_->unacked_bytes < stream_->ack_at || transport_->closing() ||
      transport_->WriteQueueSize() > kStreamHighWater) {
    return;
  }
  Event e;
  e.kind = kEventStreamAck;
  e.server_id = server_->id();
  e.id = current_id_;
  e.code = static_cast<int>(stream_->unacked);
  stream_->unacked = 0;
  stream_->unacked_bytes = 0;
  registry()->Emit(std::move(e));
}

void Http1Handler::StreamChunk(uint64_t id, std::string&& data) {
  ASSERT_IO_THREAD();
  if (transport_->closing() || !stream_ || id != current_id_) return;
  stream_->unacked++;
  stream_->unacked_bytes += data.size();
  std::string out;
  StreamEncoder::Result r = stream_->encoder.Chunk(data.data(), data.size(), &out);
  if (r != StreamEncoder::Result::kOk) {
    registry()->Log(kLogError, r == StreamEncoder::Result::kTooLong
                                   ? "streamed response to request " + std::to_string(id) +
                                         " is longer than its Content-Length: cut short"
                                   : "streamed response to request " + std::to_string(id) +
                                         ": compression failed: cut short");
    StreamTruncate();
    return;
  }
  stream_->bytes += out.size();
  StreamWrite(std::move(out));
  StreamAck();
}

void Http1Handler::StreamEnd(uint64_t id) {
  ASSERT_IO_THREAD();
  if (transport_->closing() || !stream_ || id != current_id_) return;
  std::string out;
  StreamEncoder::Result r = stream_->encoder.End(&out);
  if (r != StreamEncoder::Result::kOk) {
    registry()->Log(kLogError, r == StreamEncoder::Result::kTooShort
                                   ? "streamed response to request " + std::to_string(id) +
                                         " ended " + std::to_string(stream_->encoder.remaining()) +
                                         " bytes short of its Content-Length: cut short"
                                   : "streamed response to request " + std::to_string(id) +
                                         ": compression failed: cut short");
    StreamTruncate();
    return;
  }
  stream_->bytes += out.size();
  LogAccess(stream_->status, stream_->bytes);  // the access line of a stream, once it is complete
  stream_.reset();
  js_holds_ = false;  // JS has finished with it
  transport_->DropRoute();
  transport_->FlushCorked();  // the chunks before the end leave first
  // The last write: OnResponseWritten follows (keep-alive, the next pipelined request, or FIN).
  WriteBuffers(std::string(), std::move(out), true);
}

void Http1Handler::StreamAbort(uint64_t id) {
  ASSERT_IO_THREAD();
  if (transport_->closing() || !stream_ || id != current_id_) return;
  js_holds_ = false;  // JS ended it (and logged why)
  StreamTruncate();
}

void Http1Handler::StreamTruncate() {
  bool close_framed = stream_ && stream_->encoder.framing() == StreamEncoder::Framing::kClose;
  if (stream_) LogAccess(stream_->status, stream_->bytes);  // (cut short: the bytes that did leave)
  stream_.reset();
  close_after_response_ = true;
  transport_->FlushCorked();  // what was produced before the failure still leaves
  if (close_framed) {
    // Only the close delimits this body: a FIN would read as a complete message, so reset
    // (SO_LINGER 0), as nginx does. Best effort: a Linux client that has read everything may
    // still see the reset as an end of file.
    EndJsRequest();
    transport_->CloseWithReset();
    return;
  }
  // FIN after what was written: the client sees a chunked message without its last chunk, or
  // fewer bytes than the Content-Length: an incomplete message, never a valid end.
  Linger();
}

}  // namespace httpuv
