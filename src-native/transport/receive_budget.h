// Read backpressure toward JavaScript: the bytes one connection has handed to JS that JS has not
// handled yet (its receive queue), bounded per connection like a Node stream's highWaterMark.
// Shared by the I/O thread (charges every event it emits for the connection and stops reading
// while the queue is over `limit`) and the JS thread (discharges once the batch holding the
// event has been handled, and wakes the I/O thread when the queue falls to half the limit while
// the connection waits). Thread-safe; pure (no uv.h, no napi.h).
#ifndef NODE_HTTPUV_TRANSPORT_RECEIVE_BUDGET_H_
#define NODE_HTTPUV_TRANSPORT_RECEIVE_BUDGET_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace httpuv {

struct ReceiveBudget {
  explicit ReceiveBudget(int64_t lim) : limit(lim) {}
  const int64_t limit;
  // Bytes charged and not yet discharged. Sequentially consistent with `waiting`: the I/O thread
  // sets `waiting` then re-reads `queued`; the JS thread lowers `queued` then reads `waiting`;
  // so at least one of them sees the other and a wake-up cannot be lost.
  std::atomic<int64_t> queued{0};
  // The I/O thread stopped reading this connection for this budget and waits to be woken.
  std::atomic<bool> waiting{false};

  // Runs on the I/O thread.
  bool Over() const { return queued.load() > limit; }
};

using ReceiveBudgetRef = std::shared_ptr<ReceiveBudget>;

// What one event added to its connection's budget (carried by the event until JS handled it).
struct ReceiveCharge {
  ReceiveBudgetRef budget;
  int64_t bytes = 0;
};

// Runs on the JS thread, after the events carrying `charges` have been handled: takes their
// bytes off the budgets and appends to `wake` each budget whose connection waits and may read
// again (queue at or below half its limit). Each waiting budget is handed out once per wait.
inline void Discharge(std::vector<ReceiveCharge>* charges, std::vector<ReceiveBudgetRef>* wake) {
  for (ReceiveCharge& c : *charges) {
    ReceiveBudget& b = *c.budget;
    int64_t left = b.queued.fetch_sub(c.bytes) - c.bytes;
    if (left <= b.limit / 2 && b.waiting.load() && b.waiting.exchange(false)) {
      wake->push_back(std::move(c.budget));
    }
  }
  charges->clear();
}

}  // namespace httpuv

#endif  // NODE_HTTPUV_TRANSPORT_RECEIVE_BUDGET_H_
