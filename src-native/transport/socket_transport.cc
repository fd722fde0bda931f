// One accepted socket (see socket_transport.h): reading, read backpressure, writes, corking,
// sendfile, the timer, lingering and closing. Every function runs on the I/O thread.
#include "transport/socket_transport.h"

#ifdef __linux__
#include <sys/sendfile.h>
#endif
#include <sys/types.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "util/buffer_pool.h"

namespace httpuv {

namespace {

constexpr size_t kReadBufferSize = 64 * 1024;
constexpr uint64_t kLingerMs = 2000;

// Written frames: their payloads' memory goes back to util/buffer_pool, where the JS thread takes
// it for the next message it sends (no malloc/free pair across threads per message).
void RecyclePieces(std::vector<std::string>* pieces) {
  for (auto& p : *pieces) util::GiveBuffer(std::move(p));
  pieces->clear();
}

}  // namespace

struct SocketTransport::WriteReq {
  uv_write_t req;
  SocketTransport* sock;
  std::string head;
  std::string body;
  bool last;  // the final write of the current message (WriteStream)
  bool stream;  // a WriteStream write (the handler hears of its completion), not corked output
  std::vector<std::string> pieces;  // corked frames (QueueFrame)
  // Write counters (a WebSocket's bufferedAmount) to decrease by the frames' sizes once written.
  WriteCharges counts;
  ~WriteReq() {
    ReleaseCharges(&counts);
    RecyclePieces(&pieces);
  }
};

SocketTransport::SocketTransport(IoContext* io, SocketOwner* owner, SocketCounters* counters,
                                 bool is_pipe, uint64_t receive_queue_limit)
    : io_(io),
      owner_(owner),
      counters_(counters),
      is_pipe_(is_pipe),
      receive_(std::make_shared<ReceiveBudget>(static_cast<int64_t>(receive_queue_limit))) {
  uv_loop_t* loop = io->loop();
  if (is_pipe_) {
    uv_pipe_init(loop, &handle_.pipe, 0);
  } else {
    uv_tcp_init(loop, &handle_.tcp);
  }
  handle_.tcp.data = this;
  uv_timer_init(loop, &timer_);
  timer_.data = this;
  open_handles_ = 2;
}

SocketTransport::~SocketTransport() = default;

void SocketTransport::FillPeerInfo() {
  if (is_pipe_) return;  // pipes: REMOTE_ADDR "" and REMOTE_PORT 0, as R httpuv
  sockaddr_storage ss;
  int len = sizeof(ss);
  char ip[64];
  if (uv_tcp_getpeername(&handle_.tcp, reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
    if (ss.ss_family == AF_INET) {
      auto* a = reinterpret_cast<sockaddr_in*>(&ss);
      uv_ip4_name(a, ip, sizeof(ip));
      peer_.remote_addr = ip;
      peer_.remote_port = ntohs(a->sin_port);
    } else if (ss.ss_family == AF_INET6) {
      auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
      uv_ip6_name(a, ip, sizeof(ip));
      peer_.remote_addr = ip;
      peer_.remote_port = ntohs(a->sin6_port);
    }
  }
  len = sizeof(ss);
  if (uv_tcp_getsockname(&handle_.tcp, reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
    if (ss.ss_family == AF_INET) {
      auto* a = reinterpret_cast<sockaddr_in*>(&ss);
      uv_ip4_name(a, ip, sizeof(ip));
      peer_.local_addr = ip;
      peer_.local_port = ntohs(a->sin_port);
    } else if (ss.ss_family == AF_INET6) {
      auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
      uv_ip6_name(a, ip, sizeof(ip));
      peer_.local_addr = ip;
      peer_.local_port = ntohs(a->sin6_port);
    }
  }
}

void SocketTransport::Start(std::unique_ptr<ProtocolHandler> handler) {
  ASSERT_IO_THREAD();
  if (!is_pipe_) uv_tcp_nodelay(&handle_.tcp, 1);
  FillPeerInfo();
  handler_ = std::move(handler);
  handler_->OnStart();
  UpdateReading();
}

void SocketTransport::SwapHandler(std::unique_ptr<ProtocolHandler> next) {
  retired_ = std::move(handler_);
  handler_ = std::move(next);
  if (!dirty_) {  // the next flush frees the retired handler (see FlushCorked)
    dirty_ = true;
    io_->MarkDirty(this);
  }
}

// ---- timers ---------------------------------------------------------------------------------

void SocketTransport::OnTimer(uv_timer_t* t) {
  ASSERT_IO_THREAD();
  auto* self = static_cast<SocketTransport*>(t->data);
  if (self->closing_) return;
  const uint64_t deadline = self->deadline_;
  if (deadline == 0) return;  // stopped since it was armed (the lazy timer, see ArmTimer)
  const uint64_t now = self->Now();
  if (now < deadline) {
    // Armed for an earlier deadline that moved later since: wait for the rest.
    uv_timer_start(&self->timer_, OnTimer, deadline - now, 0);
    return;
  }
  self->deadline_ = 0;
  self->handler_->OnTimer();  // the handler owns the timer's meaning
}

// ---- reading --------------------------------------------------------------------------------

void SocketTransport::UpdateReading() {
  // Every reason to stop reading is checked here, so no input path can bypass it: input the
  // handler buffers over its bound (HTTP pipelining, InputFull), bytes the handler held back
  // (WebSocket frames not fed to the frame parser, HoldsInput), and InputBlocked() (JS or the
  // peer is behind). Held bytes are fed first whenever nothing blocks them any more.
  read_checks_++;
  bool holds;
  for (;;) {
    if (closing_ || peer_eof_ || lingering_) return;
    holds = handler_->HoldsInput();
    if (holds && !InputBlocked()) {
      handler_->FeedHeld();  // stops again as soon as the input is blocked
      continue;
    }
    if (receive_->Over() && !ArmReceiveWake()) continue;  // JS caught up meanwhile: look again
    break;
  }
  bool want = !holds && !handler_->InputFull() && !InputBlocked();
  if (want && !reading_) {
    if (uv_read_start(stream(), OnAlloc, OnRead) == 0) reading_ = true;
  } else if (!want && reading_) {
    uv_read_stop(stream());
    reading_ = false;
  }
  if (!want && !read_paused_) {
    read_paused_ = true;
    SocketCounters::Add(counters_->reads_paused, 1);
  } else if (want && read_paused_) {
    read_paused_ = false;
    SocketCounters::Sub(counters_->reads_paused, 1);
  }
}

bool SocketTransport::ArmReceiveWake() {
  // Register for the wake-up the JS thread's discharge sends (IoContext → OnReceiveDrained),
  // then look again: JS may have caught up before it could see `waiting`.
  if (!receive_waiting_) {
    io_->WaitForReceive(receive_.get(), this);
    receive_waiting_ = true;
  }
  receive_->waiting.store(true);
  if (receive_->Over()) return true;
  receive_->waiting.store(false);  // if JS took it first, its wake-up finds nothing to do
  return false;
}

bool SocketTransport::OutputFull() const {
  // Only a handler that queues output without an answer to a request (a WebSocket's pongs,
  // close frames and the app's messages) sets a limit. HTTP has at most one response in flight
  // (its parser waits for it to leave).
  return output_limit_ != 0 && OutputQueued() > output_limit_;
}

void SocketTransport::OnReceiveDrained() {
  ASSERT_IO_THREAD();
  receive_waiting_ = false;  // the IoContext has dropped our entry
  UpdateReading();
}

void SocketTransport::OnAlloc(uv_handle_t*, size_t, uv_buf_t* buf) {
  ASSERT_IO_THREAD();
  // One read buffer per I/O thread: callbacks never nest, and handlers copy what they keep, so
  // an idle connection costs no read buffer at all (S5 in the benchmarks).
  thread_local std::unique_ptr<char[]> shared(new char[kReadBufferSize]);
  buf->base = shared.get();
  buf->len = kReadBufferSize;
}

void SocketTransport::OnRead(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  ASSERT_IO_THREAD();
  auto* self = static_cast<SocketTransport*>(s->data);
  if (self->closing_ || nread == 0) return;
  if (self->lingering_) {
    if (nread < 0) self->Close();
    return;  // discard: the answer is out, we only wait for the peer's FIN
  }
  if (nread < 0 && nread != UV_EOF) {
    // A reset (or another read error): nobody is left to read an answer, so close now and let
    // work in the app's hands end (its late answer is dropped) instead of waiting for it.
    self->Close();
    return;
  }
  if (nread < 0) {
    self->peer_eof_ = true;
    if (self->reading_) {
      uv_read_stop(s);
      self->reading_ = false;
    }
    self->handler_->OnPeerEof();
    return;
  }
  SocketCounters::Add(self->counters_->bytes_in, static_cast<uint64_t>(nread));
  const uint32_t checks = self->read_checks_;
  self->handler_->OnBytes(buf->base, static_cast<size_t>(nread));
  // The read state may have changed (input consumed or held, events charged). A handler that
  // weighed it again itself (HTTP's parse loop ends with UpdateReading) is not asked twice.
  if (self->read_checks_ == checks) self->UpdateReading();
}

// ---- writing --------------------------------------------------------------------------------

SocketTransport::WriteStatus SocketTransport::WriteStream(std::string&& head, std::string&& body,
                                                          bool last) {
  if (closing_) return WriteStatus::kFailed;
  auto* w = new WriteReq{};
  w->sock = this;
  w->head = std::move(head);
  w->body = std::move(body);
  w->last = last;
  w->stream = true;
  w->req.data = w;
  uv_buf_t bufs[2];
  unsigned n = 0;
  if (!w->head.empty()) bufs[n++] = uv_buf_init(&w->head[0], static_cast<unsigned>(w->head.size()));
  if (!w->body.empty()) bufs[n++] = uv_buf_init(&w->body[0], static_cast<unsigned>(w->body.size()));
  if (n == 0) {
    delete w;  // nothing to send (e.g. an empty final chunk): complete now
    return WriteStatus::kWritten;
  }
  SocketCounters::Add(counters_->bytes_out, w->head.size() + w->body.size());
  if (last && writes_pending_ == 0) {
    // Most answers fit the socket buffer: write them now. A uv_write request would cost an
    // extra epoll_ctl per response when it completes (libuv re-arms the watcher).
    int r = uv_try_write(stream(), bufs, n);
    size_t total = w->head.size() + w->body.size();
    if (r >= 0 && static_cast<size_t>(r) == total) {
      delete w;
      return WriteStatus::kWritten;
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
      Log(kLogInfo, std::string("write error: ") + uv_strerror(r));
      Close();
      return WriteStatus::kFailed;
    }
  }
  writes_pending_++;
  if (uv_write(&w->req, stream(), bufs, n, OnWrite) != 0) {
    writes_pending_--;
    delete w;
    Close();
    return WriteStatus::kFailed;
  }
  return WriteStatus::kQueued;
}

bool SocketTransport::CanSendFile() const {
#ifdef __linux__
  return !is_pipe_;
#else
  return false;
#endif
}

int64_t SocketTransport::SendFile(platform::file_t fd, uint64_t offset, uint64_t len) {
#ifdef __linux__
  int sock = -1;
  if (uv_fileno(reinterpret_cast<const uv_handle_t*>(&handle_), &sock) != 0) return -EBADF;
  off_t off = static_cast<off_t>(offset);
  size_t want = len < (1u << 30) ? static_cast<size_t>(len) : (1u << 30);
  for (;;) {
    ssize_t n = ::sendfile(sock, fd, &off, want);
    if (n > 0) {
      SocketCounters::Add(counters_->bytes_out, static_cast<uint64_t>(n));
      return n;
    }
    if (n == 0) return -ENODATA;  // the file ended early
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
    return -errno;
  }
#else
  return -ENOSYS;
#endif
}

void SocketTransport::QueueFrame(std::string&& header, std::string&& payload, bool close_after,
                                 const WriteCounter& counter, int64_t counted) {
  if (closing_) {
    if (counter) counter->fetch_sub(counted, std::memory_order_relaxed);
    return;
  }
  if (!cork_) cork_ = std::make_unique<Corked>();
  cork_bytes_ += header.size() + payload.size();
  cork_->pieces.push_back(std::move(header));
  if (!payload.empty()) cork_->pieces.push_back(std::move(payload));
  if (counter && counted != 0) cork_->counts.emplace_back(counter, counted);
  cork_close_after_ = cork_close_after_ || close_after;
  if (!dirty_) {
    dirty_ = true;
    io_->MarkDirty(this);
  }
}

void SocketTransport::FlushCorked() {
  ASSERT_IO_THREAD();
  dirty_ = false;
  retired_.reset();  // a handler SwapHandler replaced: no frame of it is on the stack now
  if (!cork_ || cork_->pieces.empty()) return;
  std::vector<std::string>& pieces = cork_->pieces;
  WriteCharges& counts = cork_->counts;
  bool close_after = cork_close_after_;
  cork_close_after_ = false;
  cork_bytes_ = 0;  // from here on the bytes are written or in libuv's write queue
  if (closing_) {
    ReleaseCharges(&counts);
    pieces.clear();
    return;
  }
#ifdef _WIN32
  // libuv on Windows hands every buffer of a write to one WSASend, and Wine (whose sockets are
  // sendmsg underneath) refuses more than IOV_MAX (1024) of them, closing the connection: 3,000
  // pongs answered to one read were lost. Many small frames leave as one buffer there.
  if (pieces.size() > 64) {
    size_t bytes = 0;
    for (const auto& p : pieces) bytes += p.size();
    std::string joined;
    joined.reserve(bytes);
    for (const auto& p : pieces) joined.append(p);
    pieces.clear();
    pieces.push_back(std::move(joined));
  }
#endif
  thread_local std::vector<uv_buf_t> bufs;  // I/O thread only; callbacks never nest
  bufs.clear();
  size_t total = 0;
  for (auto& p : pieces) {
    bufs.push_back(uv_buf_init(&p[0], static_cast<unsigned>(p.size())));
    total += p.size();
  }
  SocketCounters::Add(counters_->bytes_out, total);
  size_t done = 0;
  if (writes_pending_ == 0) {
    // Usually the socket takes the whole batch now: no write request, no callback, and no
    // epoll_ctl to re-arm the watcher when it completes (as for stream writes).
    int r = uv_try_write(stream(), bufs.data(), static_cast<unsigned>(bufs.size()));
    if (r < 0 && r != UV_EAGAIN) {
      Log(kLogInfo, std::string("write error: ") + uv_strerror(r));
      ReleaseCharges(&counts);
      pieces.clear();
      Close();
      return;
    }
    if (r > 0) done = static_cast<size_t>(r);
    if (done == total) {
      ReleaseCharges(&counts);
      RecyclePieces(&pieces);  // the vector keeps its capacity for the next batch
      if (close_after) {
        linger_after_writes_ = true;
        Linger();
        return;
      }
      if (!reading_) UpdateReading();  // the output that blocked input (if any) is gone
      return;
    }
  }
  auto* w = new WriteReq{};
  w->sock = this;
  w->last = false;
  w->stream = false;
  w->pieces.swap(pieces);
  w->counts.swap(counts);
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
  if (close_after) linger_after_writes_ = true;
  // The peer is not taking our output as fast as we produce it: the send timeout starts.
  if (was_idle) handler_->OnWriteQueued();
}

void SocketTransport::MarkSendProgress() {
  send_progress_ = false;
  send_mark_ = stream()->write_queue_size;
}

bool SocketTransport::SendProgressed() const {
  return send_progress_ || stream()->write_queue_size < send_mark_;
}

void SocketTransport::OnWrite(uv_write_t* req, int status) {
  ASSERT_IO_THREAD();
  auto* w = static_cast<WriteReq*>(req->data);
  SocketTransport* self = w->sock;
  const bool last = w->last;
  const bool stream = w->stream;
  delete w;
  self->writes_pending_--;
  self->send_progress_ = true;
  if (self->closing_) return;
  if (status != 0) {
    self->Log(kLogInfo, std::string("write error: ") + uv_strerror(status));
    self->Close();
    return;
  }
  if (self->writes_pending_ == 0 && self->linger_after_writes_) {
    self->Linger();  // the corked output that asked for the FIN is written
    return;
  }
  ProtocolHandler* h = self->handler_.get();
  if (stream) h->OnWriteDone(last);
  if (self->closing_) return;
  if (self->writes_pending_ == 0 && self->handler_.get() == h) h->OnWritesDone();
  if (!self->reading_) self->UpdateReading();  // input may have waited for this output to drain
}

// ---- closing --------------------------------------------------------------------------------

void SocketTransport::Linger() {
  // Lingering close (as nginx): send FIN after the answer, then drain and discard what the
  // peer still sends until its FIN or a short deadline. Closing at once with unread input
  // would make the kernel send RST, which can destroy the answer in the peer's buffer.
  if (closing_ || lingering_) return;
  lingering_ = true;
  DropRoute();
  auto* req = new uv_shutdown_t;
  req->data = this;
  if (uv_shutdown(req, stream(), OnShutdown) != 0) {
    delete req;
    Close();
    return;
  }
  uv_timer_start(&timer_, OnLingerTimer, kLingerMs, 0);
}

void SocketTransport::OnShutdown(uv_shutdown_t* req, int status) {
  ASSERT_IO_THREAD();
  auto* self = static_cast<SocketTransport*>(req->data);
  delete req;
  if (self->closing_) return;
  if (status != 0 || self->peer_eof_) {
    self->Close();
    return;
  }
  if (!self->reading_) {
    if (uv_read_start(self->stream(), OnAlloc, OnRead) == 0) {
      self->reading_ = true;
    } else {
      self->Close();
    }
  }
}

void SocketTransport::OnLingerTimer(uv_timer_t* t) {
  static_cast<SocketTransport*>(t->data)->Close();
}

void SocketTransport::Close() {
  ASSERT_IO_THREAD();
  if (closing_) return;
  closing_ = true;
  if (dirty_) {
    io_->UnmarkDirty(this);
    dirty_ = false;
  }
  // (retired_ stays: Close may run inside the retired handler's frames, e.g. a protocol error in
  // the first bytes after an upgrade; the destructor frees it.)
  if (cork_) {
    ReleaseCharges(&cork_->counts);
    cork_->pieces.clear();
  }
  cork_bytes_ = 0;
  if (receive_waiting_) {
    io_->CancelReceiveWait(receive_.get());
    receive_waiting_ = false;
  }
  if (read_paused_) {
    read_paused_ = false;
    SocketCounters::Sub(counters_->reads_paused, 1);
  }
  if (handler_) handler_->OnTransportClosed();
  DropRoute();
  if (reading_) uv_read_stop(stream());
  reading_ = false;
  uv_timer_stop(&timer_);
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), OnHandleClosed);
  if (reset_on_close_ && !is_pipe_ && uv_tcp_close_reset(&handle_.tcp, OnHandleClosed) == 0) return;
  uv_close(reinterpret_cast<uv_handle_t*>(&handle_), OnHandleClosed);
}

void SocketTransport::CloseWithReset() {
  if (closing_) return;
  reset_on_close_ = true;
  Close();
}

void SocketTransport::CloseForStop(int goodbye) {
  ASSERT_IO_THREAD();
  cut_by_stop_ = true;
  if (closing_) return;
  if (goodbye != 0 && handler_) {
    // The handler's goodbye first (a WebSocket's close 1001); it closes the socket once that is
    // written (or when its close timeout passes). HTTP has none and closes at once.
    handler_->OnShutdown(false);
    return;
  }
  Close();
}

void SocketTransport::Drain() {
  ASSERT_IO_THREAD();
  if (closing_ || lingering_ || !handler_) return;
  handler_->OnShutdown(true);
}

void SocketTransport::OnHandleClosed(uv_handle_t* h) {
  ASSERT_IO_THREAD();
  auto* self = static_cast<SocketTransport*>(h->data);
  if (--self->open_handles_ == 0) self->owner_->OnSocketClosed(self);
}

}  // namespace httpuv
