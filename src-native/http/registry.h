// The per-environment registry of the I/O thread: its servers, the ids commands address (request
// and WebSocket routes), the connections waiting to read again, and the loop work that runs once
// per iteration for all of them: writing corked WebSocket frames and publishing events to JS.
// Every method runs on the I/O thread; the registry is created and destroyed by the binding while
// the I/O thread is stopped. Uses uv.h; no napi.h.
#ifndef NODE_HTTPUV_HTTP_REGISTRY_H_
#define NODE_HTTPUV_HTTP_REGISTRY_H_

#include <uv.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "transport/events.h"
#include "loop/thread_check.h"
#include "ws/ws_counters.h"

namespace httpuv {

class Connection;
class Server;

// The I/O-side state of one JS environment: its servers, the ids that commands address, and
// the sink events go out through.
class ServerRegistry {
 public:
  ServerRegistry(uv_loop_t* loop, EventSink* sink, const ThreadTag* tag,
                 const std::atomic<int>* log_level, WsCounters* ws_counters)
      : loop_(loop), sink_(sink), tag_(tag), log_level_(log_level), ws_counters_(ws_counters) {}
  WsCounters& ws_counters() { return *ws_counters_; }

  // Runs on the I/O thread: starts the per-iteration flush of events (a uv_prepare handle: it
  // runs before the loop blocks, so events from I/O, timer and close callbacks all go out).
  void Open();
  // Runs on the I/O thread: writes corked WebSocket frames (after every poll round) and
  // publishes events (just before the loop would block; see PublishOrDefer).
  void Flush(bool before_poll);
  void MarkDirty(Connection* c) { dirty_.push_back(c); }
  void UnmarkDirty(Connection* c);

  // All methods run on the I/O thread.
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
  void Log(int level, std::string text);
  bool LogEnabled(int level) const { return level <= log_level_->load(std::memory_order_relaxed); }

  void AddServer(Server* s);
  Server* FindServer(uint32_t id);
  void RemoveServer(uint32_t id);

  // Routes: request and WebSocket ids → the connection that owns them.
  void AddRoute(uint64_t id, Connection* c) { routes_[id] = c; }
  void RemoveRoute(uint64_t id) { routes_.erase(id); }
  Connection* Route(uint64_t id);

  // Read backpressure: connections that stopped reading until JS handles their events, by
  // their receive budget (see receive_budget.h). WakeReceive runs the command the JS thread
  // posts when it discharged a waiting budget to half its limit; a budget whose connection has
  // closed meanwhile is simply not found.
  void WaitForReceive(const ReceiveBudget* b, Connection* c) { receive_waits_[b] = c; }
  void CancelReceiveWait(const ReceiveBudget* b) { receive_waits_.erase(b); }
  void WakeReceive(const ReceiveBudget* b);

  // Closes every server and connection without waiting for JS (environment teardown).
  void CloseAll();
  bool empty() const { return servers_.empty(); }

 private:
  uv_loop_t* loop_;
  EventSink* sink_;
  const ThreadTag* tag_;
  const std::atomic<int>* log_level_;
  WsCounters* ws_counters_;
  std::map<uint32_t, Server*> servers_;
  std::unordered_map<uint64_t, Connection*> routes_;
  std::unordered_map<const ReceiveBudget*, Connection*> receive_waits_;
  uv_prepare_t flush_check_{};
  uv_check_t flush_after_poll_{};
  // Event publication is deferred while poll rounds keep producing events (see PublishOrDefer):
  // an active idle handle makes the next poll non-blocking.
  uv_idle_t defer_{};
  size_t held_events_ = 0;      // emitted, not yet published
  size_t held_at_defer_ = 0;    // held_events_ when the last deferral began
  int deferrals_ = 0;           // consecutive deferrals of the current batch
  size_t last_batch_ = 0;       // events in the last published batch
  void PublishOrDefer();
  std::vector<Connection*> dirty_;
  bool open_ = false;
};

}  // namespace httpuv

#endif  // NODE_HTTPUV_HTTP_REGISTRY_H_
