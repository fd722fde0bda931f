// Debug-build assertions that code runs on the thread it documents ("Runs on the I/O thread." /
// "Runs on the JS thread."). Release builds compile them away. Header-only; no napi, no uv.
#ifndef NODE_HTTPUV_LOOP_THREAD_CHECK_H_
#define NODE_HTTPUV_LOOP_THREAD_CHECK_H_

#include <cassert>
#include <thread>

namespace httpuv {

// Records the id of the I/O thread of the current environment's loop. Set by IoThread when its
// thread starts; compared by ASSERT_IO_THREAD. One I/O thread per JS environment, so the check
// is per-object: callers pass the owning IoThread's recorded id.
struct ThreadTag {
  std::thread::id id;
  void Bind() { id = std::this_thread::get_id(); }
  bool IsCurrent() const { return id == std::this_thread::get_id(); }
};

}  // namespace httpuv

#ifdef HTTPUV_DEBUG
#define HTTPUV_ASSERT(cond) assert(cond)
#define ASSERT_ON_THREAD(tag) assert((tag).IsCurrent())
#define ASSERT_NOT_ON_THREAD(tag) assert(!(tag).IsCurrent())
#else
#define HTTPUV_ASSERT(cond) ((void)0)
#define ASSERT_ON_THREAD(tag) ((void)0)
#define ASSERT_NOT_ON_THREAD(tag) ((void)0)
#endif

#endif  // NODE_HTTPUV_LOOP_THREAD_CHECK_H_
