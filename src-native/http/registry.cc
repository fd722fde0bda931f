// The per-environment registry (see registry.h). Every function runs on the I/O thread.
#include "http/registry.h"

#include <string>
#include <vector>

#include "http/connection.h"
#include "http/server.h"

namespace httpuv {

namespace {
// Process-wide (see NextId): a static of the shared library, which every environment shares.
std::atomic<uint64_t> g_last_id{0};
}  // namespace

// Runs on any I/O thread (the counter is atomic).
uint64_t ServerRegistry::NextId() {
  return g_last_id.fetch_add(1, std::memory_order_relaxed) + 1;
}

void ServerRegistry::Log(int level, std::string text) {
  if (!LogEnabled(level)) return;
  Event e;
  e.kind = kEventLog;
  e.code = level;
  e.data = std::move(text);
  Emit(std::move(e));
}

void ServerRegistry::Open() {
  ASSERT_IO_THREAD();
  if (open_) return;
  open_ = true;
  uv_prepare_init(loop_, &flush_check_);
  flush_check_.data = this;
  uv_prepare_start(&flush_check_, [](uv_prepare_t* h) {
    static_cast<ServerRegistry*>(h->data)->Flush(true);
  });
  // The check handle must not keep the loop alive on its own.
  uv_unref(reinterpret_cast<uv_handle_t*>(&flush_check_));
  // Also right after the poll phase, so frames queued by I/O and command callbacks leave in the
  // same loop iteration.
  uv_check_init(loop_, &flush_after_poll_);
  flush_after_poll_.data = this;
  uv_check_start(&flush_after_poll_, [](uv_check_t* h) {
    static_cast<ServerRegistry*>(h->data)->Flush(false);
  });
  uv_unref(reinterpret_cast<uv_handle_t*>(&flush_after_poll_));
  uv_idle_init(loop_, &defer_);
  defer_.data = this;
  uv_unref(reinterpret_cast<uv_handle_t*>(&defer_));
}

void ServerRegistry::Flush(bool before_poll) {
  ASSERT_IO_THREAD();
  if (!dirty_.empty()) {
    std::vector<Connection*> conns;
    conns.swap(dirty_);
    for (Connection* c : conns) {
      if (c != nullptr) c->FlushCorked();
    }
  }
  if (before_poll) PublishOrDefer();
}

void ServerRegistry::PublishOrDefer() {
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

void ServerRegistry::UnmarkDirty(Connection* c) {
  ASSERT_IO_THREAD();
  for (auto& d : dirty_) {
    if (d == c) d = nullptr;
  }
}

void ServerRegistry::AddServer(Server* s) { servers_[s->id()] = s; }

Server* ServerRegistry::FindServer(uint32_t id) {
  ASSERT_IO_THREAD();
  auto it = servers_.find(id);
  return it == servers_.end() ? nullptr : it->second;
}

void ServerRegistry::RemoveServer(uint32_t id) { servers_.erase(id); }

Connection* ServerRegistry::Route(uint64_t id) {
  ASSERT_IO_THREAD();
  auto it = routes_.find(id);
  return it == routes_.end() ? nullptr : it->second;
}

void ServerRegistry::WakeReceive(const ReceiveBudget* b) {
  ASSERT_IO_THREAD();
  auto it = receive_waits_.find(b);
  if (it == receive_waits_.end()) return;
  Connection* c = it->second;
  receive_waits_.erase(it);
  c->OnReceiveDrained();
}

void ServerRegistry::CloseAll() {
  ASSERT_IO_THREAD();
  std::vector<Server*> all;
  for (auto& kv : servers_) all.push_back(kv.second);
  for (Server* s : all) s->Stop(0);  // teardown: no drain (process exit, Worker end)
  Flush(false);  // close frames queued by the stops leave before the flush handles go
  if (open_) {
    open_ = false;
    uv_close(reinterpret_cast<uv_handle_t*>(&flush_check_), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&flush_after_poll_), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&defer_), nullptr);
  }
}

}  // namespace httpuv
