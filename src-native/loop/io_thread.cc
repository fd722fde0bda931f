// I/O thread lifecycle (see io_thread.h). Start/Stop/PostAndWait run on the JS thread;
// ThreadMain and posted commands run on the I/O thread.
#include "loop/io_thread.h"

#include "platform/system.h"

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
  platform::ConfigureIoThread(nice_delta_);
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
