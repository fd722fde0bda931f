// I/O → JS hand-off: events queue under a mutex; the first event of an empty queue triggers one
// threadsafe-function call, which converts the whole queue in one HandleScope and makes one JS
// call: events reach JS in batches, never one call per event. service() can also take the queue synchronously with a timeout.
// Emit runs on the I/O thread; everything else on the JS thread.
#ifndef NODE_HTTPUV_BINDING_EVENT_SINK_H_
#define NODE_HTTPUV_BINDING_EVENT_SINK_H_

#include <napi.h>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <vector>

#include "transport/events.h"

namespace httpuv {

class BatchingEventSink;
void CallJsWithBatch(Napi::Env env, Napi::Function callback, BatchingEventSink* sink, void* data);

class BatchingEventSink : public EventSink {
 public:
  using Tsfn = Napi::TypedThreadSafeFunction<BatchingEventSink, void, CallJsWithBatch>;

  // Runs on the JS thread: creates the threadsafe function calling `callback(batch)`.
  void Open(Napi::Env env, Napi::Function callback);
  // Runs on the JS thread: releases the threadsafe function; undelivered events are dropped.
  void Shut();
  bool open() const { return open_; }
  // Runs on the JS thread: keep / stop keeping the event loop alive.
  void Ref(Napi::Env env);
  void Unref(Napi::Env env);

  // Runs on the I/O thread: collects the event; Flush() publishes what was collected.
  void Emit(Event&& event) override;
  // Runs on the I/O thread, once per loop iteration (a uv_prepare handle) and before the thread
  // ends: hands the collected events to JS with at most one threadsafe-function call. Batching
  // per iteration, rather than per event, saves a cross-thread wake-up per request.
  void Flush() override;

  // Runs on the JS thread: takes every queued event, waiting up to `timeout_ms` for the first.
  std::vector<Event> Take(int64_t timeout_ms);
  // Runs on the JS thread: converts `events` into one JS array and calls the callback with it.
  void Deliver(Napi::Env env, Napi::Function callback, std::vector<Event>&& events);
  // Runs on the JS thread: events waiting for JS right now.
  size_t PendingCount();
  // Runs on the JS thread: a delivered batch's vector comes back (emptied here) so that the I/O
  // thread collects the next batch in its memory instead of growing a new vector event by event
  // (a reallocation and a move of every event at each doubling) and freeing it across threads.
  void Recycle(std::vector<Event>&& batch);

  // Read backpressure (transport/receive_budget.h). Every event's charge is discharged on the JS
  // thread once the JS call that handled it has returned: Deliver does it itself; for service(),
  // HoldTaken keeps the charges of the batch events_take returns until ReleaseTaken
  // (events_done) or the next HoldTaken. Connections whose budget falls to half its limit while
  // they wait are passed to `wake`, which posts their wake-up to the I/O thread.
  using WakeHook = std::function<void(std::vector<ReceiveBudgetRef>&&)>;
  void SetWakeHook(WakeHook wake) { wake_ = std::move(wake); }
  void HoldTaken(std::vector<Event>* events);
  void ReleaseTaken();

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<Event> pending_;
  std::vector<Event> local_;  // I/O thread only
  std::vector<Event> spare_;  // a delivered batch's empty vector (Recycle), for local_
  std::vector<ReceiveCharge> taken_;  // JS thread only: charges of the batch service() handles
  std::vector<napi_value> argv_;  // JS thread only: the batch callback's arguments (Deliver), reused
  WakeHook wake_;
  static void TakeCharges(std::vector<Event>* events, std::vector<ReceiveCharge>* out);
  void Release(std::vector<ReceiveCharge>* charges);
  Tsfn tsfn_;
  bool open_ = false;
  bool refed_ = false;
};

}  // namespace httpuv

#endif  // NODE_HTTPUV_BINDING_EVENT_SINK_H_
