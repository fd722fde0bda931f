// A WebSocket session on an upgraded connection: feeds bytes to the frame parser, delivers
// messages as events, sends frames (optionally compressed), runs the close handshake with a
// timeout, keep-alive pings with a dead-peer timeout, and bounds the send queue.
// Runs on the I/O thread. A ProtocolHandler over a Transport (transport/transport.h): it reaches
// its socket, timer, clock, events and logs only through that interface, so it runs against a
// fake transport in the pure tests. No uv.h, no napi.h, nothing from http/.
#ifndef NODE_HTTPUV_WS_WS_SESSION_H_
#define NODE_HTTPUV_WS_WS_SESSION_H_

#include <cstdint>
#include <memory>
#include <string>

#include "transport/transport.h"
#include "ws/frame_parser.h"
#include "ws/handshake.h"
#include "ws/permessage_deflate.h"
#include "ws/upgrade.h"
#include "ws/ws_counters.h"
#include "ws/ws_limits.h"

namespace httpuv {

class WsSession : public ProtocolHandler, public ws::FrameSink {
 public:
  WsSession(Transport* transport, uint64_t id, const WsLimits& limits,
            const ws::DeflateParams& deflate, const ws::SessionEnv& env);
  ~WsSession() override;

  // All methods run on the I/O thread.
  // ProtocolHandler
  void OnStart() override;
  // Feeds received bytes to the frame parser. When the transport's input is blocked (see
  // Transport::InputBlocked) the parser stops after the message or ping that blocked it and
  // the rest of the bytes are held until FeedHeld().
  void OnBytes(const char* data, size_t len) override;
  bool HoldsInput() const override { return !held_.empty(); }
  void FeedHeld() override;
  // The transport's output started waiting in libuv (the peer is not reading as fast as we
  // write) / has all been written: the send timeout (sendTimeoutMs) runs between the two.
  void OnWriteQueued() override;
  void OnWritesDone() override;
  // The peer's FIN ends a WebSocket at once (no half-closed WebSockets).
  void OnPeerEof() override;
  // The server is stopping: send close 1001. `wait_for_peer` (a stop with a grace period) keeps
  // reading until the peer answers, or closeTimeoutMs passes; otherwise (an immediate stop) the
  // connection sends its FIN right after the frame. Either way JS's onClose reports 1001, the
  // code we sent, whether or not the peer's answer arrives before the socket goes.
  void OnShutdown(bool wait_for_peer) override;
  // The transport's timer fired.
  void OnTimer() override;
  // The socket is gone: report the close to JS once.
  void OnTransportClosed() override;

  // JS commands (the binding finds the session by its id's route).
  // `counted` = bytes JS added to this WebSocket's bufferedAmount for this message.
  void Send(bool binary, std::string&& data, int64_t counted);
  void Close(int code, const std::string& reason);
  // JS has handled everything up to this socket's close event (and queued the sends its
  // handlers made before this command): now answer the peer's close / fail the connection.
  void OnCloseAck();
  uint64_t id() const { return id_; }

  // ws::FrameSink
  void OnMessage(bool binary, std::string&& payload) override;
  void OnPing(std::string&& payload) override;
  void OnPong(std::string&& payload) override;
  void OnClose(int code, std::string&& reason) override;
  void OnProtocolError(int close_code, const char* reason) override;

 private:
  enum class State { kOpen, kClosing, kClosed };
  void SendFrame(int opcode, std::string&& payload, bool rsv1, bool close_after,
                 int64_t counted = 0);
  void SendClose(int code, const std::string& reason, bool close_after);
  void EmitClose(int code, const std::string& reason);
  void ArmNextTimer();
  // Pauses the frame parser when the transport must stop taking input.
  void PauseIfBlocked();
  // Holds the reply to a peer close or a protocol error until JS acknowledges the close event.
  void DeferReply(int code, const std::string& reason, uint64_t fallback_ms);
  void SendReply();
  // closeTimeoutMs, with 0 meaning the 5 s default.
  uint64_t CloseTimeoutMs() const {
    return limits_.close_timeout_ms != 0 ? limits_.close_timeout_ms : 5000;
  }

  Transport* transport_;
  uint64_t id_;
  const WsLimits& limits_;
  ws::SessionEnv env_;
  ws::FrameParser parser_;
  std::unique_ptr<ws::PerMessageDeflate> deflate_;
  WsCounter buffered_;
  State state_ = State::kOpen;
  bool close_emitted_ = false;
  bool shutdown_sent_ = false;    // CloseForShutdown sent our 1001 (onClose reports it)
  int close_code_ = 1006;
  std::string close_reason_;
  uint64_t close_deadline_ = 0;   // loop time (ms) when a sent close gives up waiting
  uint64_t next_ping_ = 0;        // loop time of the next keep-alive ping (0 = off)
  uint64_t pong_deadline_ = 0;    // loop time by which a pong must arrive (0 = none pending)
  uint64_t send_deadline_ = 0;    // loop time by which queued output must progress (0 = none)
  std::string held_;              // received bytes not fed to the parser yet (input blocked)
  bool reply_pending_ = false;    // a close reply waits for JS (OnCloseAck)
  int reply_code_ = 1000;
  std::string reply_reason_;
};

}  // namespace httpuv

#endif  // NODE_HTTPUV_WS_WS_SESSION_H_
