// The I/O thread's shared socket state (see io_context.h). Every function runs on the I/O thread.
#include "transport/io_context.h"

#include <string>
#include <vector>

#include "transport/socket_transport.h"

namespace httpuv {

namespace {
// Process-wide (see NextId): a static of the shared library, which every environment shares.
std::atomic<uint64_t> g_last_id{0};
}  // namespace

// Runs on any I/O thread (the counter is atomic).
uint64_t IoContext::NextId() {
  return g_last_id.fetch_add(1, std::memory_order_relaxed) + 1;
}

void IoContext::Log(int level, std::string text, uint32_t tag) {
  if (!LogEnabled(level)) return;
  Event e;
  e.kind = kEventLog;
  e.server_id = tag;
  e.code = level;
  e.data = std::move(text);
  Emit(std::move(e));
}

void IoContext::Open() {
  ASSERT_IO_THREAD();
  if (open_) return;
  open_ = true;
  uv_prepare_init(loop_, &flush_check_);
  flush_check_.data = this;
  uv_prepare_start(&flush_check_, [](uv_prepare_t* h) {
    static_cast<IoContext*>(h->data)->Flush(true);
  });
  // The check handle must not keep the loop alive on its own.
  uv_unref(reinterpret_cast<uv_handle_t*>(&flush_check_));
  // Also right after the poll phase, so frames queued by I/O and command callbacks leave in the
  // same loop iteration.
  uv_check_init(loop_, &flush_after_poll_);
  flush_after_poll_.data = this;
  uv_check_start(&flush_after_poll_, [](uv_check_t* h) {
    static_cast<IoContext*>(h->data)->Flush(false);
  });
  uv_unref(reinterpret_cast<uv_handle_t*>(&flush_after_poll_));
  uv_idle_init(loop_, &defer_);
  defer_.data = this;
  uv_unref(reinterpret_cast<uv_handle_t*>(&defer_));
}

void IoContext::Flush(bool before_poll) {
  ASSERT_IO_THREAD();
  if (!dirty_.empty()) {
    std::vector<SocketTransport*> socks;
    socks.swap(dirty_);
    for (SocketTransport* s : socks) {
      if (s != nullptr) s->FlushCorked();
    }
  }
  if (before_poll) PublishOrDefer();
}

void IoContext::PublishOrDefer() {
  ASSERT_IO_THREAD();
  // Waking the JS thread costs a context switch, and when both threads share a core the woken JS
  // thread preempts this one at once, so every poll round would become its own small batch.
  // Instead, while the last poll round produced events (more are likely ready: other clients'
  // requests), poll once more without blocking and publish when a round brings nothing new, or
  // after kMaxDeferrals rounds. The cost is one epoll_wait(0) per batch, so a lone event after a
  // lone event (one client, nothing else going on: latency matters, batching cannot help) is
  // published at once.
  constexpr int kMaxDeferrals = 4;
  constexpr size_t kMaxHeld = 512;
  if (held_events_ == 0) return;
  const bool lone = deferrals_ == 0 && held_events_ == 1 && last_batch_ <= 1;
  const bool progressed = deferrals_ == 0 || held_events_ > held_at_defer_;
  if (!lone && progressed && deferrals_ < kMaxDeferrals && held_events_ < kMaxHeld) {
    if (deferrals_++ == 0) {
      uv_idle_start(&defer_, [](uv_idle_t*) {});
    }
    held_at_defer_ = held_events_;
    return;
  }
  uv_idle_stop(&defer_);
  deferrals_ = 0;
  last_batch_ = held_events_;
  held_events_ = 0;
  held_at_defer_ = 0;
  sink_->Flush();
}

void IoContext::UnmarkDirty(SocketTransport* s) {
  ASSERT_IO_THREAD();
  for (auto& d : dirty_) {
    if (d == s) d = nullptr;
  }
}

SocketTransport* IoContext::Route(uint64_t id) {
  ASSERT_IO_THREAD();
  auto it = routes_.find(id);
  return it == routes_.end() ? nullptr : it->second;
}

void IoContext::WakeReceive(const ReceiveBudget* b) {
  ASSERT_IO_THREAD();
  auto it = receive_waits_.find(b);
  if (it == receive_waits_.end()) return;
  SocketTransport* s = it->second;
  receive_waits_.erase(it);
  s->OnReceiveDrained();
}

void IoContext::CloseLoopHandles() {
  ASSERT_IO_THREAD();
  if (!open_) return;
  open_ = false;
  uv_close(reinterpret_cast<uv_handle_t*>(&flush_check_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&flush_after_poll_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&defer_), nullptr);
}

}  // namespace httpuv
