// HTTP/1.1 over a socket (see http1_handler.h): reading, parsing, request phases, timers,
// dispatch and the drain; responses are in http1_response.cc. Every function runs on the I/O
// thread.
#include "http/http1_handler.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "http/server.h"
#include "platform/file.h"
#include "static/static_files.h"
#include "util/ascii.h"
#include "ws/upgrade.h"

namespace httpuv {

namespace {

// Stop reading from a socket while this many unparsed bytes wait (pipelined or paused input).
constexpr size_t kMaxBufferedInput = 256 * 1024;

}  // namespace

Http1Handler::Http1Handler(SocketTransport* transport, Server* server)
    : ProtocolHandler(ProtocolKind::kHttp1),
      transport_(transport),
      server_(server),
      parser_(&server->limits(), this) {}

Http1Handler::~Http1Handler() = default;

ServerRegistry* Http1Handler::registry() { return server_->registry(); }

void Http1Handler::OnStart() { ArmTimer(server_->limits().headers_timeout_ms); }

// ---- timers ---------------------------------------------------------------------------------

void Http1Handler::ArmTimer(uint64_t ms) {
  send_timer_ = false;
  transport_->ArmTimer(ms);
}

void Http1Handler::StopTimer() {
  send_timer_ = false;
  transport_->StopTimer();
}

void Http1Handler::OnTimer() {
  if (send_timer_) {
    send_timer_ = false;
    if (transport_->WritesPending() == 0) return;
    if (transport_->SendProgressed()) {  // the client read something: another period
      ArmSendTimer();
      return;
    }
    transport_->Log(kLogInfo, "send timed out: the client stopped reading the response");
    transport_->Close();
    return;
  }
  if (phase_ == Phase::kBody && consumer_paused_ && !message_complete_) {
    return;  // (not armed while the reading waits for the app; ConsumerPauseEnd arms it again)
  }
  if ((phase_ == Phase::kHeaders && message_bytes_seen_) || phase_ == Phase::kBody) {
    transport_->Log(kLogInfo, "request timed out");
    WriteError(408, "request timeout");
    return;
  }
  // Idle keep-alive, or a connection that never sent a request: close quietly (as Node does).
  transport_->Close();
}

// ---- reading --------------------------------------------------------------------------------

bool Http1Handler::InputFull() const {
  return in_buf_.size() - in_off_ >= kMaxBufferedInput ||
         (body_streams_ && body_unconsumed_ > server_->limits().receive_queue_limit);
}

void Http1Handler::OnPeerEof() {
  if (stream_) {
    // The client is gone while a streamed answer is open (an SSE client that left): end it now,
    // so that JS stops the app's source (kEventRequestEnded), as Node ends a response whose
    // socket ended.
    transport_->Close();
    return;
  }
  // A request still waiting for its answer is answered, then the connection closes;
  // a partial request (H57/H58) or an idle connection just closes.
  if (phase_ == Phase::kWaitResponse || phase_ == Phase::kWaitOnHeaders || response_in_flight_) {
    close_after_response_ = true;
    if (js_holds_) {
      // Not an end: the answer is still written, but an app.fetch Request's signal aborts.
      Event e;
      e.kind = kEventRequestEnded;
      e.server_id = server_->id();
      e.id = current_id_;
      e.code = kRequestEndedClientEof;
      registry()->Emit(std::move(e));
    }
    return;
  }
  if (phase_ == Phase::kIdle && in_off_ < in_buf_.size()) {
    // Complete requests may still be buffered behind a paused parser.
    close_after_response_ = true;
    ProcessInput();
    return;
  }
  transport_->Close();
}

void Http1Handler::OnBytes(const char* data, size_t len) {
  // No timer change here: a request's timers start in OnMessageBegin, so bytes that begin no
  // request (blank lines, which RFC 9112 §2.2 lets a server skip) cannot keep an idle
  // connection open past its timeout.
  in_buf_.append(data, len);
  ProcessInput();
}

void Http1Handler::ProcessInput(bool after_resume) {
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
  while (!transport_->closing() && !transport_->lingering() && !parser_paused_ &&
         phase_ != Phase::kUpgraded &&
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
      transport_->Log(kLogInfo, "bad request (" + std::to_string(r.error_status) + "): " +
                                    r.reason);
      in_off_ = in_buf_.size();
      WriteError(r.error_status, r.reason);
      break;
    }
  }
  in_process_input_ = false;
  force_execute_ = false;
  if (transport_->closing() || phase_ == Phase::kUpgraded) return;
  if (transport_->lingering()) {
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
  transport_->UpdateReading();
}

void Http1Handler::HandleUpgrade() {
  if (phase_ == Phase::kUpgraded) {
    // Bytes already received after the handshake are the first frames of the new protocol,
    // which speaks over the socket now (this handler is retired).
    std::string rest = in_buf_.substr(in_off_);
    std::string().swap(in_buf_);  // upgraded bytes never go through in_buf_ again
    in_off_ = 0;
    if (!rest.empty() && !transport_->closing()) {
      transport_->handler()->OnBytes(rest.data(), rest.size());
    }
    transport_->UpdateReading();
    return;
  }
  // An Upgrade we do not speak was answered as plain HTTP: keep parsing HTTP.
  parser_.ResumeAfterUpgrade();
  ProcessInput(true);
}

// ---- parser callbacks -----------------------------------------------------------------------

int Http1Handler::OnMessageBegin() {
  phase_ = Phase::kHeaders;
  message_bytes_seen_ = true;
  responded_ = false;
  message_complete_ = false;
  discard_body_ = false;
  body_seen_ = 0;
  body_streams_ = false;
  body_stream_pending_ = false;
  body_stream_started_ = false;
  body_unconsumed_ = 0;
  consumer_paused_ = false;
  EndJsRequest();  // defensive: FinishRequest or Linger has ended the previous request
  current_id_ = 0;
  message_start_ms_ = transport_->Now();
  access_ = false;
  const ServerLimits& lim = server_->limits();
  uint64_t t = lim.headers_timeout_ms;
  if (lim.request_timeout_ms != 0 && (t == 0 || lim.request_timeout_ms < t)) {
    t = lim.request_timeout_ms;
  }
  ArmTimer(t);
  return 0;
}

int Http1Handler::ValidateRequest(Request& req) {
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

int Http1Handler::OnHeadersComplete(Request& req) {
  // Access log: only while INFO is on (a relaxed atomic load per request otherwise). Captured
  // before the checks, so a request refused here (400 without Host, 413, 417…) is logged too.
  access_ = registry()->LogEnabled(kLogInfo);
  if (access_) {
    if (!access_rec_) access_rec_ = std::make_unique<AccessRecord>();
    access_rec_->is_static = false;
    access_rec_->start_ns = uv_hrtime();
    access_rec_->method = req.method;
    access_rec_->target = req.target;
  }
  if (ValidateRequest(req) != 0) return -1;
  ServerStats::Add(server_->stats().requests_total, 1);
  req.id = IoContext::NextId();
  current_id_ = req.id;
  transport_->SetRoute(current_id_);
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

  body_stream_pending_ = WantsBodyStream(req);
  if (server_->limits().has_on_headers) {
    phase_ = Phase::kWaitOnHeaders;
    StopTimer();
    EmitRequestEvent(kEventHeaders, req, false);
    js_holds_ = true;
    return parser_.PauseHere();
  }
  if (expect_continue_) {
    WriteRaw("HTTP/1.1 100 Continue\r\n\r\n");
    expect_continue_ = false;
  }
  phase_ = Phase::kBody;
  ArmBodyTimer();
  if (body_stream_pending_) StartBodyStream(req);
  // Upgrade requests we do not speak are served as plain requests (0 keeps llhttp from treating
  // the following bytes as another protocol only for non-CONNECT methods with a body framing).
  return 0;
}

void Http1Handler::ArmBodyTimer() {
  // The body must arrive within what is left of requestTimeoutMs (it bounds the whole request,
  // headers and body, as Node's does).
  const ServerLimits& lim = server_->limits();
  if (lim.request_timeout_ms == 0) {
    StopTimer();
    return;
  }
  uint64_t elapsed = transport_->Now() - message_start_ms_;
  ArmTimer(elapsed >= lim.request_timeout_ms ? 1 : lim.request_timeout_ms - elapsed);
}

bool Http1Handler::TryStatic(Request& req) {
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
  if (access_) access_rec_->is_static = true;  // its access line (kEventAccess) says "static"
  ServerStats::Add(server_->stats().requests_static, 1);
  discard_body_ = true;
  phase_ = Phase::kBody;
  WriteResponse(std::move(spec));
  return true;
}

bool Http1Handler::AppendBody(const char* at, size_t len) {
  Request* req = parser_.current();
  const ServerLimits& lim = server_->limits();
  if (req->body_fd.get() < 0 && req->body.size() + len > lim.body_spill_threshold) {
    platform::file_t fd = platform::OpenTempFile();
    if (fd < 0 || !platform::WriteAll(fd, req->body.data(), req->body.size())) {
      const std::string why = platform::LastErrorText();
      if (fd >= 0) platform::CloseFile(fd);
      transport_->Log(kLogError, "cannot spill request body: " + why);
      return false;
    }
    req->body_fd = FdHandle(fd);
    std::string().swap(req->body);
  }
  if (req->body_fd.get() >= 0) {
    if (!platform::WriteAll(req->body_fd.get(), at, len)) return false;
  } else {
    req->body.append(at, len);
  }
  req->body_length += len;
  return true;
}

int Http1Handler::OnBody(const char* at, size_t len) {
  body_seen_ += len;
  uint64_t max_body = server_->limits().max_body_size;
  if (max_body != 0 && body_seen_ > max_body) {
    parser_.Fail(413, "body larger than maxBodySize");
    return -1;
  }
  if (discard_body_) return 0;
  if (body_streams_) {
    EmitBodyChunk(at, len);
    return 0;
  }
  if (!AppendBody(at, len)) {
    parser_.Fail(500, "cannot store request body");
    return -1;
  }
  return 0;
}

int Http1Handler::OnMessageComplete() {
  message_complete_ = true;
  StopTimer();
  consumer_paused_ = false;  // the whole request is in: no request timeout any more
  if (body_streams_) EndBodyStream();
  if (responded_) {
    // Answered early (onHeaders or an error): the body was drained; next request only after the
    // answer has left.
    if (response_in_flight_ || close_after_response_) {
      if (transport_->WritesPending() > 0) ArmSendTimer();
      return parser_.PauseHere();
    }
    FinishRequest();
    return 0;
  }
  if (ws_candidate_) return AcceptWebSocket();
  phase_ = Phase::kWaitResponse;
  if (body_stream_started_) return parser_.PauseHere();  // JS has had the request since its headers
  ServerStats::Add(server_->stats().requests_js, 1);
  std::unique_ptr<Request> req = parser_.TakeRequest();
  EmitRequestEvent(kEventRequest, *req, true);
  js_holds_ = true;
  return parser_.PauseHere();
}

int Http1Handler::AcceptWebSocket() {
  std::unique_ptr<Request> req = parser_.TakeRequest();
  const WsLimits& ws_limits = server_->limits().ws;
  ws::HandshakeOptions opts;
  opts.enable_deflate = ws_limits.per_message_deflate;
  opts.protocols = ws_limits.protocols;
  ws::HandshakeResult hs =
      ws::EvaluateHandshake(req->method, req->http_major, req->http_minor, req->headers, opts);
  if (!hs.ok) {
    transport_->Log(kLogInfo, "WebSocket handshake refused: " + hs.error);
    WriteError(hs.status, hs.error, hs.error_headers);
    return parser_.PauseHere();
  }
  if (server_->stopping()) {
    // The upgrade request was in progress when the server began to drain: a new WebSocket now
    // would only be closed with 1001 at once.
    transport_->Log(kLogInfo, "WebSocket upgrade refused: the server is stopping");
    WriteError(503, "server stopping");
    return parser_.PauseHere();
  }
  // 101, then the bytes after the request belong to the WebSocket (llhttp stops with
  // HPE_PAUSED_UPGRADE right after this callback; HandleUpgrade takes over). The hand-off: the
  // WebSocket handler speaks over the socket from here on, under the same route id; this
  // handler is retired (freed by the transport once its frames are off the stack).
  js_holds_ = false;  // JS's state for the request moves to the WebSocket (kEventWsOpen)
  responded_ = true;
  WriteRaw(ws::BuildAcceptResponse(hs, HttpDateNow()));
  LogAccess(101, 0);
  phase_ = Phase::kUpgraded;
  StopTimer();
  ws::SessionEnv env;
  env.counters = &registry()->ws_counters();
  env.open_count = &server_->stats().websockets_open;
  env.total_count = &server_->stats().websockets_total;
  std::unique_ptr<ProtocolHandler> session =
      ws::NewSession(transport_, current_id_, ws_limits, hs.deflate, env);
  ProtocolHandler* ws = session.get();
  transport_->SwapHandler(std::move(session));
  EmitRequestEvent(kEventWsOpen, *req, false, hs.protocol);
  ws->OnStart();
  return 0;
}

void Http1Handler::EmitRequestEvent(int kind, Request& req, bool with_body,
                                  const std::string& protocol) {
  Event e;
  e.kind = static_cast<EventKind>(kind);
  e.server_id = server_->id();
  e.id = req.id;
  e.peer = transport_->peer();
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
  transport_->EmitCharged(std::move(e));
}

// ---- commands from JS -----------------------------------------------------------------------

void Http1Handler::ContinueRequest(uint64_t id) {
  ASSERT_IO_THREAD();
  if (transport_->closing() || id != current_id_ || phase_ != Phase::kWaitOnHeaders ||
      responded_) {
    return;
  }
  if (expect_continue_ && !transport_->peer_eof()) {  // (a half-closed client can send no body: no 100)
    WriteRaw("HTTP/1.1 100 Continue\r\n\r\n");
  }
  expect_continue_ = false;
  phase_ = Phase::kBody;
  ArmBodyTimer();
  if (body_stream_pending_) StartBodyStream(*parser_.current());
  parser_paused_ = false;
  parser_.Resume();
  ProcessInput(true);
  if (!transport_->closing() && transport_->peer_eof() && phase_ == Phase::kBody && !message_complete_ && !responded_) {
    // The client half-closed while onHeaders ran and the body is still incomplete: it can never
    // arrive, so answer 400 and close now rather than at requestTimeoutMs. (A complete body has
    // gone on to call above; its answer is written, then the connection closes.)
    transport_->Log(kLogInfo, "client closed its side before sending the whole body");
    WriteError(400, "incomplete body: the client closed the connection");
  }
}

void Http1Handler::LogAccess(int status, uint64_t body_bytes) {
  if (!access_) return;
  access_ = false;
  Event e;
  e.kind = kEventAccess;
  e.server_id = server_->id();
  e.id = current_id_;
  e.code = status;
  e.length = body_bytes;
  e.elapsed_us = (uv_hrtime() - access_rec_->start_ns) / 1000;
  e.is_static = access_rec_->is_static;
  e.method = std::move(access_rec_->method);
  e.target = std::move(access_rec_->target);
  e.peer.remote_addr = transport_->peer().remote_addr;
  registry()->Emit(std::move(e));
}

void Http1Handler::FinishRequest() {
  phase_ = Phase::kIdle;
  EndJsRequest();
  current_id_ = 0;
  responded_ = false;
  message_complete_ = false;
  message_bytes_seen_ = false;
  ArmTimer(server_->limits().keep_alive_timeout_ms);
  if (transport_->peer_eof() && in_off_ >= in_buf_.size()) transport_->Close();
}

// ---- closing --------------------------------------------------------------------------------

void Http1Handler::Linger() {
  if (transport_->closing() || transport_->lingering()) return;
  phase_ = Phase::kIdle;
  EndJsRequest();
  current_id_ = 0;
  transport_->Linger();  // drops the route; FIN after the answer, then the peer's FIN
}

void Http1Handler::OnTransportClosed() {
  EndJsRequest();
  file_fd_.Reset();
  stream_.reset();
}

void Http1Handler::EndJsRequest() {
  if (!js_holds_) return;
  js_holds_ = false;
  Event e;
  e.kind = kEventRequestEnded;
  e.server_id = server_->id();
  e.code = transport_->cut_by_stop() ? kRequestEndedStopped : kRequestEndedGone;
  e.id = current_id_;
  registry()->Emit(std::move(e));
}

void Http1Handler::OnShutdown(bool wait_for_peer) {
  if (!wait_for_peer) {
    transport_->Close();  // HTTP says no goodbye: an immediate stop closes now
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
      transport_->Close();
      return;
  }
}

}  // namespace httpuv
