// The background I/O thread of one JS environment: its own uv_loop_t (from the runtime's libuv)
// on a thread of its own, a command queue for JS → I/O work, and an orderly shutdown.
// Start/Stop/Post run on the JS thread; the loop and every command run on the I/O thread.
#ifndef NODE_HTTPUV_LOOP_IO_THREAD_H_
#define NODE_HTTPUV_LOOP_IO_THREAD_H_

#include <uv.h>

#include <condition_variable>
#include <functional>
#include <mutex>

#include "loop/command_queue.h"
#include "loop/thread_check.h"

namespace httpuv {

class IoThread {
 public:
  IoThread() = default;
  IoThread(const IoThread&) = delete;
  IoThread& operator=(const IoThread&) = delete;
  ~IoThread();

  // Runs on the JS thread: starts the thread and waits until its loop and queue are ready.
  // `nice_delta` is added to the starting thread's nice value for the I/O thread (Linux only;
  // kept silently at the inherited value when the OS refuses, e.g. without CAP_SYS_NICE).
  // `stack_size` (bytes, 0 = libuv's default: RLIMIT_STACK, or 2 MiB when unlimited) is the
  // thread's stack; only tests set it (NODE_HTTPUV_IO_STACK_KB), to show that nothing a client
  // sends makes the I/O thread recurse deeply (src-native/README.md "Bounded stack depth").
  // Returns 0 or a uv error code.
  int Start(int nice_delta = 0, size_t stack_size = 0);
  // Runs on the JS thread: runs `before_close` on the I/O thread (it must start closing every
  // handle it owns), then closes the queue, lets the loop finish, and joins the thread.
  void Stop(std::function<void()> before_close);
  bool running() const { return running_; }

  // Runs on any thread: queues `cmd` to run on the I/O thread.
  void Post(CommandQueue::Command cmd) { queue_.Push(std::move(cmd)); }

  // Runs on the JS thread: posts `cmd` and waits for it to finish. Bounded use only (binding a
  // listener, so that EADDRINUSE is thrown synchronously): the JS thread never waits on the I/O
  // thread otherwise.
  void PostAndWait(const std::function<void()>& cmd);

  uv_loop_t* loop() { return &loop_; }
  size_t PendingCommands() { return queue_.PendingCount(); }
  const ThreadTag& tag() const { return tag_; }

 private:
  static void ThreadMain(void* arg);
  // Runs on the I/O thread, first thing: names it and applies nice_delta_.
  void ConfigureOsThread();

  uv_loop_t loop_{};
  uv_thread_t thread_{};
  CommandQueue queue_;
  ThreadTag tag_;
  bool running_ = false;
  int nice_delta_ = 0;

  std::mutex start_mutex_;
  std::condition_variable start_cv_;
  bool started_ = false;
  int start_error_ = 0;
};

}  // namespace httpuv

#endif  // NODE_HTTPUV_LOOP_IO_THREAD_H_
