// Batched I/O → JS event delivery (see event_sink.h).
#include "binding/event_sink.h"

#include <chrono>

#include "binding/to_js.h"
#include "loop/thread_check.h"

namespace httpuv {

namespace {

// Whether this environment can still run JavaScript. Once process.exit() or worker.terminate()
// has begun tearing it down, the threadsafe function may still fire with a non-null env, but every
// napi call that may enter JS fails, and node-addon-api turns such a failure into a fatal error
// ("FATAL ERROR: Error::Error napi_define_properties", found by test/lifecycle/stress-workers:
// worker.terminate() while requests flow). Raw C calls only, so nothing here can throw.
bool CanRunJs(napi_env env) {
  // napi_strict_equals runs node's NAPI_PREAMBLE: it fails with a pending exception or once the
  // environment can no longer call into JS (can_call_into_js), and it allocates nothing (this
  // runs once per batch; creating a probe object and setting a property on it did the same check
  // at the cost of a heap object per batch).
  napi_value undef;
  if (napi_get_undefined(env, &undef) != napi_ok) return false;
  bool same = false;
  return napi_strict_equals(env, undef, undef, &same) == napi_ok;
}

}  // namespace

void CallJsWithBatch(Napi::Env env, Napi::Function callback, BatchingEventSink* sink, void*) {
  ASSERT_JS_THREAD();
  // Runs on the JS thread. env is null while the environment is being torn down: nothing to
  // deliver to; the queued events are freed with the sink. The same holds once the environment
  // can no longer run JS (teardown under way, env still non-null).
  if (env == nullptr || sink == nullptr || !CanRunJs(env)) return;
  std::vector<Event> batch = sink->Take(0);
  if (batch.empty()) return;  // service() took them first
  sink->Deliver(env, callback, std::move(batch));
  sink->Recycle(std::move(batch));
}

void BatchingEventSink::Open(Napi::Env env, Napi::Function callback) {
  ASSERT_JS_THREAD();
  if (open_) return;
  tsfn_ = Tsfn::New(env, callback, "node-httpuv events", 0, 1, this);
  open_ = true;
  refed_ = true;
}

void BatchingEventSink::Shut() {
  ASSERT_JS_THREAD();
  if (!open_) return;
  open_ = false;
  tsfn_.Release();
  std::lock_guard<std::mutex> lock(mutex_);
  pending_.clear();
  local_.clear();
  spare_.clear();
  taken_.clear();  // the I/O thread is gone: nothing left to wake
}

void BatchingEventSink::Ref(Napi::Env env) {
  ASSERT_JS_THREAD();
  if (open_ && !refed_) {
    tsfn_.Ref(env);
    refed_ = true;
  }
}

void BatchingEventSink::Unref(Napi::Env env) {
  ASSERT_JS_THREAD();
  if (open_ && refed_) {
    tsfn_.Unref(env);
    refed_ = false;
  }
}

void BatchingEventSink::Emit(Event&& event) {
  ASSERT_IO_THREAD();
  local_.push_back(std::move(event));
}

void BatchingEventSink::Flush() {
  ASSERT_IO_THREAD();
  if (local_.empty()) return;
  bool was_empty;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    was_empty = pending_.empty();
    if (was_empty) {
      pending_.swap(local_);
    } else {
      for (auto& e : local_) pending_.push_back(std::move(e));
      local_.clear();
    }
  }
  // The vector published last time comes back empty from the JS thread (Recycle): collect the
  // next batch in it.
  if (local_.capacity() == 0) {
    std::lock_guard<std::mutex> lock(mutex_);
    local_.swap(spare_);
  }
  if (was_empty) {
    cv_.notify_one();
    // Only the empty → non-empty transition needs a JS call: that call drains everything that
    // arrives before it runs (h2o's multithread queue does the same).
    tsfn_.NonBlockingCall();
  }
}

std::vector<Event> BatchingEventSink::Take(int64_t timeout_ms) {
  ASSERT_JS_THREAD();
  std::vector<Event> out;
  std::unique_lock<std::mutex> lock(mutex_);
  if (pending_.empty() && timeout_ms > 0) {
    cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [this] { return !pending_.empty(); });
  }
  out.swap(pending_);
  return out;
}

void BatchingEventSink::Recycle(std::vector<Event>&& batch) {
  ASSERT_JS_THREAD();
  batch.clear();  // the events' strings and descriptors are freed here, on the JS thread
  // Batches of a few thousand events at most are kept (one vector, so memory stays bounded).
  if (batch.capacity() == 0 || batch.capacity() > 4096) return;
  std::vector<Event> keep = std::move(batch);
  std::lock_guard<std::mutex> lock(mutex_);
  if (keep.capacity() > spare_.capacity()) spare_.swap(keep);
}

size_t BatchingEventSink::PendingCount() {
  ASSERT_JS_THREAD();
  std::lock_guard<std::mutex> lock(mutex_);
  return pending_.size();
}

void BatchingEventSink::TakeCharges(std::vector<Event>* events, std::vector<ReceiveCharge>* out) {
  for (Event& e : *events) {
    if (e.charge.budget) out->push_back(std::move(e.charge));
  }
}

void BatchingEventSink::Release(std::vector<ReceiveCharge>* charges) {
  if (charges->empty()) return;
  std::vector<ReceiveBudgetRef> wake;
  Discharge(charges, &wake);
  if (!wake.empty() && wake_) wake_(std::move(wake));
}

void BatchingEventSink::HoldTaken(std::vector<Event>* events) {
  ASSERT_JS_THREAD();
  Release(&taken_);  // the previous service() batch, if events_done was not called
  TakeCharges(events, &taken_);
}

void BatchingEventSink::ReleaseTaken() { Release(&taken_); }

void BatchingEventSink::Deliver(Napi::Env env, Napi::Function callback,
                                std::vector<Event>&& events) {
  ASSERT_JS_THREAD();
  // The batch's charges leave the receive queues once the JS call below has returned (or the
  // batch was dropped): handled, so their connections may read again.
  struct Discharger {
    BatchingEventSink* sink;
    std::vector<ReceiveCharge> charges;
    ~Discharger() { sink->Release(&charges); }
  } discharger{this, {}};
  TakeCharges(&events, &discharger.charges);
  Napi::HandleScope scope(env);
  std::vector<napi_value>& argv = argv_;
  try {
    EventsToArgs(env, std::move(events), &argv);
  } catch (const Napi::Error& e) {
    // Teardown began while the batch was being built (a napi setter failed): drop it. An
    // exception escaping this threadsafe-function callback would end in std::terminate.
    argv.clear();
    if (CanRunJs(env)) napi_fatal_exception(env, e.Value());
    return;
  }
  // Raw napi_call_function rather than Function::Call: if the environment starts tearing down
  // while JS runs (worker.terminate() comes from another thread at any time), Call() would build
  // a Napi::Error from the termination and abort the process (see CanRunJs).
  napi_value recv;
  napi_value result;
  napi_get_undefined(env, &recv);
  const napi_status called = napi_call_function(env, recv, callback, argv.size(), argv.data(), &result);
  argv.clear();  // handles of this scope: never used again
  if (called != napi_ok) {
    napi_value exc = nullptr;
    napi_get_and_clear_last_exception(env, &exc);
    // Teardown began during the call: nothing to report to. Otherwise: dispatch.ts catches
    // every app error itself; anything reaching here is a bug in our own JS layer and must not
    // be swallowed.
    if (CanRunJs(env) && exc != nullptr) napi_fatal_exception(env, exc);
  }
}

}  // namespace httpuv
