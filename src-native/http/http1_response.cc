// HTTP/1.1 responses (see http1_handler.h): the app's answer, static and error answers, head and
// body in one write when they fit, files by sendfile or in chunks, the send timeout, and what
// happens once a response has left. The socket's writes themselves are SocketTransport's. Every
// function runs on the I/O thread.
#include <cerrno>
#include <cstring>
#include <string>

#include "http/http1_handler.h"
#include "http/server.h"
#include "platform/file.h"
#include "util/ascii.h"
#include "util/reason_phrase.h"

namespace httpuv {

namespace {
constexpr size_t kFileChunk = 64 * 1024;
}  // namespace

void Http1Handler::ArmSendTimer() {
  uint32_t ms = server_->limits().send_timeout_ms;
  // Only once the request has been read: while it is still arriving, its own timer (headers or
  // body) stays in charge; OnMessageComplete arms this one if the answer is still being written.
  if (ms == 0 || phase_ == Phase::kUpgraded || !message_complete_) return;
  ArmTimer(ms);
  send_timer_ = true;
  transport_->MarkSendProgress();
}

void Http1Handler::SendResponse(uint64_t id, ResponseSpec&& spec) {
  ASSERT_IO_THREAD();
  if (transport_->closing() || id != current_id_ || responded_) return;
  js_holds_ = false;  // JS answered: it has dropped its state for the request
  if (phase_ == Phase::kWaitOnHeaders) {
    // onHeaders answered: the body (if any) is never read. With a body framed on the wire we
    // cannot know where the next request starts without reading it, so close (as httpuv).
    if (has_body_framing_ || !keep_alive_) close_after_response_ = true;
    discard_body_ = true;
    expect_continue_ = false;
  }
  WriteResponse(std::move(spec));
}

void Http1Handler::WriteResponse(ResponseSpec&& spec) {
  if (spec.status < 200 || spec.status > 999) {
    // Only a final status answers a request: a 1xx would be read as interim, the client would
    // wait for another response and take the next request's answer for this one's. JS refuses
    // such statuses (response.ts); this backstop keeps every other path from emitting one.
    transport_->Log(kLogError, "response status " + std::to_string(spec.status) +
                                   " is not a final status (200-999); sending 500 instead");
    ResponseSpec err;  // (replacing spec deletes an owned file, see ResponseFile)
    err.status = 500;
    err.headers.emplace_back("Content-Type", "text/plain; charset=UTF-8");
    err.body_kind = ResponseSpec::BodyKind::kMemory;
    err.body = "500 Internal Server Error\n";
    spec = std::move(err);
  }
  responded_ = true;
  response_in_flight_ = true;
  transport_->DropRoute();
  for (const auto& h : spec.headers) {
    if (util::EqualsIgnoreCase(h.first, "connection") && util::ListHasToken(h.second, "close")) {
      close_after_response_ = true;
    }
  }
  if (!keep_alive_ || transport_->peer_eof() || server_->stopping()) close_after_response_ = true;
  ResponseContext ctx;
  ctx.head = is_head_;
  ctx.close = close_after_response_;
  ctx.http10_keep_alive = http10_ && !close_after_response_;
  bool send_body = !is_head_ && !StatusForbidsBody(spec.status);

  if (spec.body_kind != ResponseSpec::BodyKind::kStream || !send_body) StopBodyStream();
  switch (spec.body_kind) {
    case ResponseSpec::BodyKind::kStream: {
      StartStream(std::move(spec), ctx, send_body);
      return;
    }
    case ResponseSpec::BodyKind::kNone: {
      LogAccess(spec.status, 0);
      WriteBuffers(BuildResponseHead(spec, ctx, false, 0), std::string(), true);
      return;
    }
    case ResponseSpec::BodyKind::kMemory: {
      if (spec.gzip) {
        std::string z;
        if (GzipCompress(spec.body, &z)) {
          spec.body.swap(z);
        } else {
          spec.gzip = false;
        }
      }
      std::string head = BuildResponseHead(spec, ctx, true, spec.body.size());
      LogAccess(spec.status, send_body ? spec.body.size() : 0);
      WriteBuffers(std::move(head), send_body ? std::move(spec.body) : std::string(), true);
      return;
    }
    case ResponseSpec::BodyKind::kFilePath: {
      // The path is the app's choice: only a regular file may be sent. A FIFO, a device, a socket
      // or a directory is refused before it is opened (opening a FIFO for reading blocks until a
      // writer comes; opening a device may have effects), and the open itself cannot block
      // either (O_NONBLOCK: a FIFO swapped in after the stat; no effect on reading a regular
      // file) or take a controlling terminal (O_NOCTTY). Symlinks are followed: the app chose
      // the path. Whatever fails becomes a logged 500; an owned file is deleted either way
      // (ResponseFile).
      const std::string& path = spec.file.path();
      platform::FileStat st;
      std::string why;
      const platform::file_t fd = platform::OpenResponseFile(path, &st, &why);
      if (fd < 0) {
        transport_->Log(kLogError, "cannot send response file \"" + path + "\": " + why +
                                       "; answered 500 instead");
        spec.file.Unlink();
        ResponseSpec err_spec;
        err_spec.status = 500;
        err_spec.headers.emplace_back("Content-Type", "text/plain; charset=UTF-8");
        err_spec.body_kind = ResponseSpec::BodyKind::kMemory;
        err_spec.body = "500 Internal Server Error\n";
        std::string head = BuildResponseHead(err_spec, ctx, true, err_spec.body.size());
        if (is_head_) err_spec.body.clear();
        LogAccess(500, err_spec.body.size());
        WriteBuffers(std::move(head), std::move(err_spec.body), true);
        return;
      }
      spec.file.Unlink();  // an owned file goes now; the descriptor keeps its contents
      spec.fd = FdHandle(fd);
      spec.fd_offset = 0;
      spec.fd_length = static_cast<uint64_t>(st.st_size);
      spec.gzip = false;
      [[fallthrough]];
    }
    case ResponseSpec::BodyKind::kFd: {
      std::string head = BuildResponseHead(spec, ctx, true, spec.fd_length);
      LogAccess(spec.status, send_body ? spec.fd_length : 0);
      if (!send_body || spec.fd_length == 0) {
        WriteBuffers(std::move(head), std::string(), true);
        return;
      }
      file_fd_ = std::move(spec.fd);
      file_offset_ = spec.fd_offset;
      file_remaining_ = spec.fd_length;
      if (file_remaining_ > kFileChunk && transport_->CanSendFile() &&
          transport_->WritesPending() == 0) {
        // Large file: the head leaves now, the body by sendfile(2) (no copy through user space,
        // as nginx does), falling back to a chunked write whenever the socket is full.
        WriteBuffers(std::move(head), std::string(), false);
        return;
      }
      // Small file: the whole body leaves with the head in one write.
      StreamNextFileChunk(std::move(head));
      return;
    }
  }
}

void Http1Handler::StreamNextFileChunk(std::string&& head) {
  if (transport_->closing()) return;
  size_t n = file_remaining_ < kFileChunk ? static_cast<size_t>(file_remaining_) : kFileChunk;
  std::string chunk(n, '\0');
  size_t got = 0;
  while (got < n) {
    const int64_t r = platform::ReadAt(file_fd_.get(), &chunk[got], n - got, file_offset_ + got);
    if (r <= 0) break;
    got += static_cast<size_t>(r);
  }
  if (got < n) {
    // The file shrank or failed under us: the promised length cannot be met; close.
    transport_->Log(kLogError, "response file ended early");
    file_fd_.Reset();
    transport_->Close();
    return;
  }
  file_offset_ += n;
  file_remaining_ -= n;
  bool last = file_remaining_ == 0;
  if (last) file_fd_.Reset();
  WriteBuffers(std::move(head), std::move(chunk), last);
}

void Http1Handler::WriteError(int status, const std::string& reason, const HeaderList& extra) {
  // Protocol errors: answer, then close; the rest of the input is never parsed.
  in_off_ = in_buf_.size();
  close_after_response_ = true;
  EndJsRequest();  // an error answer ends a request JS may hold (onHeaders path)
  if (responded_ && response_in_flight_) {
    // An answer is already leaving for this request: just close after it.
    return;
  }
  transport_->DropRoute();
  is_head_ = false;
  ResponseSpec spec;
  spec.status = status;
  spec.headers.emplace_back("Content-Type", "text/plain; charset=UTF-8");
  for (const auto& h : extra) spec.headers.push_back(h);
  spec.body_kind = ResponseSpec::BodyKind::kMemory;
  spec.body = std::to_string(status) + " " + util::ReasonPhrase(status) + "\n";
  keep_alive_ = false;
  responded_ = true;
  response_in_flight_ = true;
  ResponseContext ctx;
  ctx.close = true;
  std::string head = BuildResponseHead(spec, ctx, true, spec.body.size());
  LogAccess(status, spec.body.size());
  WriteBuffers(std::move(head), std::move(spec.body), true);
}

void Http1Handler::WriteRaw(std::string&& bytes) {
  // Not the end of a message: no synchronous attempt, no completion to act on (OnWriteDone
  // ignores it), no send timeout.
  transport_->WriteStream(std::move(bytes), std::string(), false);
}

void Http1Handler::WriteBuffers(std::string&& head, std::string&& body, bool last) {
  switch (transport_->WriteStream(std::move(head), std::move(body), last)) {
    case SocketTransport::WriteStatus::kWritten:
      if (!last) return;
      if (in_execute_) {
        written_sync_ = true;  // finish after llhttp_execute returns (no re-entrant parsing)
      } else {
        OnResponseWritten();
      }
      return;
    case SocketTransport::WriteStatus::kQueued:
      if (!send_timer_) ArmSendTimer();
      return;
    case SocketTransport::WriteStatus::kFailed:
      return;
  }
}

void Http1Handler::OnWriteQueued() {
  // Corked output (a streamed response's chunks) waits in libuv: the send timeout starts.
  if (stream_ && !send_timer_) ArmSendTimer();
}

void Http1Handler::OnWritesDone() {
  if (stream_) StreamAck();  // the queue drained: JS may send more
}

void Http1Handler::OnWriteDone(bool last) {
  if (last) {
    OnResponseWritten();
  } else if (file_fd_.get() >= 0) {
    if (transport_->CanSendFile()) {
      if (transport_->WritesPending() == 0) PumpFile();
      return;
    }
    StreamNextFileChunk(std::string());
  }
}

void Http1Handler::PumpFile() {
  // Precondition: nothing queued for this socket, so bytes written here keep their order. Runs
  // until the file is sent or the socket is full (then one chunk goes through a stream write,
  // whose completion comes back here once the socket drained).
  while (file_remaining_ > 0) {
    int64_t n = transport_->SendFile(file_fd_.get(), file_offset_, file_remaining_);
    if (n > 0) {
      file_offset_ += static_cast<uint64_t>(n);
      file_remaining_ -= static_cast<uint64_t>(n);
      continue;
    }
    if (n == 0) {  // the socket is full
      StreamNextFileChunk(std::string());
      return;
    }
    transport_->Log(kLogInfo, std::string("sendfile: ") +
                                  (n == -ENODATA ? "file ended early" : strerror(static_cast<int>(-n))));
    file_fd_.Reset();
    transport_->Close();
    return;
  }
  file_fd_.Reset();
  OnResponseWritten();
}

void Http1Handler::OnResponseWritten() {
  response_in_flight_ = false;
  StopBodyStream();  // a streamed answer that ended before the streamed body
  if (close_after_response_) {
    Linger();
    return;
  }
  if (!message_complete_) {
    // Answered before the body arrived (onHeaders or static on a bodyless request): keep parsing
    // this message; OnMessageComplete finishes it.
    bool resumed = parser_paused_;
    if (resumed) {
      parser_paused_ = false;
      parser_.Resume();
    }
    phase_ = Phase::kBody;
    ProcessInput(resumed);
    return;
  }
  FinishRequest();
  if (parser_paused_) {
    parser_paused_ = false;
    parser_.Resume();
  }
  ProcessInput();
}

}  // namespace httpuv
