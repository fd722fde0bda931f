// WebSocket session (see ws_session.h). Every function runs on the I/O thread.
#include "ws/ws_session.h"

#include "ws/frame_writer.h"

namespace httpuv {

namespace {
// Messages shorter than this are sent uncompressed even when permessage-deflate is on (RFC 7692
// lets each message choose; tiny ones only grow), as ws does with its threshold.
constexpr size_t kCompressThreshold = 128;
}  // namespace

std::unique_ptr<ProtocolHandler> ws::NewSession(Transport* transport, uint64_t id,
                                                const WsLimits& limits,
                                                const DeflateParams& deflate,
                                                const SessionEnv& env) {
  return std::make_unique<WsSession>(transport, id, limits, deflate, env);
}

WsSession::WsSession(Transport* transport, uint64_t id, const WsLimits& limits,
                     const ws::DeflateParams& deflate, const ws::SessionEnv& env)
    : ProtocolHandler(ProtocolKind::kWebSocket),
      transport_(transport),
      id_(id),
      limits_(limits),
      env_(env),
      parser_(limits.max_message_size, deflate.enabled) {
  if (deflate.enabled) {
    deflate_ = std::make_unique<ws::PerMessageDeflate>(deflate);
    parser_.SetInflater(deflate_.get());
  }
}

WsSession::~WsSession() { env_.counters->Close(id_); }

void WsSession::OnStart() {
  buffered_ = env_.counters->Open(id_);
  env_.open_count->fetch_add(1, std::memory_order_relaxed);
  env_.total_count->fetch_add(1, std::memory_order_relaxed);
  // Output over sendQueueLimit stops reading the peer until it drains (read backpressure).
  transport_->SetOutputLimit(limits_.send_queue_limit);
  uint64_t now = transport_->Now();
  if (limits_.ping_interval_ms != 0) next_ping_ = now + limits_.ping_interval_ms;
  ArmNextTimer();
}

void WsSession::ArmNextTimer() {
  uint64_t now = transport_->Now();
  uint64_t next = 0;
  auto consider = [&next](uint64_t t) {
    if (t != 0 && (next == 0 || t < next)) next = t;
  };
  if (state_ == State::kOpen) {
    consider(next_ping_);
    consider(pong_deadline_);
  } else if (state_ == State::kClosing) {
    consider(close_deadline_);
  }
  if (state_ != State::kClosed) consider(send_deadline_);
  if (next == 0) {
    transport_->StopTimer();
  } else {
    transport_->ArmTimer(next > now ? next - now : 1);
  }
}

void WsSession::OnTimer() {
  uint64_t now = transport_->Now();
  if (send_deadline_ != 0 && now >= send_deadline_) {
    if (transport_->WritesPending() == 0) {
      send_deadline_ = 0;
    } else if (transport_->SendProgressed()) {
      // The peer read some of it: another period.
      transport_->MarkSendProgress();
      send_deadline_ = now + limits_.send_timeout_ms;
    } else {
      // Neither reading nor draining: what we queued for it (pongs, messages, a close frame)
      // would otherwise stay in memory for as long as the peer likes.
      transport_->Log(kLogInfo, "WebSocket send timed out: the peer stopped reading");
      close_code_ = 1006;
      transport_->Close();
      return;
    }
  }
  if (state_ == State::kClosing && close_deadline_ != 0 && now >= close_deadline_) {
    if (reply_pending_) {
      SendReply();  // JS did not acknowledge in time: answer the peer now
      return;
    }
    // The peer never answered our close (or never read it): give up (RFC 6455 §7.1.1).
    transport_->Close();
    return;
  }
  if (state_ == State::kOpen) {
    if (pong_deadline_ != 0 && now >= pong_deadline_) {
      transport_->Log(kLogInfo, "WebSocket peer did not answer a ping; closing");
      close_code_ = 1006;
      transport_->Close();
      return;
    }
    if (next_ping_ != 0 && now >= next_ping_) {
      SendFrame(ws::kOpPing, std::string(), false, false);
      if (limits_.ping_timeout_ms != 0 && pong_deadline_ == 0) {
        pong_deadline_ = now + limits_.ping_timeout_ms;
      }
      next_ping_ = now + limits_.ping_interval_ms;
    }
  }
  ArmNextTimer();
}

void WsSession::OnBytes(const char* data, size_t len) {
  if (state_ == State::kClosed) return;
  if (!held_.empty()) {
    held_.append(data, len);  // keep the order; the transport stops reading while holding
    return;
  }
  size_t used = parser_.Consume(data, len, *this);
  if (used < len && parser_.paused()) held_.assign(data + used, len - used);
}

void WsSession::FeedHeld() {
  if (state_ == State::kClosed || held_.empty()) return;
  std::string bytes;
  bytes.swap(held_);
  size_t used = parser_.Consume(bytes.data(), bytes.size(), *this);
  if (used < bytes.size() && parser_.paused()) {
    bytes.erase(0, used);
    held_.swap(bytes);
  }
}

void WsSession::PauseIfBlocked() {
  if (transport_->InputBlocked()) parser_.Pause();
}

void WsSession::OnWriteQueued() {
  if (limits_.send_timeout_ms == 0 || state_ == State::kClosed) return;
  transport_->MarkSendProgress();
  send_deadline_ = transport_->Now() + limits_.send_timeout_ms;
  ArmNextTimer();
}

void WsSession::OnPeerEof() { transport_->Close(); }

void WsSession::OnWritesDone() {
  // The timer may still fire for the old deadline; OnTimer then finds nothing to do.
  send_deadline_ = 0;
}

void WsSession::SendFrame(int opcode, std::string&& payload, bool rsv1, bool close_after,
                          int64_t counted) {
  // Header and payload leave as two iovecs of one write: the payload is not copied again.
  std::string header = ws::FrameHeader(opcode, payload.size(), rsv1);
  transport_->QueueFrame(std::move(header), std::move(payload), close_after,
                         counted != 0 ? buffered_ : nullptr, counted);
}

void WsSession::Send(bool binary, std::string&& data, int64_t counted) {
  // Data may still go out after the peer's close arrived, until our own close is sent (RFC 6455
  // §5.5.1): answers to the messages that came before it.
  if (state_ != State::kOpen && !(state_ == State::kClosing && reply_pending_)) {
    if (buffered_) buffered_->fetch_sub(counted, std::memory_order_relaxed);
    return;
  }
  size_t queued = transport_->WriteQueueSize();
  if (queued + data.size() > 2 * limits_.send_queue_limit) {
    // Backstop only: send() in JS refuses messages past sendQueueLimit (bufferedAmount). If the
    // queue still grows to twice that, the peer does not read: end the connection rather than
    // grow memory without bound (uWebSockets' closeOnBackpressureLimit; 1008 = policy).
    transport_->Log(kLogWarn, "WebSocket send queue limit exceeded; closing");
    if (buffered_) buffered_->fetch_sub(counted, std::memory_order_relaxed);
    close_code_ = 1008;
    close_reason_ = "send queue limit exceeded";
    EmitClose(1008, close_reason_);
    transport_->Close();
    return;
  }
  int opcode = binary ? ws::kOpBinary : ws::kOpText;
  if (deflate_ && data.size() >= kCompressThreshold) {
    std::string z;
    if (deflate_->Compress(data, &z)) {
      SendFrame(opcode, std::move(z), true, false, counted);
      return;
    }
  }
  SendFrame(opcode, std::move(data), false, false, counted);
}

void WsSession::SendClose(int code, const std::string& reason, bool close_after) {
  std::string payload = code == 1005 ? std::string() : ws::ClosePayload(code, reason);
  SendFrame(ws::kOpClose, std::move(payload), false, close_after);
}

void WsSession::Close(int code, const std::string& reason) {
  if (state_ != State::kOpen) return;
  state_ = State::kClosing;
  close_code_ = code;
  close_reason_ = reason;
  SendClose(code, reason, false);
  uint64_t now = transport_->Now();
  close_deadline_ = now + CloseTimeoutMs();
  ArmNextTimer();
}

void WsSession::OnShutdown(bool wait_for_peer) {
  if (state_ == State::kClosed) return;
  if (state_ == State::kOpen) {
    close_code_ = 1001;
    close_reason_ = "server shutting down";
    shutdown_sent_ = true;
    SendClose(1001, close_reason_, !wait_for_peer);
  }
  state_ = State::kClosing;
  uint64_t now = transport_->Now();
  close_deadline_ = now + CloseTimeoutMs();
  ArmNextTimer();
}

void WsSession::OnMessage(bool binary, std::string&& payload) {
  if (state_ != State::kOpen) return;  // data after our close is dropped (RFC 6455 §5.5.1)
  Event e;
  e.kind = kEventWsMessage;
  e.id = id_;
  e.code = binary ? 1 : 0;
  e.ascii = !binary && parser_.message_ascii();
  e.data = std::move(payload);
  transport_->EmitCharged(std::move(e));
  PauseIfBlocked();
}

void WsSession::OnPing(std::string&& payload) {
  if (state_ != State::kOpen) return;
  SendFrame(ws::kOpPong, std::move(payload), false, false);
  PauseIfBlocked();
}

void WsSession::OnPong(std::string&&) { pong_deadline_ = 0; }

void WsSession::OnClose(int code, std::string&& reason) {
  if (state_ == State::kOpen) {
    // Echo the close (RFC 6455 §5.5.1), then the server closes TCP first (§7.1.1) — but only
    // after JS has handled the messages that came before it, so their answers leave first
    // (Autobahn 7.1.1: the echo of a message, then the close).
    state_ = State::kClosing;
    close_code_ = code;
    close_reason_ = reason;
    EmitClose(code, reason);
    DeferReply(code, std::string(), CloseTimeoutMs());
    return;
  }
  // The answer to our own close: done.
  EmitClose(close_code_, close_reason_);
  transport_->Linger();
}

void WsSession::OnProtocolError(int close_code, const char* reason) {
  transport_->Log(kLogInfo, std::string("WebSocket protocol error: ") + reason);
  if (state_ == State::kOpen) {
    state_ = State::kClosing;
    close_code_ = close_code;
    close_reason_ = reason;
    EmitClose(close_code, reason);
    // Fail the connection (§7.1.7) once the earlier messages' answers are out.
    DeferReply(close_code, reason, 1000);
    return;
  }
  EmitClose(close_code, reason);
}

void WsSession::DeferReply(int code, const std::string& reason, uint64_t fallback_ms) {
  reply_pending_ = true;
  reply_code_ = code;
  reply_reason_ = reason;
  // If JS does not answer (blocked thread), reply anyway after the fallback.
  close_deadline_ = transport_->Now() + fallback_ms;
  ArmNextTimer();
}

void WsSession::SendReply() {
  if (!reply_pending_) return;
  reply_pending_ = false;
  SendClose(reply_code_, reply_reason_, true);
  // The connection lingers once the close frame is written; bound the wait for that write.
  close_deadline_ = transport_->Now() + CloseTimeoutMs();
  ArmNextTimer();
}

void WsSession::OnCloseAck() { SendReply(); }

void WsSession::EmitClose(int code, const std::string& reason) {
  if (close_emitted_) return;
  close_emitted_ = true;
  env_.open_count->fetch_sub(1, std::memory_order_relaxed);
  Event e;
  e.kind = kEventWsClose;
  e.id = id_;
  e.code = code;
  e.data = reason;
  transport_->Emit(std::move(e));
}

void WsSession::OnTransportClosed() {
  state_ = State::kClosed;
  // A server stop is our decision, not an abnormal closure: the app sees the 1001 we sent even
  // when the peer's answer never came (an immediate stop does not wait for it; a drain waits
  // at most closeTimeoutMs or the grace period). Otherwise a socket that vanished is 1006.
  if (shutdown_sent_) {
    EmitClose(close_code_, close_reason_);
    return;
  }
  EmitClose(close_emitted_ ? close_code_ : 1006, close_emitted_ ? close_reason_ : std::string());
}

}  // namespace httpuv
