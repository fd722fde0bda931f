// JS → I/O hand-off: a mutex-protected queue of closures plus one uv_async_t. Push() may be
// called from any thread (the JS thread in practice) and wakes the loop with one coalesced
// uv_async_send; the I/O thread swaps the whole queue out and runs it outside the lock, looping
// until it is empty. Closures capture only plain C++ values, never napi handles.
#ifndef NODE_HTTPUV_LOOP_COMMAND_QUEUE_H_
#define NODE_HTTPUV_LOOP_COMMAND_QUEUE_H_

#include <uv.h>

#include <functional>
#include <mutex>
#include <vector>

namespace httpuv {

class CommandQueue {
 public:
  using Command = std::function<void()>;

  // Runs on the I/O thread (before the loop runs): initialises the async handle on `loop`.
  int Init(uv_loop_t* loop);
  // Runs on any thread: enqueues and wakes the loop when the queue was empty.
  void Push(Command cmd);
  // Runs on any thread: commands waiting for the I/O thread right now.
  size_t PendingCount() {
    std::lock_guard<std::mutex> lock(mutex_);
    return pending_.size();
  }
  // Runs on the I/O thread: closes the async handle (pending commands are dropped).
  void Close();

 private:
  static void OnAsync(uv_async_t* handle);
  // Runs on the I/O thread.
  void Drain();

  uv_async_t async_{};
  std::mutex mutex_;
  std::vector<Command> pending_;
  bool closed_ = false;
};

}  // namespace httpuv

#endif  // NODE_HTTPUV_LOOP_COMMAND_QUEUE_H_
