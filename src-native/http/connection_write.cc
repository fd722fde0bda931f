// The write side of a connection (see connection.h): responses (head and body in one write when
// they fit, sendfile for large files, chunked uv_write when the socket is full), corked WebSocket
// frames, the send timeout, and what happens once a response has left. Every function runs on
// the I/O thread.
#include <fcntl.h>
#ifdef __linux__
#include <sys/sendfile.h>
#endif
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "http/connection.h"
#include "http/server.h"
#include "util/ascii.h"
#include "util/reason_phrase.h"

namespace httpuv {

namespace {
constexpr size_t kFileChunk = 64 * 1024;
}  // namespace

struct Connection::WriteReq {
  uv_write_t req;
  Connection* conn;
  std::string head;
  std::string body;
  bool last;  // the final write of the current response
  std::vector<std::string> pieces;  // corked frames (QueueFrame)
  // Write counters (a WebSocket's bufferedAmount) to decrease by the frames' sizes once written.
  WriteCharges counts;
  ~WriteReq() { ReleaseCharges(&counts); }
};

void Connection::QueueFrame(std::string&& header, std::string&& payload, bool close_after,
                            const WriteCounter& counter, int64_t counted) {
  if (closing_) {
    if (counter) counter->fetch_sub(counted, std::memory_order_relaxed);
    return;
  }
  cork_bytes_ += header.size() + payload.size();
  cork_.push_back(std::move(header));
  if (!payload.empty()) cork_.push_back(std::move(payload));
  if (counter && counted != 0) cork_counts_.emplace_back(counter, counted);
  cork_close_after_ = cork_close_after_ || close_after;
  if (!dirty_) {
    dirty_ = true;
    registry()->MarkDirty(this);
  }
}

void Connection::FlushCorked() {
  ASSERT_IO_THREAD();
  dirty_ = false;
  if (cork_.empty()) return;
  bool close_after = cork_close_after_;
  cork_close_after_ = false;
  cork_bytes_ = 0;  // from here on the bytes are written or in libuv's write queue
  if (closing_) {
    ReleaseCharges(&cork_counts_);
    cork_.clear();
    return;
  }
  thread_local std::vector<uv_buf_t> bufs;  // I/O thread only; callbacks never nest
  bufs.clear();
  size_t total = 0;
  for (auto& p : cork_) {
    bufs.push_back(uv_buf_init(&p[0], static_cast<unsigned>(p.size())));
    total += p.size();
  }
  ServerStats::Add(server_->stats().bytes_out, total);
  size_t done = 0;
  if (writes_pending_ == 0) {
    // Usually the socket takes the whole batch now: no write request, no callback, and no
    // epoll_ctl to re-arm the watcher when it completes (as for HTTP responses).
    int r = uv_try_write(stream(), bufs.data(), static_cast<unsigned>(bufs.size()));
    if (r < 0 && r != UV_EAGAIN) {
      registry()->Log(kLogInfo, std::string("write error: ") + uv_strerror(r));
      ReleaseCharges(&cork_counts_);
      cork_.clear();
      Close();
      return;
    }
    if (r > 0) done = static_cast<size_t>(r);
    if (done == total) {
      ReleaseCharges(&cork_counts_);
      cork_.clear();  // keeps its capacity for the next batch
      if (close_after) {
        close_after_response_ = true;
        Linger();
        return;
      }
      if (!reading_) ResumeInput();  // the output that blocked input (if any) is gone
      return;
    }
  }
  auto* w = new WriteReq{};
  w->conn = this;
  w->last = false;
  w->pieces.swap(cork_);
  w->counts.swap(cork_counts_);
  // Skip what uv_try_write already sent (the buffers point into w->pieces, which the swap kept).
  size_t first = 0;
  while (done > 0 && first < bufs.size()) {
    if (done >= bufs[first].len) {
      done -= bufs[first].len;
      first++;
    } else {
      bufs[first].base += done;
      bufs[first].len -= static_cast<decltype(bufs[first].len)>(done);
      done = 0;
    }
  }
  w->req.data = w;
  bool was_idle = writes_pending_ == 0;
  writes_pending_++;
  if (uv_write(&w->req, stream(), bufs.data() + first, static_cast<unsigned>(bufs.size() - first),
               OnWrite) != 0) {
    writes_pending_--;
    delete w;
    Close();
    return;
  }
  if (close_after) close_after_response_ = true;
  // The peer is not taking our output as fast as we produce it: the send timeout starts.
  if (was_idle && upgraded_) upgraded_->OnWriteQueued();
}

void Connection::MarkSendProgress() {
  send_progress_ = false;
  send_mark_ = stream()->write_queue_size;
}

bool Connection::SendProgressed() const {
  return send_progress_ || stream()->write_queue_size < send_mark_;
}

void Connection::ArmSendTimer() {
  uint32_t ms = server_->limits().send_timeout_ms;
  // Only once the request has been read: while it is still arriving, its own timer (headers or
  // body) stays in charge; OnMessageComplete arms this one if the answer is still being written.
  if (ms == 0 || phase_ == Phase::kUpgraded || !message_complete_) return;
  ArmTimer(ms);
  send_timer_ = true;
  send_progress_ = false;
  send_mark_ = stream()->write_queue_size;
}

void Connection::SendResponse(uint64_t id, ResponseSpec&& spec) {
  ASSERT_IO_THREAD();
  if (closing_ || id != current_id_ || responded_) return;
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

void Connection::WriteResponse(ResponseSpec&& spec) {
  if (spec.status < 200 || spec.status > 999) {
    // Only a final status answers a request: a 1xx would be read as interim, the client would
    // wait for another response and take the next request's answer for this one's. JS refuses
    // such statuses (response.ts); this backstop keeps every other path from emitting one.
    registry()->Log(kLogError, "response status " + std::to_string(spec.status) +
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
  registry()->RemoveRoute(current_id_);
  for (const auto& h : spec.headers) {
    if (util::EqualsIgnoreCase(h.first, "connection") && util::ListHasToken(h.second, "close")) {
      close_after_response_ = true;
    }
  }
  if (!keep_alive_ || peer_eof_ || server_->stopping()) close_after_response_ = true;
  ResponseContext ctx;
  ctx.head = is_head_;
  ctx.close = close_after_response_;
  ctx.http10_keep_alive = http10_ && !close_after_response_;
  bool send_body = !is_head_ && !StatusForbidsBody(spec.status);

  switch (spec.body_kind) {
    case ResponseSpec::BodyKind::kNone: {
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
      struct stat st;
      int fd = -1;
      const char* why = nullptr;
      int err = 0;
      if (path.empty()) {
        why = "empty path";
      } else if (::stat(path.c_str(), &st) != 0) {
        err = errno;
      } else if (!S_ISREG(st.st_mode)) {
        why = "not a regular file";
      } else if ((fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) < 0) {
        err = errno;
      } else if (fstat(fd, &st) != 0) {
        err = errno;
      } else if (!S_ISREG(st.st_mode)) {
        why = "not a regular file";
      }
      if (why != nullptr || err != 0) {
        if (fd >= 0) ::close(fd);
        registry()->Log(kLogError, "cannot send response file \"" + path + "\": " +
                                       (why != nullptr ? why : strerror(err)) +
                                       "; answered 500 instead");
        spec.file.Unlink();
        ResponseSpec err_spec;
        err_spec.status = 500;
        err_spec.headers.emplace_back("Content-Type", "text/plain; charset=UTF-8");
        err_spec.body_kind = ResponseSpec::BodyKind::kMemory;
        err_spec.body = "500 Internal Server Error\n";
        std::string head = BuildResponseHead(err_spec, ctx, true, err_spec.body.size());
        if (is_head_) err_spec.body.clear();
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
      if (!send_body || spec.fd_length == 0) {
        WriteBuffers(std::move(head), std::string(), true);
        return;
      }
      file_fd_ = std::move(spec.fd);
      file_offset_ = spec.fd_offset;
      file_remaining_ = spec.fd_length;
#ifdef __linux__
      if (file_remaining_ > kFileChunk && !is_pipe_ && writes_pending_ == 0) {
        // Large file: the head leaves now, the body by sendfile(2) (no copy through user space,
        // as nginx does), falling back to a chunked uv_write whenever the socket is full.
        WriteBuffers(std::move(head), std::string(), false);
        return;
      }
#endif
      // Small file: the whole body leaves with the head in one write.
      StreamNextFileChunk(std::move(head));
      return;
    }
  }
}

void Connection::StreamNextFileChunk(std::string&& head) {
  if (closing_) return;
  size_t n = file_remaining_ < kFileChunk ? static_cast<size_t>(file_remaining_) : kFileChunk;
  std::string chunk(n, '\0');
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::pread(file_fd_.get(), &chunk[got], n - got,
                        static_cast<off_t>(file_offset_ + got));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += static_cast<size_t>(r);
  }
  if (got < n) {
    // The file shrank or failed under us: the promised length cannot be met; close.
    registry()->Log(kLogError, "response file ended early");
    file_fd_.Reset();
    Close();
    return;
  }
  file_offset_ += n;
  file_remaining_ -= n;
  bool last = file_remaining_ == 0;
  if (last) file_fd_.Reset();
  WriteBuffers(std::move(head), std::move(chunk), last);
}

void Connection::WriteError(int status, const std::string& reason, const HeaderList& extra) {
  // Protocol errors: answer, then close; the rest of the input is never parsed.
  in_off_ = in_buf_.size();
  close_after_response_ = true;
  EndJsRequest();  // an error answer ends a request JS may hold (onHeaders path)
  if (responded_ && response_in_flight_) {
    // An answer is already leaving for this request: just close after it.
    return;
  }
  if (current_id_ != 0) registry()->RemoveRoute(current_id_);
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
  WriteBuffers(std::move(head), std::move(spec.body), true);
}

void Connection::WriteRaw(std::string&& bytes, bool close_after) {
  if (closing_) return;
  auto* w = new WriteReq{};
  w->conn = this;
  w->head = std::move(bytes);
  w->last = false;
  uv_buf_t buf = uv_buf_init(&w->head[0], static_cast<unsigned>(w->head.size()));
  w->req.data = w;
  writes_pending_++;
  ServerStats::Add(server_->stats().bytes_out, w->head.size());
  if (uv_write(&w->req, stream(), &buf, 1, OnWrite) != 0) {
    writes_pending_--;
    delete w;
    Close();
    return;
  }
  if (close_after) close_after_response_ = true;
}

void Connection::WriteBuffers(std::string&& head, std::string&& body, bool last) {
  if (closing_) return;
  auto* w = new WriteReq{};
  w->conn = this;
  w->head = std::move(head);
  w->body = std::move(body);
  w->last = last;
  w->req.data = w;
  uv_buf_t bufs[2];
  unsigned n = 0;
  if (!w->head.empty()) bufs[n++] = uv_buf_init(&w->head[0], static_cast<unsigned>(w->head.size()));
  if (!w->body.empty()) bufs[n++] = uv_buf_init(&w->body[0], static_cast<unsigned>(w->body.size()));
  if (n == 0) {
    // Nothing to send (e.g. empty final chunk): complete synchronously.
    bool was_last = w->last;
    delete w;
    if (was_last) OnResponseWritten();
    return;
  }
  ServerStats::Add(server_->stats().bytes_out, w->head.size() + w->body.size());
  if (last && writes_pending_ == 0) {
    // Most answers fit the socket buffer: write them now. A uv_write request would cost an
    // extra epoll_ctl per response when it completes (libuv re-arms the watcher).
    int r = uv_try_write(stream(), bufs, n);
    size_t total = w->head.size() + w->body.size();
    if (r >= 0 && static_cast<size_t>(r) == total) {
      delete w;
      if (in_execute_) {
        written_sync_ = true;  // finish after llhttp_execute returns (no re-entrant parsing)
      } else {
        OnResponseWritten();
      }
      return;
    }
    if (r > 0) {
      size_t done = static_cast<size_t>(r);
      size_t from_head = done < w->head.size() ? done : w->head.size();
      w->head.erase(0, from_head);
      w->body.erase(0, done - from_head);
      n = 0;
      if (!w->head.empty()) bufs[n++] = uv_buf_init(&w->head[0], static_cast<unsigned>(w->head.size()));
      if (!w->body.empty()) bufs[n++] = uv_buf_init(&w->body[0], static_cast<unsigned>(w->body.size()));
    } else if (r < 0 && r != UV_EAGAIN) {
      delete w;
      registry()->Log(kLogInfo, std::string("write error: ") + uv_strerror(r));
      Close();
      return;
    }
  }
  writes_pending_++;
  if (uv_write(&w->req, stream(), bufs, n, OnWrite) != 0) {
    writes_pending_--;
    delete w;
    Close();
    return;
  }
  if (!send_timer_) ArmSendTimer();
}

void Connection::OnWrite(uv_write_t* req, int status) {
  ASSERT_IO_THREAD();
  auto* w = static_cast<WriteReq*>(req->data);
  Connection* self = w->conn;
  bool last = w->last;
  delete w;
  self->writes_pending_--;
  self->send_progress_ = true;
  if (self->closing_) return;
  if (status != 0) {
    self->registry()->Log(kLogInfo, std::string("write error: ") + uv_strerror(status));
    self->Close();
    return;
  }
  if (self->phase_ == Phase::kUpgraded) {
    if (self->writes_pending_ == 0) {
      if (self->close_after_response_) {
        self->Linger();
        return;
      }
      if (self->upgraded_) self->upgraded_->OnWritesDone();
    }
    if (!self->reading_) self->ResumeInput();  // input may have waited for this output to drain
    return;
  }
  if (last) {
    self->OnResponseWritten();
  } else if (self->file_fd_.get() >= 0) {
#ifdef __linux__
    if (!self->is_pipe_) {
      if (self->writes_pending_ == 0) self->PumpFile();
      return;
    }
#endif
    self->StreamNextFileChunk(std::string());
  }
}

#ifdef __linux__
void Connection::PumpFile() {
  // Precondition: nothing queued in libuv for this socket, so bytes written here keep their
  // order. Runs until the file is sent or the socket is full (then one chunk goes through
  // uv_write, whose callback comes back here once the socket drained).
  int sock = -1;
  if (uv_fileno(reinterpret_cast<uv_handle_t*>(&handle_), &sock) != 0) {
    Close();
    return;
  }
  while (file_remaining_ > 0) {
    off_t off = static_cast<off_t>(file_offset_);
    size_t want = file_remaining_ < (1u << 30) ? static_cast<size_t>(file_remaining_) : (1u << 30);
    ssize_t n = ::sendfile(sock, file_fd_.get(), &off, want);
    if (n > 0) {
      file_offset_ += static_cast<uint64_t>(n);
      file_remaining_ -= static_cast<uint64_t>(n);
      ServerStats::Add(server_->stats().bytes_out, static_cast<uint64_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      StreamNextFileChunk(std::string());
      return;
    }
    registry()->Log(kLogInfo, std::string("sendfile: ") + (n < 0 ? strerror(errno) : "file ended early"));
    file_fd_.Reset();
    Close();
    return;
  }
  file_fd_.Reset();
  OnResponseWritten();
}
#endif

void Connection::OnResponseWritten() {
  response_in_flight_ = false;
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
