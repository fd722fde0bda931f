// One accepted socket: read → parse → dispatch (static files, onHeaders, call) → write, with
// in-order answers for pipelined requests, timeouts, limits and an orderly close. It never knows
// about JavaScript: it posts plain events to the registry's sink and receives plain commands.
// It is the socket's Transport (transport/transport.h): after a WebSocket upgrade it hands its
// input, timer and write progress to the ProtocolHandler the upgrade installed (ws/upgrade.h),
// whose type it never knows.
// Runs on the I/O thread; uses uv.h, no napi.h.
#ifndef NODE_HTTPUV_HTTP_CONNECTION_H_
#define NODE_HTTPUV_HTTP_CONNECTION_H_

#include <uv.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "transport/events.h"
#include "http/parser.h"
#include "http/request.h"
#include "http/response_writer.h"
#include "transport/transport.h"

namespace httpuv {

class Server;
class ServerRegistry;

class Connection final : public ParserDelegate, public Transport {
 public:
  Connection(Server* server, bool is_pipe);
  ~Connection() override;

  // Runs on the I/O thread: the stream handle to pass to uv_accept.
  uv_stream_t* stream() { return reinterpret_cast<uv_stream_t*>(&handle_); }
  const uv_stream_t* stream() const { return reinterpret_cast<const uv_stream_t*>(&handle_); }
  // Runs on the I/O thread: after a successful accept.
  void Start();
  // Runs on the I/O thread: the app's answer to request `id` (stale ids are dropped).
  void SendResponse(uint64_t id, ResponseSpec&& spec);
  // Runs on the I/O thread: onHeaders returned nothing for request `id`: read the body.
  void ContinueRequest(uint64_t id);
  // Runs on the I/O thread: close now (errors, teardown).
  void Close() override;
  // Runs on the I/O thread: the server's stop ends this connection now (graceMs 0, or the grace
  // period is over): a request JS holds is reported as cut off by the stop, so that its late
  // answer is logged at WARN. `goodbye` (non-zero): an upgraded protocol says goodbye first
  // (ProtocolHandler::OnShutdown: a WebSocket sends close 1001) and closes once it is written.
  void CloseForStop(int goodbye);
  // Runs on the I/O thread: the server stops with a grace period (Server::Stop). A connection
  // with no request in progress (idle keep-alive, never used, or still sending a request's
  // headers) closes now; a request whose headers have arrived goes on (its body is read, the
  // app answers) and its answer is the connection's last (`Connection: close`, nothing more is
  // read); a WebSocket gets close 1001 and the peer's answer is awaited.
  void Drain();
  // Runs on the I/O thread: true while the app holds a request of this connection that it has
  // not answered (call or onHeaders runs in JS).
  bool AwaitingApp() const {
    return !responded_ && (phase_ == Phase::kWaitResponse || phase_ == Phase::kWaitOnHeaders);
  }
  // Runs on the I/O thread: the protocol the upgrade installed (null while speaking HTTP). The
  // binding routes an upgraded id's commands to it.
  ProtocolHandler* protocol() { return upgraded_.get(); }
  // Writes corked output (QueueFrame): one uv_write per connection per loop iteration
  // (ServerRegistry flushes dirty connections), so 16 messages answered in one batch cost one
  // syscall instead of 16.
  void FlushCorked();
  // The registry's wake-up: JS has discharged this connection's receive queue to half its limit.
  void OnReceiveDrained();
  ServerRegistry* registry();
  Server* server() { return server_; }
  const PeerInfo& peer() const { return peer_; }
  bool closing() const { return closing_; }

  // Transport (I/O thread; see transport/transport.h).
  uint64_t Now() const override;
  void ArmTimer(uint64_t ms) override;
  void StopTimer() override;
  void QueueFrame(std::string&& header, std::string&& payload, bool close_after,
                  const WriteCounter& counter, int64_t counted) override;
  size_t WriteQueueSize() const override { return stream()->write_queue_size; }
  int WritesPending() const override { return writes_pending_; }
  void MarkSendProgress() override;
  bool SendProgressed() const override;
  void SetOutputLimit(uint64_t bytes) override { output_limit_ = bytes; }
  // Read backpressure: true while this connection must not read or parse more input, because
  // JS has more than receiveQueueLimit bytes of its events to handle, or the peer leaves more
  // than the output limit (a WebSocket's sendQueueLimit) of our output unread.
  bool InputBlocked() const override { return receive_->Over() || OutputFull(); }
  void EmitCharged(Event&& e) override;
  void Emit(Event&& e) override;
  void Log(int level, std::string text) override;
  // Lingering close: FIN after the last write, discard input until the peer's FIN or a deadline
  // (closing at once with unread input makes the kernel send RST, losing what we wrote).
  void Linger() override;

 private:
  enum class Phase {
    kIdle,           // between requests (keep-alive) or before the first byte
    kHeaders,        // receiving a request line / headers
    kWaitOnHeaders,  // onHeaders runs in JS; parser paused
    kBody,           // receiving the body
    kWaitResponse,   // the request is complete; call runs in JS
    kUpgraded,       // upgraded_ speaks the protocol now (a WebSocket)
  };

  // ParserDelegate (I/O thread)
  int OnMessageBegin() override;
  int OnHeadersComplete(Request& req) override;
  int OnBody(const char* at, size_t len) override;
  int OnMessageComplete() override;

  static void OnAlloc(uv_handle_t* h, size_t suggested, uv_buf_t* buf);
  static void OnRead(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf);
  static void OnTimer(uv_timer_t* t);
  static void OnHandleClosed(uv_handle_t* h);

  // The one loop that feeds buffered input to the parser and finishes what each parse step
  // completed. Never re-entered: a call made while it runs (from OnResponseWritten or
  // HandleUpgrade, directly or through a synchronous write) only records that more work is
  // possible and returns, so the stack depth stays bounded by a constant whatever the number of
  // pipelined requests answered at once (src-native/README.md "Bounded stack depth").
  void ProcessInput(bool after_resume = false);
  void HandleUpgrade();
  void FillPeerInfo();
  int ValidateRequest(Request& req);
  // Serves the request from the static paths if one matches; true when answered.
  bool TryStatic(Request& req);
  void ArmBodyTimer();
  // A response write is queued in libuv: close if the client reads none of it for
  // sendTimeoutMs (progress is judged by the stream's write queue shrinking).
  void ArmSendTimer();
  bool AppendBody(const char* at, size_t len);
  void EmitRequestEvent(int kind, Request& req, bool with_body,
                        const std::string& protocol = std::string());
  // Writes the response for the current request; returns false if the connection closes.
  void WriteResponse(ResponseSpec&& spec);
  void WriteError(int status, const std::string& reason, const HeaderList& extra = HeaderList());
  // The request is a valid WebSocket upgrade: 101 and the hand-off to a WebSocket handler; or
  // a 4xx when it is not.
  int AcceptWebSocket();
  // Writes bytes outside a response (100 Continue, the 101 handshake answer).
  void WriteRaw(std::string&& bytes, bool close_after);
  // Output not yet written: corked frames plus libuv's write queue.
  size_t OutputQueued() const { return cork_bytes_ + stream()->write_queue_size; }
  // Reading may go on again (JS caught up: the registry's wake, or output drained): feeds the
  // bytes the handler held back, then restarts reading unless still blocked.
  void ResumeInput();
  void WriteBuffers(std::string&& head, std::string&& body, bool last);
  void StreamNextFileChunk(std::string&& head);
  void PumpFile();
  static void OnShutdown(uv_shutdown_t* req, int status);
  static void OnLingerTimer(uv_timer_t* t);
  void OnResponseWritten();
  void FinishRequest();
  // The current request ends here: when JS holds state for it (js_holds_) and has not answered,
  // tell JS (kEventRequestEnded) so that it frees that state and drops a late answer.
  void EndJsRequest();
  void UpdateReading();
  // Read backpressure: registers for JS's wake-up; false if the receive queue is no longer over
  // its limit (nothing to wait for).
  bool ArmReceiveWake();
  bool OutputFull() const;

  struct WriteReq;
  static void OnWrite(uv_write_t* req, int status);

  Server* server_;
  bool is_pipe_;
  union {
    uv_tcp_t tcp;
    uv_pipe_t pipe;
  } handle_;
  uv_timer_t timer_;
  int open_handles_ = 0;
  bool closing_ = false;
  bool reading_ = false;
  bool peer_eof_ = false;
  bool lingering_ = false;
  bool send_timer_ = false;      // timer_ is the send timeout (see ArmSendTimer)
  bool send_progress_ = false;   // a write completed since it was armed
  size_t send_mark_ = 0;         // write_queue_size when it was armed
  PeerInfo peer_;
  Parser parser_;

  std::string in_buf_;
  size_t in_off_ = 0;
  bool parser_paused_ = false;
  bool in_execute_ = false;    // inside llhttp_execute (parser callbacks may run)
  bool in_process_input_ = false;  // ProcessInput's loop is on the stack (never re-entered)
  bool force_execute_ = false;     // run the parser once even without input (after a resume)
  bool written_sync_ = false;  // a response completed synchronously during execute

  Phase phase_ = Phase::kIdle;
  uint64_t current_id_ = 0;
  // JS was told about current_id_ (kEventHeaders / kEventRequest) and owes it an answer, a
  // continue or a body event: cleared when JS answers, the request becomes a WebSocket, or
  // EndJsRequest tells JS the request is gone.
  bool js_holds_ = false;
  bool cut_by_stop_ = false;  // CloseForStop: the request JS holds was cut off by a stop
  bool responded_ = false;         // a response for the current request has been started
  bool response_in_flight_ = false;  // its bytes are still being written
  bool close_after_response_ = false;
  bool message_complete_ = false;  // the current request's message has been fully parsed
  bool discard_body_ = false;
  bool is_head_ = false;
  bool keep_alive_ = true;
  bool http10_ = false;
  bool expect_continue_ = false;
  bool has_body_framing_ = false;
  bool ws_candidate_ = false;
  uint64_t upgraded_id_ = 0;  // the upgraded protocol's route id (the upgrade request's id)
  bool message_bytes_seen_ = false;
  uint64_t body_seen_ = 0;
  uint64_t message_start_ms_ = 0;

  // File streaming state for the current response.
  FdHandle file_fd_;
  uint64_t file_offset_ = 0;
  uint64_t file_remaining_ = 0;
  int writes_pending_ = 0;

  std::unique_ptr<ProtocolHandler> upgraded_;
  std::vector<std::string> cork_;
  WriteCharges cork_counts_;
  size_t cork_bytes_ = 0;
  bool cork_close_after_ = false;
  bool dirty_ = false;

  // Read backpressure (see InputBlocked).
  ReceiveBudgetRef receive_;
  bool receive_waiting_ = false;  // registered with the registry for a wake-up from JS
  bool read_paused_ = false;      // counted in ServerStats::reads_paused
  uint64_t output_limit_ = 0;     // SetOutputLimit (0: none; HTTP has one response in flight)
};

}  // namespace httpuv

#endif  // NODE_HTTPUV_HTTP_CONNECTION_H_
