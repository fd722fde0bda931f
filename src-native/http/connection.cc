// Per-socket HTTP state machine (see connection.h): reading, parsing, timers, dispatch and
// closing; the write side is in connection_write.cc. Every function runs on the I/O thread.
#include "http/connection.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "http/server.h"
#include "static/static_files.h"
#include "util/ascii.h"
#include "ws/handshake.h"
#include "ws/upgrade.h"

namespace httpuv {

namespace {

constexpr size_t kReadBufferSize = 64 * 1024;
constexpr uint64_t kLingerMs = 2000;
// Stop reading from a socket while this many unparsed bytes wait (pipelined or paused input).
constexpr size_t kMaxBufferedInput = 256 * 1024;
// What an event costs beyond its payload, for the receive queue: the Event itself and its
// conversion to JS. Makes a flood of empty messages count too.
constexpr int64_t kEventCost = 256;

int OpenTempFile() {
  const char* dir = getenv("TMPDIR");
  std::string tmpl = std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") +
                     "/node-httpuv-body-XXXXXX";
  int fd = mkstemp(&tmpl[0]);
  if (fd < 0) return -1;
  unlink(tmpl.c_str());  // the body lives as long as its descriptor, even if we crash
  fcntl(fd, F_SETFD, FD_CLOEXEC);
  return fd;
}

bool WriteAll(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

}  // namespace

Connection::Connection(Server* server, bool is_pipe)
    : server_(server),
      is_pipe_(is_pipe),
      parser_(&server->limits(), this),
      receive_(std::make_shared<ReceiveBudget>(
          static_cast<int64_t>(server->limits().receive_queue_limit))) {
  uv_loop_t* loop = server->registry()->loop();
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

Connection::~Connection() = default;

ServerRegistry* Connection::registry() { return server_->registry(); }

uint64_t Connection::Now() const { return uv_now(server_->registry()->loop()); }

void Connection::Emit(Event&& e) { registry()->Emit(std::move(e)); }

void Connection::Log(int level, std::string text) { registry()->Log(level, std::move(text)); }

void Connection::FillPeerInfo() {
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

void Connection::Start() {
  ASSERT_IO_THREAD();
  if (!is_pipe_) uv_tcp_nodelay(&handle_.tcp, 1);
  FillPeerInfo();
  ArmTimer(server_->limits().headers_timeout_ms);
  UpdateReading();
}

// ---- timers ---------------------------------------------------------------------------------

void Connection::ArmTimer(uint64_t ms) {
  if (closing_ || lingering_) return;
  send_timer_ = false;
  if (ms == 0) {
    uv_timer_stop(&timer_);
    return;
  }
  uv_timer_start(&timer_, OnTimer, ms, 0);
}

void Connection::StopTimer() {
  send_timer_ = false;
  if (!lingering_) uv_timer_stop(&timer_);
}

void Connection::OnTimer(uv_timer_t* t) {
  ASSERT_IO_THREAD();
  auto* self = static_cast<Connection*>(t->data);
  if (self->closing_) return;
  if (self->phase_ == Phase::kUpgraded) {
    self->upgraded_->OnTimer();  // the upgraded protocol owns the timer
    return;
  }
  if (self->send_timer_) {
    self->send_timer_ = false;
    if (self->writes_pending_ == 0) return;
    size_t queued = self->stream()->write_queue_size;
    if (self->send_progress_ || queued < self->send_mark_) {  // the client read something: another period
      self->ArmSendTimer();
      return;
    }
    self->registry()->Log(kLogInfo, "send timed out: the client stopped reading the response");
    self->Close();
    return;
  }
  if ((self->phase_ == Phase::kHeaders && self->message_bytes_seen_) ||
      self->phase_ == Phase::kBody) {
    self->registry()->Log(kLogInfo, "request timed out");
    self->WriteError(408, "request timeout");
    return;
  }
  // Idle keep-alive, or a connection that never sent a request: close quietly (as Node does).
  self->Close();
}

// ---- reading --------------------------------------------------------------------------------

void Connection::UpdateReading() {
  // Every reason to stop reading is checked here, so no input path can bypass it: unparsed
  // input over kMaxBufferedInput (HTTP pipelining), bytes the upgraded protocol held back
  // (WebSocket frames not fed to the frame parser), and InputBlocked() (JS or the peer is
  // behind). Held bytes are fed first whenever nothing blocks them any more.
  for (;;) {
    if (closing_ || peer_eof_ || lingering_) return;
    if (upgraded_ && upgraded_->HoldsInput() && !InputBlocked()) {
      upgraded_->FeedHeld();  // stops again as soon as the input is blocked
      continue;
    }
    if (receive_->Over() && !ArmReceiveWake()) continue;  // JS caught up meanwhile: look again
    break;
  }
  bool want = (in_buf_.size() - in_off_) < kMaxBufferedInput &&
              !(upgraded_ && upgraded_->HoldsInput()) && !InputBlocked();
  if (want && !reading_) {
    if (uv_read_start(stream(), OnAlloc, OnRead) == 0) reading_ = true;
  } else if (!want && reading_) {
    uv_read_stop(stream());
    reading_ = false;
  }
  if (!want && !read_paused_) {
    read_paused_ = true;
    ServerStats::Add(server_->stats().reads_paused, 1);
  } else if (want && read_paused_) {
    read_paused_ = false;
    ServerStats::Sub(server_->stats().reads_paused, 1);
  }
}

bool Connection::ArmReceiveWake() {
  // Register for the wake-up the JS thread's discharge sends (registry → OnReceiveDrained),
  // then look again: JS may have caught up before it could see `waiting`.
  if (!receive_waiting_) {
    registry()->WaitForReceive(receive_.get(), this);
    receive_waiting_ = true;
  }
  receive_->waiting.store(true);
  if (receive_->Over()) return true;
  receive_->waiting.store(false);  // if JS took it first, its wake-up finds nothing to do
  return false;
}

bool Connection::OutputFull() const {
  // Only an upgraded protocol queues output without an answer to a request (a WebSocket's pongs,
  // close frames and the app's messages) and sets a limit. HTTP has at most one response in
  // flight (the parser waits for it to leave).
  return output_limit_ != 0 && OutputQueued() > output_limit_;
}

void Connection::OnReceiveDrained() {
  ASSERT_IO_THREAD();
  receive_waiting_ = false;  // the registry has dropped our entry
  ResumeInput();
}

void Connection::ResumeInput() { UpdateReading(); }

void Connection::EmitCharged(Event&& e) {
  int64_t bytes = kEventCost + static_cast<int64_t>(e.data.size() + e.method.size() +
                                                    e.target.size());
  for (const auto& h : e.headers) bytes += static_cast<int64_t>(h.first.size() + h.second.size());
  receive_->queued.fetch_add(bytes);
  e.charge.budget = receive_;
  e.charge.bytes = bytes;
  registry()->Emit(std::move(e));
}

void Connection::OnAlloc(uv_handle_t*, size_t, uv_buf_t* buf) {
  ASSERT_IO_THREAD();
  // One read buffer per I/O thread: callbacks never nest, and OnRead copies what it keeps, so
  // an idle connection costs no read buffer at all (S5 in the benchmarks).
  thread_local std::unique_ptr<char[]> shared(new char[kReadBufferSize]);
  buf->base = shared.get();
  buf->len = kReadBufferSize;
}

void Connection::OnRead(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  ASSERT_IO_THREAD();
  auto* self = static_cast<Connection*>(s->data);
  if (self->closing_ || nread == 0) return;
  if (self->lingering_) {
    if (nread < 0) self->Close();
    return;  // discard: the answer is out, we only wait for the client's FIN
  }
  if (nread < 0 && nread != UV_EOF) {
    // A reset (or another read error): nobody is left to read an answer, so close now and let
    // a request in the app's hands end (its late answer is dropped) instead of waiting for it.
    self->Close();
    return;
  }
  if (nread < 0) {
    self->peer_eof_ = true;
    if (self->reading_) {
      uv_read_stop(s);
      self->reading_ = false;
    }
    if (self->phase_ == Phase::kUpgraded) {
      self->upgraded_->OnPeerEof();
      return;
    }
    // A request still waiting for its answer is answered, then the connection closes;
    // a partial request (H57/H58) or an idle connection just closes.
    if (self->phase_ == Phase::kWaitResponse || self->phase_ == Phase::kWaitOnHeaders ||
        self->response_in_flight_) {
      self->close_after_response_ = true;
      return;
    }
    if (self->phase_ == Phase::kIdle && self->in_off_ < self->in_buf_.size()) {
      // Complete requests may still be buffered behind a paused parser.
      self->close_after_response_ = true;
      self->ProcessInput();
      return;
    }
    self->Close();
    return;
  }
  // No timer change here: a request's timers start in OnMessageBegin, so bytes that begin no
  // request (blank lines, which RFC 9112 §2.2 lets a server skip) cannot keep an idle
  // connection open past its timeout.
  ServerStats::Add(self->server_->stats().bytes_in, static_cast<uint64_t>(nread));
  if (self->phase_ == Phase::kUpgraded) {
    self->upgraded_->OnBytes(buf->base, static_cast<size_t>(nread));
    self->UpdateReading();
    return;
  }
  self->in_buf_.append(buf->base, static_cast<size_t>(nread));
  self->ProcessInput();
}

void Connection::ProcessInput(bool after_resume) {
  // After a resume the parser may have work that needs no input (a message paused in
  // on_headers_complete whose body is empty completes on an empty execute).
  if (after_resume) force_execute_ = true;
  // Never re-entered: everything that finishes a response (OnResponseWritten, HandleUpgrade,
  // WriteError) may ask for more input processing by calling here again; when this loop is
  // already on the stack that call only leaves its state (parser resumed, force_execute_) for
  // the loop below to pick up. So a run of N pipelined requests answered at once costs N turns
  // of this loop, not N nested frames (bounded stack depth: src-native/README.md).
  if (in_process_input_) return;
  in_process_input_ = true;
  while (!closing_ && !lingering_ && !parser_paused_ && phase_ != Phase::kUpgraded &&
         (in_off_ < in_buf_.size() || force_execute_)) {
    force_execute_ = false;
    in_execute_ = true;
    Parser::Result r = parser_.Execute(in_buf_.data() + in_off_, in_buf_.size() - in_off_);
    in_execute_ = false;
    in_off_ += r.consumed;
    if (written_sync_) {
      // A response (static, or an early error) was fully written inside a parser callback.
      written_sync_ = false;
      if (r.state == Parser::State::kPaused) parser_paused_ = true;
      if (r.state == Parser::State::kError) {
        in_off_ = in_buf_.size();
        close_after_response_ = true;
      }
      OnResponseWritten();  // resumes the parser (or lingers); the loop goes on from here
      continue;
    }
    if (r.state == Parser::State::kPaused) {
      parser_paused_ = true;
      break;
    }
    if (r.state == Parser::State::kUpgrade) {
      HandleUpgrade();
      continue;
    }
    if (r.state == Parser::State::kError) {
      registry()->Log(kLogInfo, "bad request (" + std::to_string(r.error_status) + "): " +
                                    r.reason);
      in_off_ = in_buf_.size();
      WriteError(r.error_status, r.reason);
      break;
    }
  }
  in_process_input_ = false;
  force_execute_ = false;
  if (closing_ || phase_ == Phase::kUpgraded) return;
  if (lingering_) {
    // The answer is out and the rest of the input is never parsed: drop it (OnRead discards
    // whatever follows until the client's FIN).
    std::string().swap(in_buf_);
    in_off_ = 0;
    return;
  }
  if (in_off_ == in_buf_.size()) {
    // Everything read was parsed: give the buffer back, so an idle keep-alive connection holds
    // no input memory (S5); the next read allocates afresh, one small malloc per request.
    std::string().swap(in_buf_);
    in_off_ = 0;
  } else if (in_off_ > kMaxBufferedInput) {
    in_buf_.erase(0, in_off_);
    in_off_ = 0;
  }
  UpdateReading();
}

void Connection::HandleUpgrade() {
  if (upgraded_) {
    // Bytes already received after the handshake are the first frames of the new protocol.
    std::string rest = in_buf_.substr(in_off_);
    std::string().swap(in_buf_);  // upgraded bytes never go through in_buf_ again
    in_off_ = 0;
    if (!rest.empty()) upgraded_->OnBytes(rest.data(), rest.size());
    UpdateReading();
    return;
  }
  // An Upgrade we do not speak was answered as plain HTTP: keep parsing HTTP.
  parser_.ResumeAfterUpgrade();
  ProcessInput(true);
}

// ---- parser callbacks -----------------------------------------------------------------------

int Connection::OnMessageBegin() {
  phase_ = Phase::kHeaders;
  message_bytes_seen_ = true;
  responded_ = false;
  message_complete_ = false;
  discard_body_ = false;
  body_seen_ = 0;
  EndJsRequest();  // defensive: FinishRequest or Linger has ended the previous request
  current_id_ = 0;
  message_start_ms_ = uv_now(registry()->loop());
  const ServerLimits& lim = server_->limits();
  uint64_t t = lim.headers_timeout_ms;
  if (lim.request_timeout_ms != 0 && (t == 0 || lim.request_timeout_ms < t)) {
    t = lim.request_timeout_ms;
  }
  ArmTimer(t);
  return 0;
}

int Connection::ValidateRequest(Request& req) {
  if (req.http_major == 0) {
    parser_.Fail(400, "HTTP/0.9 is not supported");
    return -1;
  }
  if (req.http_major > 1) {
    parser_.Fail(505, "HTTP version not supported");
    return -1;
  }
  int hosts = req.CountHeader("host");
  if ((req.http_minor >= 1 && hosts == 0) || hosts > 1) {
    // RFC 9112 §3.2: a server MUST answer 400 to HTTP/1.1 without Host or with several.
    parser_.Fail(400, hosts == 0 ? "missing Host header" : "multiple Host headers");
    return -1;
  }
  if (req.http_minor == 0 && req.FindHeader("transfer-encoding") != nullptr) {
    parser_.Fail(400, "Transfer-Encoding in an HTTP/1.0 request");
    return -1;
  }
  uint64_t max_body = server_->limits().max_body_size;
  const std::string* cl = req.FindHeader("content-length");
  if (max_body != 0 && cl != nullptr && strtoull(cl->c_str(), nullptr, 10) > max_body) {
    parser_.Fail(413, "body larger than maxBodySize");
    return -1;
  }
  return 0;
}

int Connection::OnHeadersComplete(Request& req) {
  if (ValidateRequest(req) != 0) return -1;
  ServerStats::Add(server_->stats().requests_total, 1);
  req.id = registry()->NextId();
  current_id_ = req.id;
  registry()->AddRoute(current_id_, this);
  is_head_ = req.method == "HEAD";
  keep_alive_ = req.keep_alive;
  http10_ = req.http_minor == 0;
  has_body_framing_ = req.has_body_framing;
  const std::string* expect = req.FindHeader("expect");
  expect_continue_ = expect != nullptr && req.http_minor >= 1 &&
                     util::EqualsIgnoreCase(*expect, "100-continue");
  if (expect != nullptr && !expect_continue_ && req.http_minor >= 1) {
    // RFC 9110 §10.1.1: an expectation we cannot meet gets 417 (as Node does).
    parser_.Fail(417, "unsupported Expect");
    return -1;
  }

  ws_candidate_ = false;
  if (req.upgrade) {
    if (req.method == "CONNECT") {
      parser_.Fail(501, "CONNECT not supported");
      return -1;
    }
    // A WebSocket upgrade goes through the handshake when the app takes WebSockets; any other
    // Upgrade (h2c…), or one the app has no onWSOpen for, is served as plain HTTP: RFC 9110
    // §7.8 lets a server ignore Upgrade.
    ws_candidate_ = server_->limits().has_on_ws_open && ws::IsWebSocketUpgrade(req.headers);
  }

  if (!req.upgrade && TryStatic(req)) {
    // Answered from the static paths on this thread; the body (if any) is read and dropped.
    return 0;
  }

  if (server_->limits().has_on_headers) {
    phase_ = Phase::kWaitOnHeaders;
    StopTimer();
    EmitRequestEvent(kEventHeaders, req, false);
    js_holds_ = true;
    return parser_.PauseHere();
  }
  if (expect_continue_) {
    WriteRaw("HTTP/1.1 100 Continue\r\n\r\n", false);
    expect_continue_ = false;
  }
  phase_ = Phase::kBody;
  ArmBodyTimer();
  // Upgrade requests we do not speak are served as plain requests (0 keeps llhttp from treating
  // the following bytes as another protocol only for non-CONNECT methods with a body framing).
  return 0;
}

void Connection::ArmBodyTimer() {
  // The body must arrive within what is left of requestTimeoutMs (it bounds the whole request,
  // headers and body, as Node's does).
  const ServerLimits& lim = server_->limits();
  if (lim.request_timeout_ms == 0) {
    StopTimer();
    return;
  }
  uint64_t elapsed = uv_now(registry()->loop()) - message_start_ms_;
  ArmTimer(elapsed >= lim.request_timeout_ms ? 1 : lim.request_timeout_ms - elapsed);
}

bool Connection::TryStatic(Request& req) {
  std::shared_ptr<const StaticConfig> config = server_->static_config();
  if (!config || config->entries.empty()) return false;
  statics::StaticRequest sreq;
  sreq.method = req.method;
  sreq.target = req.target;
  sreq.headers = &req.headers;
  statics::StaticResult r = statics::ServeStatic(*config, sreq);
  if (r.kind != statics::StaticResult::Kind::kRespond) return false;
  if (r.close_connection) close_after_response_ = true;
  ResponseSpec spec;
  spec.status = r.status;
  spec.headers = std::move(r.headers);
  if (r.fd >= 0 || (r.head_only && r.length > 0)) {
    // HEAD gets no fd (nothing to send) but keeps the file's Content-Length.
    spec.body_kind = ResponseSpec::BodyKind::kFd;
    spec.fd = FdHandle(r.fd);
    spec.fd_offset = r.offset;
    spec.fd_length = r.length;
  } else if (!r.body.empty() || !StatusForbidsBody(r.status)) {
    spec.body_kind = ResponseSpec::BodyKind::kMemory;
    spec.body = std::move(r.body);
  }
  if (registry()->LogEnabled(kLogInfo)) {
    registry()->Log(kLogInfo, req.method + " " + req.target + " " + std::to_string(r.status) +
                                  " (static)");
  }
  ServerStats::Add(server_->stats().requests_static, 1);
  discard_body_ = true;
  phase_ = Phase::kBody;
  WriteResponse(std::move(spec));
  return true;
}

bool Connection::AppendBody(const char* at, size_t len) {
  Request* req = parser_.current();
  const ServerLimits& lim = server_->limits();
  if (req->body_fd.get() < 0 && req->body.size() + len > lim.body_spill_threshold) {
    int fd = OpenTempFile();
    if (fd < 0 || !WriteAll(fd, req->body.data(), req->body.size())) {
      if (fd >= 0) ::close(fd);
      registry()->Log(kLogError, std::string("cannot spill request body: ") + strerror(errno));
      return false;
    }
    req->body_fd = FdHandle(fd);
    std::string().swap(req->body);
  }
  if (req->body_fd.get() >= 0) {
    if (!WriteAll(req->body_fd.get(), at, len)) return false;
  } else {
    req->body.append(at, len);
  }
  req->body_length += len;
  return true;
}

int Connection::OnBody(const char* at, size_t len) {
  body_seen_ += len;
  uint64_t max_body = server_->limits().max_body_size;
  if (max_body != 0 && body_seen_ > max_body) {
    parser_.Fail(413, "body larger than maxBodySize");
    return -1;
  }
  if (discard_body_) return 0;
  if (!AppendBody(at, len)) {
    parser_.Fail(500, "cannot store request body");
    return -1;
  }
  return 0;
}

int Connection::OnMessageComplete() {
  message_complete_ = true;
  StopTimer();
  if (responded_) {
    // Answered early (onHeaders or an error): the body was drained; next request only after the
    // answer has left.
    if (response_in_flight_ || close_after_response_) {
      if (writes_pending_ > 0) ArmSendTimer();
      return parser_.PauseHere();
    }
    FinishRequest();
    return 0;
  }
  if (ws_candidate_) return AcceptWebSocket();
  phase_ = Phase::kWaitResponse;
  ServerStats::Add(server_->stats().requests_js, 1);
  std::unique_ptr<Request> req = parser_.TakeRequest();
  EmitRequestEvent(kEventRequest, *req, true);
  js_holds_ = true;
  return parser_.PauseHere();
}

int Connection::AcceptWebSocket() {
  std::unique_ptr<Request> req = parser_.TakeRequest();
  const WsLimits& ws_limits = server_->limits().ws;
  ws::HandshakeOptions opts;
  opts.enable_deflate = ws_limits.per_message_deflate;
  opts.protocols = ws_limits.protocols;
  ws::HandshakeResult hs =
      ws::EvaluateHandshake(req->method, req->http_major, req->http_minor, req->headers, opts);
  if (!hs.ok) {
    registry()->Log(kLogInfo, "WebSocket handshake refused: " + hs.error);
    WriteError(hs.status, hs.error, hs.error_headers);
    return parser_.PauseHere();
  }
  if (server_->stopping()) {
    // The upgrade request was in progress when the server began to drain: a new WebSocket now
    // would only be closed with 1001 at once.
    registry()->Log(kLogInfo, "WebSocket upgrade refused: the server is stopping");
    WriteError(503, "server stopping");
    return parser_.PauseHere();
  }
  // 101, then the bytes after the request belong to the WebSocket (llhttp stops with
  // HPE_PAUSED_UPGRADE right after this callback; HandleUpgrade takes over). The hand-off: the
  // WebSocket handler speaks over this transport from here on; HTTP is done with the socket.
  registry()->RemoveRoute(current_id_);
  js_holds_ = false;  // JS's state for the request moves to the WebSocket (kEventWsOpen)
  responded_ = true;
  upgraded_id_ = current_id_;
  registry()->AddRoute(upgraded_id_, this);
  WriteRaw(ws::BuildAcceptResponse(hs, HttpDateNow()), false);
  phase_ = Phase::kUpgraded;
  StopTimer();
  ws::SessionEnv env;
  env.counters = &registry()->ws_counters();
  env.open_count = &server_->stats().websockets_open;
  env.total_count = &server_->stats().websockets_total;
  upgraded_ = ws::NewSession(this, upgraded_id_, ws_limits, hs.deflate, env);
  EmitRequestEvent(kEventWsOpen, *req, false, hs.protocol);
  upgraded_->OnStart();
  return 0;
}

void Connection::EmitRequestEvent(int kind, Request& req, bool with_body,
                                  const std::string& protocol) {
  Event e;
  e.kind = static_cast<EventKind>(kind);
  e.server_id = server_->id();
  e.id = req.id;
  e.peer = peer_;
  e.http_minor = req.http_minor;
  if (with_body) {
    e.method = std::move(req.method);
    e.target = std::move(req.target);
    e.headers = std::move(req.headers);
    e.data = std::move(req.body);
    e.fd = std::move(req.body_fd);
    e.length = req.body_length;
  } else {
    e.method = req.method;
    e.target = req.target;
    e.headers = req.headers;
    e.data = protocol;
  }
  EmitCharged(std::move(e));
}

// ---- commands from JS -----------------------------------------------------------------------

void Connection::ContinueRequest(uint64_t id) {
  ASSERT_IO_THREAD();
  if (closing_ || id != current_id_ || phase_ != Phase::kWaitOnHeaders || responded_) return;
  if (expect_continue_ && !peer_eof_) {  // (a half-closed client can send no body: no 100)
    WriteRaw("HTTP/1.1 100 Continue\r\n\r\n", false);
  }
  expect_continue_ = false;
  phase_ = Phase::kBody;
  ArmBodyTimer();
  parser_paused_ = false;
  parser_.Resume();
  ProcessInput(true);
  if (!closing_ && peer_eof_ && phase_ == Phase::kBody && !message_complete_ && !responded_) {
    // The client half-closed while onHeaders ran and the body is still incomplete: it can never
    // arrive, so answer 400 and close now rather than at requestTimeoutMs. (A complete body has
    // gone on to call above; its answer is written, then the connection closes.)
    registry()->Log(kLogInfo, "client closed its side before sending the whole body");
    WriteError(400, "incomplete body: the client closed the connection");
  }
}

void Connection::FinishRequest() {
  phase_ = Phase::kIdle;
  EndJsRequest();
  current_id_ = 0;
  responded_ = false;
  message_complete_ = false;
  message_bytes_seen_ = false;
  ArmTimer(server_->limits().keep_alive_timeout_ms);
  if (peer_eof_ && in_off_ >= in_buf_.size()) Close();
}

// ---- closing --------------------------------------------------------------------------------

void Connection::Linger() {
  // Lingering close (as nginx): send FIN after the answer, then drain and discard what the
  // client still sends until its FIN or a short deadline. Closing at once with unread input
  // would make the kernel send RST, which can destroy the answer in the client's buffer.
  if (closing_ || lingering_) return;
  lingering_ = true;
  phase_ = Phase::kIdle;
  EndJsRequest();
  if (current_id_ != 0) registry()->RemoveRoute(current_id_);
  current_id_ = 0;
  auto* req = new uv_shutdown_t;
  req->data = this;
  if (uv_shutdown(req, stream(), OnShutdown) != 0) {
    delete req;
    Close();
    return;
  }
  uv_timer_start(&timer_, OnLingerTimer, kLingerMs, 0);
}

void Connection::OnShutdown(uv_shutdown_t* req, int status) {
  ASSERT_IO_THREAD();
  auto* self = static_cast<Connection*>(req->data);
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

void Connection::OnLingerTimer(uv_timer_t* t) { static_cast<Connection*>(t->data)->Close(); }

void Connection::Close() {
  ASSERT_IO_THREAD();
  if (closing_) return;
  closing_ = true;
  if (dirty_) {
    registry()->UnmarkDirty(this);
    dirty_ = false;
  }
  ReleaseCharges(&cork_counts_);
  cork_.clear();
  cork_bytes_ = 0;
  if (receive_waiting_) {
    registry()->CancelReceiveWait(receive_.get());
    receive_waiting_ = false;
  }
  if (read_paused_) {
    read_paused_ = false;
    ServerStats::Sub(server_->stats().reads_paused, 1);
  }
  if (upgraded_) upgraded_->OnTransportClosed();
  if (upgraded_id_ != 0) registry()->RemoveRoute(upgraded_id_);
  EndJsRequest();
  if (current_id_ != 0) registry()->RemoveRoute(current_id_);
  file_fd_.Reset();
  if (reading_) uv_read_stop(stream());
  reading_ = false;
  uv_timer_stop(&timer_);
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), OnHandleClosed);
  uv_close(reinterpret_cast<uv_handle_t*>(&handle_), OnHandleClosed);
}

void Connection::EndJsRequest() {
  if (!js_holds_) return;
  js_holds_ = false;
  Event e;
  e.kind = kEventRequestEnded;
  e.server_id = server_->id();
  e.code = cut_by_stop_ ? kRequestEndedStopped : kRequestEndedGone;
  e.id = current_id_;
  registry()->Emit(std::move(e));
}

void Connection::CloseForStop(int goodbye) {
  ASSERT_IO_THREAD();
  cut_by_stop_ = true;
  if (closing_) return;
  if (upgraded_ && goodbye != 0) {
    // The upgraded protocol's goodbye first (a WebSocket's close 1001); it closes the socket
    // once that is written (or when its close timeout passes).
    upgraded_->OnShutdown(false);
    return;
  }
  Close();
}

void Connection::Drain() {
  ASSERT_IO_THREAD();
  if (closing_ || lingering_) return;
  if (phase_ == Phase::kUpgraded) {
    upgraded_->OnShutdown(true);
    return;
  }
  // Whatever is answered from now on is this connection's last answer: WriteResponse adds
  // `Connection: close` (the server is stopping), and a response already leaving is followed by
  // the FIN instead of the next pipelined request (nginx's graceful shutdown does the same).
  close_after_response_ = true;
  switch (phase_) {
    case Phase::kWaitOnHeaders:
    case Phase::kWaitResponse:
      return;  // the app has the request; its answer goes out, then the connection closes
    case Phase::kBody:
      if (responded_ && !response_in_flight_) {
        // Answered early (static file, onHeaders) and fully written; only the rest of the body
        // was still to be read and dropped. Nothing is owed to this client any more.
        Linger();
      }
      return;  // otherwise the body keeps coming and the request goes to the app
    case Phase::kIdle:
    case Phase::kHeaders:
    default:
      // No request in progress: an idle keep-alive connection, one that never sent a byte, or
      // one still sending a request line and headers (as Node's closeIdleConnections, a request
      // counts as received once its headers are complete). A response still being written
      // (pipelining) finishes first.
      if (response_in_flight_) return;
      Close();
      return;
  }
}

void Connection::OnHandleClosed(uv_handle_t* h) {
  ASSERT_IO_THREAD();
  auto* self = static_cast<Connection*>(h->data);
  if (--self->open_handles_ == 0) {
    self->server_->OnConnectionClosed(self);
  }
}

}  // namespace httpuv
