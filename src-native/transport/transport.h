// The two sides of one accepted socket, as interfaces (the split of uSockets' us_socket and the
// app's handler): a Transport owns the stream, its reads (and read backpressure), writes and
// corking, the one timer, lingering and closing, and the byte counters; a ProtocolHandler is the
// protocol spoken over it, fed bytes and told about timers, write progress, the peer's FIN, a
// server stop and the close. transport/socket_transport implements Transport over a uv stream and
// owns one handler at a time: http/http1_connection (HTTP/1.1) from the accept, ws/ws_session
// once an upgrade swaps it in (ws/upgrade.h). The session talks to its socket only through
// Transport, so it runs against a fake transport in the pure tests
// (test/native/cpp/ws_pure_session_transport_test.cc). Dependencies run one way: a handler may
// call its Transport; the transport knows only this interface, never a protocol's type.
// Pure (no uv.h, no napi.h); every method runs on the I/O thread.
#ifndef NODE_HTTPUV_TRANSPORT_TRANSPORT_H_
#define NODE_HTTPUV_TRANSPORT_TRANSPORT_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "transport/events.h"

namespace httpuv {

// Bytes a sender still has waiting to be written (a WebSocket's bufferedAmount), shared with the
// JS thread, which adds to it when it posts a message. Relaxed atomics.
using WriteCounter = std::shared_ptr<std::atomic<int64_t>>;
// What queued frames charged to such counters (a corked batch or one write request).
using WriteCharges = std::vector<std::pair<WriteCounter, int64_t>>;

// Runs on the I/O thread: the frames are written (or dropped): take their bytes off the counters.
inline void ReleaseCharges(WriteCharges* charges) {
  for (auto& c : *charges) {
    if (c.first) c.first->fetch_sub(c.second, std::memory_order_relaxed);
  }
  charges->clear();
}

class Transport {
 public:
  // Loop time in milliseconds (uv_now): what timers and deadlines count in.
  virtual uint64_t Now() const = 0;
  // The connection's one timer: fires ProtocolHandler::OnTimer once after `ms` (0 stops it).
  virtual void ArmTimer(uint64_t ms) = 0;
  virtual void StopTimer() = 0;

  // Corked output: `header` and `payload` are queued and written with everything else queued in
  // this loop iteration, in one write (the registry flushes dirty transports once per
  // iteration). `counted` bytes are taken off `counter` once they are written or dropped.
  // `close_after`: the FIN follows the batch (lingering close).
  virtual void QueueFrame(std::string&& header, std::string&& payload, bool close_after,
                          const WriteCounter& counter, int64_t counted) = 0;
  // Bytes in libuv's write queue (not counting corked bytes not yet flushed).
  virtual size_t WriteQueueSize() const = 0;
  // Write requests not completed yet.
  virtual int WritesPending() const = 0;
  // Send timeout bookkeeping: notes the output queued now / reports whether the peer took any of
  // it since the last mark.
  virtual void MarkSendProgress() = 0;
  virtual bool SendProgressed() const = 0;
  // Output queued beyond this many bytes stops reading until it drains (0: no limit).
  virtual void SetOutputLimit(uint64_t bytes) = 0;

  // Read backpressure: true while no more input may be parsed (JS has more than its receive
  // queue limit of this connection's events to handle, or the output is over its limit). A
  // handler that holds bytes back (ProtocolHandler::HoldsInput) is fed them again once this
  // turns false.
  virtual bool InputBlocked() const = 0;
  // Posts an event for JS, charged to this connection's receive queue (the budget that
  // InputBlocked watches).
  virtual void EmitCharged(Event&& e) = 0;
  // Posts an event for JS that is not charged (a close: JS frees, not receives).
  virtual void Emit(Event&& e) = 0;
  // A log line for JS's logger (level kLogError … kLogDebug).
  virtual void Log(int level, std::string text) = 0;

  // Lingering close: FIN after the last write, input discarded until the peer's FIN or a
  // deadline, then Close.
  virtual void Linger() = 0;
  // Closes now (ProtocolHandler::OnTransportClosed follows, once).
  virtual void Close() = 0;

 protected:
  ~Transport() = default;
};

// Which protocol a handler speaks: set once when the handler is made, read where a command
// addressed to a connection's route is delivered (binding/exports.cc), so the command reaches
// the handler's own type without RTTI. The transport itself never looks at it.
enum class ProtocolKind : uint8_t { kHttp1 = 1, kWebSocket = 2 };

class ProtocolHandler {
 public:
  explicit ProtocolHandler(ProtocolKind kind) : kind_(kind) {}
  virtual ~ProtocolHandler() = default;
  ProtocolKind kind() const { return kind_; }
  // The handler is installed and its opening event posted: start timers and counters.
  virtual void OnStart() = 0;
  // Bytes read from the peer (the transport's shared read buffer: copy what is kept).
  virtual void OnBytes(const char* data, size_t len) = 0;
  // Bytes held back while the input was blocked: the transport stops reading while this is true
  // and calls FeedHeld once InputBlocked() turns false.
  virtual bool HoldsInput() const = 0;
  virtual void FeedHeld() = 0;
  // The input the handler buffers has reached its bound (HTTP: pipelined requests waiting behind
  // an answer): the transport stops reading until the handler consumes some and asks again.
  virtual bool InputFull() const { return false; }
  // The transport's timer fired (see Transport::ArmTimer).
  virtual void OnTimer() = 0;
  // Output started waiting in libuv (the peer reads slower than we write) / all of it is written.
  virtual void OnWriteQueued() = 0;
  virtual void OnWritesDone() = 0;
  // A stream write the handler started (SocketTransport::WriteStream) completed; `last`: it was
  // the final write of a message. Comes before OnWritesDone.
  virtual void OnWriteDone(bool /*last*/) {}
  // The peer sent its FIN.
  virtual void OnPeerEof() = 0;
  // The server stops: `wait_for_peer` (a drain) keeps the connection until the protocol's own
  // goodbye completes; otherwise it closes right after the goodbye is written.
  virtual void OnShutdown(bool wait_for_peer) = 0;
  // The transport closed (whatever the reason): report it once.
  virtual void OnTransportClosed() = 0;
  // True while the app holds work of this connection that it has not answered (an HTTP request
  // whose call or onHeaders runs in JS): a stop that closes now says how many it cuts off.
  virtual bool AwaitingApp() const { return false; }

 private:
  const ProtocolKind kind_;
};

}  // namespace httpuv

#endif  // NODE_HTTPUV_TRANSPORT_TRANSPORT_H_
