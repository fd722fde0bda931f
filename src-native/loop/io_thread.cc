// I/O thread lifecycle (see io_thread.h). Start/Stop/PostAndWait run on the JS thread;
// ThreadMain and posted commands run on the I/O thread.
#include "loop/io_thread.h"

#if defined(__linux__)
#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#elif defined(__APPLE__)
#include <pthread.h>
#endif

namespace httpuv {

IoThread::~IoThread() {
  // Stop() must have been called by the owner; joining here would hide a lifecycle bug.
  HTTPUV_ASSERT(!running_);
}

int IoThread::Start(int nice_delta, size_t stack_size) {
  ASSERT_JS_THREAD();
  if (running_) return 0;
  nice_delta_ = nice_delta;
  started_ = false;
  start_error_ = 0;
  uv_thread_options_t opts{};
  if (stack_size != 0) {
    opts.flags = UV_THREAD_HAS_STACK_SIZE;
    opts.stack_size = stack_size;  // libuv rounds it to pages and to at least PTHREAD_STACK_MIN
  }
  int err = uv_thread_create_ex(&thread_, &opts, ThreadMain, this);
  if (err != 0) return err;
  std::unique_lock<std::mutex> lock(start_mutex_);
  start_cv_.wait(lock, [this] { return started_; });
  if (start_error_ != 0) {
    lock.unlock();
    uv_thread_join(&thread_);
    return start_error_;
  }
  running_ = true;
  return 0;
}

void IoThread::ThreadMain(void* arg) {
  auto* self = static_cast<IoThread*>(arg);
  MarkIoThread();
  self->tag_.Bind();
  self->ConfigureOsThread();
  int err = uv_loop_init(&self->loop_);
  if (err == 0) {
    err = self->queue_.Init(&self->loop_);
    if (err != 0) uv_loop_close(&self->loop_);
  }
  {
    std::lock_guard<std::mutex> lock(self->start_mutex_);
    self->start_error_ = err;
    self->started_ = true;
  }
  self->start_cv_.notify_one();
  if (err != 0) return;

  uv_run(&self->loop_, UV_RUN_DEFAULT);
  // Every handle is closed by now (the stop command closed them); let close callbacks finish.
  while (uv_loop_close(&self->loop_) == UV_EBUSY) {
    uv_run(&self->loop_, UV_RUN_NOWAIT);
  }
}

void IoThread::ConfigureOsThread() {
  ASSERT_ON_THREAD(tag_);
#if defined(__linux__)
  // The name shows in top -H, perf and /proc/<pid>/task/<tid>/comm (15 characters at most).
  pthread_setname_np(pthread_self(), "httpuv-io");
  if (nice_delta_ != 0) {
    // On Linux nice is per thread: PRIO_PROCESS with a thread id changes only that thread, and
    // a new thread starts with its creator's value. Static files must keep flowing while the JS
    // thread spins on the same core; a higher weight gives this thread the larger share then.
    const auto tid = static_cast<id_t>(syscall(SYS_gettid));
    errno = 0;
    int current = getpriority(PRIO_PROCESS, tid);
    if (errno == 0) {
      int wanted = current + nice_delta_;
      if (wanted < -20) wanted = -20;
      if (wanted > 19) wanted = 19;
      // EACCES/EPERM without CAP_SYS_NICE or a matching RLIMIT_NICE: keep the inherited value.
      (void)setpriority(PRIO_PROCESS, tid, wanted);
    }
  }
#elif defined(__APPLE__)
  pthread_setname_np("httpuv-io");
#endif
}

void IoThread::PostAndWait(const std::function<void()>& cmd) {
  ASSERT_JS_THREAD();
  std::mutex m;
  std::condition_variable cv;
  bool done = false;
  Post([&] {
    cmd();
    std::lock_guard<std::mutex> lock(m);
    done = true;
    cv.notify_one();
  });
  std::unique_lock<std::mutex> lock(m);
  cv.wait(lock, [&] { return done; });
}

void IoThread::Stop(std::function<void()> before_close) {
  ASSERT_JS_THREAD();
  if (!running_) return;
  Post([this, before_close = std::move(before_close)] {
    if (before_close) before_close();
    queue_.Close();
  });
  uv_thread_join(&thread_);
  running_ = false;
}

}  // namespace httpuv
