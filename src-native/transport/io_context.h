// What every socket of one I/O thread shares, whatever protocol it speaks: the loop, the event
// sink and the log level, the routes (request and WebSocket ids → the socket that owns them), the
// sockets waiting for JS to read again, and the loop work that runs once per iteration for all of
// them: writing corked output (WebSocket frames) and publishing events to JS. The server registry
// (http/registry.h) is one of these plus the servers.
// Every method runs on the I/O thread; uses uv.h, no napi.h, nothing from a protocol folder.
#ifndef NODE_HTTPUV_TRANSPORT_IO_CONTEXT_H_
#define NODE_HTTPUV_TRANSPORT_IO_CONTEXT_H_

#include <uv.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "loop/thread_check.h"
#include "transport/events.h"

namespace httpuv {

class SocketTransport;

class IoContext {
 public:
  IoContext(uv_loop_t* loop, EventSink* sink, const ThreadTag* tag,
            const std::atomic<int>* log_level)
      : loop_(loop), sink_(sink), tag_(tag), log_level_(log_level) {}
  IoContext(const IoContext&) = delete;
  IoContext& operator=(const IoContext&) = delete;

  // Starts the per-iteration flush of events (a uv_prepare handle: it runs before the loop
  // blocks, so events from I/O, timer and close callbacks all go out) and of corked output.
  void Open();
  // Writes corked output (after every poll round) and publishes events (just before the loop
  // would block; see PublishOrDefer).
  void Flush(bool before_poll);
  void MarkDirty(SocketTransport* s) { dirty_.push_back(s); }
  void UnmarkDirty(SocketTransport* s);

  uv_loop_t* loop() { return loop_; }
  const ThreadTag& tag() const { return *tag_; }
  // A request / WebSocket id never used before in this process: one counter shared by every
  // environment (main thread and Workers) and every I/O thread start, so a late command from a
  // stopped server's app can never reach a client of a later server. JS reads ids as doubles;
  // 2^53 ids are beyond reach (a million a second for 285 years). Runs on any I/O thread.
  static uint64_t NextId();
  void Emit(Event&& e) {
    held_events_++;
    sink_->Emit(std::move(e));
  }
  // Posts a log line when `level` (kLogError … kLogDebug) is enabled in JS's logLevel().
  // `tag` is carried to JS untouched (the id of the server the line is about, 0 for none), so
  // that JS can hand the line to that server's logger.
  void Log(int level, std::string text, uint32_t tag = 0);
  bool LogEnabled(int level) const { return level <= log_level_->load(std::memory_order_relaxed); }

  // Routes: request and WebSocket ids → the socket that owns them. A command for an id reaches
  // the handler that socket runs now (SocketTransport::handler(), told apart by its kind tag).
  void AddRoute(uint64_t id, SocketTransport* s) { routes_[id] = s; }
  void RemoveRoute(uint64_t id) { routes_.erase(id); }
  SocketTransport* Route(uint64_t id);

  // Read backpressure: sockets that stopped reading until JS handles their events, by their
  // receive budget (see receive_budget.h). WakeReceive runs the command the JS thread posts when
  // it discharged a waiting budget to half its limit; a budget whose socket has closed meanwhile
  // is simply not found.
  void WaitForReceive(const ReceiveBudget* b, SocketTransport* s) { receive_waits_[b] = s; }
  void CancelReceiveWait(const ReceiveBudget* b) { receive_waits_.erase(b); }
  void WakeReceive(const ReceiveBudget* b);

 protected:
  ~IoContext() = default;
  // Closes the per-iteration handles (environment teardown, after a last Flush).
  void CloseLoopHandles();

 private:
  void PublishOrDefer();

  uv_loop_t* loop_;
  EventSink* sink_;
  const ThreadTag* tag_;
  const std::atomic<int>* log_level_;
  std::unordered_map<uint64_t, SocketTransport*> routes_;
  std::unordered_map<const ReceiveBudget*, SocketTransport*> receive_waits_;
  uv_prepare_t flush_check_{};
  uv_check_t flush_after_poll_{};
  // Event publication is deferred while poll rounds keep producing events (see PublishOrDefer):
  // an active idle handle makes the next poll non-blocking.
  uv_idle_t defer_{};
  size_t held_events_ = 0;      // emitted, not yet published
  size_t held_at_defer_ = 0;    // held_events_ when the last deferral began
  int deferrals_ = 0;           // consecutive deferrals of the current batch
  size_t last_batch_ = 0;       // events in the last published batch
  std::vector<SocketTransport*> dirty_;
  bool open_ = false;
};

}  // namespace httpuv

#endif  // NODE_HTTPUV_TRANSPORT_IO_CONTEXT_H_
