// JS → I/O command queue (see command_queue.h). Push runs on the JS thread; everything else on
// the I/O thread.
#include "loop/command_queue.h"

#include "loop/thread_check.h"

namespace httpuv {

int CommandQueue::Init(uv_loop_t* loop) {
  // The I/O thread is restarted after its last server stopped (Close() ran then): reopen the
  // queue, or every later Push() would be dropped and PostAndWait (server_start) would wait
  // forever. Found by the 1,000 start/stop cycles test (test/lifecycle/stress-cycles).
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = false;
    pending_.clear();
  }
  async_ = uv_async_t{};
  async_.data = this;
  return uv_async_init(loop, &async_, OnAsync);
}

void CommandQueue::Push(Command cmd) {
  bool wake;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (closed_) return;
    wake = pending_.empty();
    pending_.push_back(std::move(cmd));
  }
  // uv_async_send coalesces on its own; sending only on empty → non-empty also saves the
  // syscall when the JS thread pushes a burst of responses.
  if (wake) uv_async_send(&async_);
}

void CommandQueue::OnAsync(uv_async_t* handle) {
  static_cast<CommandQueue*>(handle->data)->Drain();
}

void CommandQueue::Drain() {
  ASSERT_IO_THREAD();
  std::vector<Command> batch;
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (pending_.empty()) return;
      batch.swap(pending_);
    }
    for (auto& cmd : batch) cmd();
    batch.clear();
  }
}

void CommandQueue::Close() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
    pending_.clear();
  }
  if (!uv_is_closing(reinterpret_cast<uv_handle_t*>(&async_))) {
    uv_close(reinterpret_cast<uv_handle_t*>(&async_), nullptr);
  }
}

}  // namespace httpuv
