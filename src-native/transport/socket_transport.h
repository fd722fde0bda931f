// One accepted socket as a Transport (transport/transport.h): the uv stream (TCP or Unix pipe),
// reading and read backpressure (the receive budget toward JS, the output limit, a handler's held
// input), writes (stream writes for responses, corked output for frames, sendfile), the one
// timer, the lingering close and the close, the byte counters and the route of the id it serves.
// It speaks no protocol: it owns one ProtocolHandler at a time (HTTP/1.1 from the accept, the
// WebSocket session after an upgrade swaps it in) and never knows its type.
// Runs on the I/O thread; uses uv.h, no napi.h, nothing from a protocol folder.
#ifndef NODE_HTTPUV_TRANSPORT_SOCKET_TRANSPORT_H_
#define NODE_HTTPUV_TRANSPORT_SOCKET_TRANSPORT_H_

#include <uv.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "platform/file.h"
#include "transport/events.h"
#include "transport/io_context.h"
#include "transport/socket_counters.h"
#include "transport/transport.h"

namespace httpuv {

class SocketTransport;

// Who accepted the socket (a server): told once both of its uv handles are closed, and then
// deletes it. Runs on the I/O thread.
class SocketOwner {
 public:
  virtual void OnSocketClosed(SocketTransport* s) = 0;

 protected:
  ~SocketOwner() = default;
};

class SocketTransport final : public Transport {
 public:
  // Every method runs on the I/O thread. `counters` and `owner` outlive the socket.
  SocketTransport(IoContext* io, SocketOwner* owner, SocketCounters* counters, bool is_pipe,
                  uint64_t receive_queue_limit);
  ~SocketTransport();
  SocketTransport(const SocketTransport&) = delete;
  SocketTransport& operator=(const SocketTransport&) = delete;

  // The stream handle to pass to uv_accept.
  uv_stream_t* stream() { return reinterpret_cast<uv_stream_t*>(&handle_); }
  const uv_stream_t* stream() const { return reinterpret_cast<const uv_stream_t*>(&handle_); }
  // After a successful accept: installs the first handler, starts it, starts reading.
  void Start(std::unique_ptr<ProtocolHandler> handler);
  // The upgrade hand-off: `next` speaks over this socket from now on. The handler that calls
  // this (it is the current one, and its frames are still on the stack) stays alive until the
  // loop's next flush, then is freed: one handler at a time owns the socket.
  void SwapHandler(std::unique_ptr<ProtocolHandler> next);
  // The handler speaking now (a command for this socket's route goes to it); null before Start.
  ProtocolHandler* handler() { return handler_.get(); }
  IoContext* io() { return io_; }
  const PeerInfo& peer() const { return peer_; }
  bool is_pipe() const { return is_pipe_; }
  bool closing() const { return closing_; }
  bool lingering() const { return lingering_; }
  bool peer_eof() const { return peer_eof_; }
  // The server's stop closed this socket (CloseForStop): what the app still held was cut off.
  bool cut_by_stop() const { return cut_by_stop_; }

  // The server stops with a grace period: the handler winds down (ProtocolHandler::OnShutdown
  // with wait_for_peer: HTTP answers what it holds, a WebSocket sends close 1001 and waits).
  void Drain();
  // The server's stop ends this socket now (graceMs 0, or the grace period is over). `goodbye`
  // (non-zero): the handler says goodbye first (OnShutdown(false): a WebSocket's close 1001) and
  // closes once it is written; otherwise close now.
  void CloseForStop(int goodbye);
  // True while the app holds work of this socket it has not answered (ProtocolHandler).
  bool AwaitingApp() const { return handler_ != nullptr && handler_->AwaitingApp(); }

  // The id commands reach this socket by (a request's, then its WebSocket's): one at a time;
  // dropped when the socket lingers or closes.
  void SetRoute(uint64_t id) {
    if (route_id_ != 0 && route_id_ != id) io_->RemoveRoute(route_id_);
    route_id_ = id;
    io_->AddRoute(id, this);
  }
  void DropRoute() {
    if (route_id_ == 0) return;
    io_->RemoveRoute(route_id_);
    route_id_ = 0;
  }

  // Reading may have to start or stop (input consumed, JS or the peer caught up or fell
  // behind): every reason to stop reading is weighed here, in one place. Bytes a handler held
  // back are fed first whenever nothing blocks them any more.
  void UpdateReading();
  // The registry's wake-up: JS has discharged this socket's receive queue to half its limit.
  void OnReceiveDrained();

  // Stream writes (responses): `head` then `body` in one write. `last`: the final write of the
  // current message; only such a write is tried synchronously first (uv_try_write) when nothing
  // is queued. kWritten: the socket took it all now and no callback follows. kQueued: a write
  // request is pending; ProtocolHandler::OnWriteDone(last) follows. kFailed: the socket closed.
  enum class WriteStatus { kWritten, kQueued, kFailed };
  WriteStatus WriteStream(std::string&& head, std::string&& body, bool last);
  // sendfile(2) of up to `len` bytes of `fd` at `offset` straight to the socket (no copy through
  // user space). Only when CanSendFile() and nothing is queued (bytes keep their order). Returns
  // the bytes sent, 0 when the socket is full (UV_EAGAIN), or a negative errno.
  bool CanSendFile() const;
  int64_t SendFile(platform::file_t fd, uint64_t offset, uint64_t len);
  // Writes corked output (QueueFrame): one write per socket per loop iteration (the IoContext
  // flushes dirty sockets), so 16 messages answered in one batch cost one syscall, not 16.
  void FlushCorked();

  // Transport (see transport/transport.h).
  uint64_t Now() const override { return uv_now(io_->loop()); }
  // The timer is lazy: arming and stopping record the deadline, and the uv timer is started only
  // when it would fire later than the new deadline (or is not running). A timer that fires before
  // the deadline re-arms itself for the rest (OnTimer); one that fires after a stop does nothing.
  // An HTTP keep-alive request re-armed it three times (headers, request, keep-alive), each a
  // removal and an insertion in libuv's timer heap (~800 instructions per request in issue 19's
  // S1 profile); now a connection's timer moves about once per keep-alive period.
  void ArmTimer(uint64_t ms) override {
    if (closing_ || lingering_) return;  // the linger deadline owns the timer then
    if (ms == 0) {
      deadline_ = 0;
      return;
    }
    deadline_ = Now() + ms;
    const uint64_t due_in = uv_timer_get_due_in(&timer_);  // 0: not running (or due now)
    if (due_in != 0 && due_in <= ms) return;  // fires no later than the deadline: OnTimer re-arms
    uv_timer_start(&timer_, OnTimer, ms, 0);
  }
  void StopTimer() override {
    if (!lingering_) deadline_ = 0;
  }
  void QueueFrame(std::string&& header, std::string&& payload, bool close_after,
                  const WriteCounter& counter, int64_t counted) override;
  size_t WriteQueueSize() const override { return stream()->write_queue_size; }
  int WritesPending() const override { return writes_pending_; }
  void MarkSendProgress() override;
  bool SendProgressed() const override;
  void SetOutputLimit(uint64_t bytes) override { output_limit_ = bytes; }
  // Read backpressure: true while this socket must not read or parse more input, because JS has
  // more than receiveQueueLimit bytes of its events to handle, or the peer leaves more than the
  // output limit (a WebSocket's sendQueueLimit) of our output unread.
  bool InputBlocked() const override { return receive_->Over() || OutputFull(); }
  void EmitCharged(Event&& e) override {
    // What an event costs beyond its payload, for the receive queue: the Event itself and its
    // conversion to JS. Makes a flood of empty messages count too.
    constexpr int64_t kEventCost = 256;
    int64_t bytes = kEventCost + static_cast<int64_t>(e.data.size() + e.method.size() +
                                                      e.target.size());
    for (const auto& h : e.headers) bytes += static_cast<int64_t>(h.first.size() + h.second.size());
    receive_->queued.fetch_add(bytes);
    e.charge.budget = receive_;
    e.charge.bytes = bytes;
    io_->Emit(std::move(e));
  }
  void Emit(Event&& e) override { io_->Emit(std::move(e)); }
  void Log(int level, std::string text) override { io_->Log(level, std::move(text), log_tag_); }
  // The tag this socket's log lines carry to JS (its server's id; opaque here), set once by
  // whoever accepted the socket.
  void SetLogTag(uint32_t tag) { log_tag_ = tag; }
  // Where the owner keeps this socket (its index in the owner's list; opaque here): a slot in
  // the socket instead of a hash set entry beside it (bench S5: memory per idle connection).
  void set_owner_slot(uint32_t slot) { owner_slot_ = slot; }
  uint32_t owner_slot() const { return owner_slot_; }
  // Lingering close: FIN after the last write, discard input until the peer's FIN or a deadline
  // (closing at once with unread input makes the kernel send RST, losing what we wrote).
  void Linger() override;
  void Close() override;
  // Closes now with a reset (SO_LINGER 0) instead of a FIN: a body that only the close delimits
  // (HTTP/1.0 streaming) and that failed must not read as complete. Falls back to Close().
  void CloseWithReset();

 private:
  struct WriteReq;
  static void OnAlloc(uv_handle_t* h, size_t suggested, uv_buf_t* buf);
  static void OnRead(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf);
  static void OnWrite(uv_write_t* req, int status);
  static void OnTimer(uv_timer_t* t);
  static void OnShutdown(uv_shutdown_t* req, int status);
  static void OnLingerTimer(uv_timer_t* t);
  static void OnHandleClosed(uv_handle_t* h);
  void FillPeerInfo();
  // Output not yet written: corked frames plus libuv's write queue.
  size_t OutputQueued() const { return cork_bytes_ + stream()->write_queue_size; }
  bool OutputFull() const;
  // Read backpressure: registers for JS's wake-up; false if the receive queue is no longer over
  // its limit (nothing to wait for).
  bool ArmReceiveWake();

  // Corked output (QueueFrame until FlushCorked): made on the first frame, then kept with its
  // capacity (a WebSocket's batches); a plain HTTP connection never makes it (bench S5).
  struct Corked {
    std::vector<std::string> pieces;
    WriteCharges counts;
  };

  // Every idle connection holds one of these objects: the members are ordered by width (the
  // flags together), so the compiler adds no padding between them.
  IoContext* io_;
  SocketOwner* owner_;
  SocketCounters* counters_;
  union {
    uv_tcp_t tcp;
    uv_pipe_t pipe;
  } handle_;
  uv_timer_t timer_;
  uint64_t deadline_ = 0;  // the handler's timer deadline in loop time (ArmTimer; 0: none)
  PeerInfo peer_;
  std::unique_ptr<ProtocolHandler> handler_;
  std::unique_ptr<ProtocolHandler> retired_;  // the handler SwapHandler replaced (freed at flush)
  uint64_t route_id_ = 0;                     // SetRoute (0: none)
  uint32_t log_tag_ = 0;                      // SetLogTag
  uint32_t owner_slot_ = 0;                   // set_owner_slot
  bool is_pipe_;

  // Lifecycle.
  bool closing_ = false;
  bool lingering_ = false;
  bool peer_eof_ = false;
  bool cut_by_stop_ = false;       // CloseForStop
  bool reset_on_close_ = false;    // CloseWithReset
  int open_handles_ = 0;

  // Reading and read backpressure (see InputBlocked).
  ReceiveBudgetRef receive_;
  uint64_t output_limit_ = 0;     // SetOutputLimit (0: none; HTTP has one response in flight)
  uint32_t read_checks_ = 0;      // UpdateReading calls (OnRead skips a check the handler made)
  bool reading_ = false;
  bool receive_waiting_ = false;  // registered with the IoContext for a wake-up from JS
  bool read_paused_ = false;      // counted in SocketCounters::reads_paused

  // Writing.
  bool send_progress_ = false;        // a write completed since MarkSendProgress
  bool cork_close_after_ = false;
  bool linger_after_writes_ = false;  // corked output asked for the FIN once it is written
  bool dirty_ = false;                // queued with the IoContext for FlushCorked
  int writes_pending_ = 0;
  size_t send_mark_ = 0;              // write_queue_size at MarkSendProgress
  size_t cork_bytes_ = 0;
  std::unique_ptr<Corked> cork_;
};

}  // namespace httpuv

#endif  // NODE_HTTPUV_TRANSPORT_SOCKET_TRANSPORT_H_
