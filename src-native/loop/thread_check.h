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

// Whether the calling thread is an I/O thread. IoThread::ThreadMain marks its thread first thing,
// for the thread's whole life; every other thread that calls into the addon is a JS thread (the
// main thread or a Worker's). Read by ASSERT_IO_THREAD / ASSERT_JS_THREAD, which need no pointer
// to the owning IoThread, so any function can state its thread in one line.
inline thread_local bool tls_is_io_thread = false;
inline void MarkIoThread() { tls_is_io_thread = true; }
inline bool OnIoThread() { return tls_is_io_thread; }

}  // namespace httpuv

// The entry points of each thread's function families assert their thread in debug builds
// (`npm run build:debug` defines HTTPUV_DEBUG): on the I/O thread, the command queue's drain,
// uv callbacks, Server, ServerRegistry/IoContext, SocketTransport, the handlers' command entry
// points, EventSink::Emit and Flush; on the JS thread, every exported binding function (Guarded in binding/exports.cc),
// EventSink::Deliver/Take and the IoThread controls (Start, Stop, PostAndWait).
#ifdef HTTPUV_DEBUG
#define HTTPUV_ASSERT(cond) assert(cond)
#define ASSERT_ON_THREAD(tag) assert((tag).IsCurrent())
#define ASSERT_NOT_ON_THREAD(tag) assert(!(tag).IsCurrent())
#define ASSERT_IO_THREAD() assert(::httpuv::OnIoThread() && "must run on the I/O thread")
#define ASSERT_JS_THREAD() assert(!::httpuv::OnIoThread() && "must run on a JS thread")
#else
#define HTTPUV_ASSERT(cond) ((void)0)
#define ASSERT_ON_THREAD(tag) ((void)0)
#define ASSERT_NOT_ON_THREAD(tag) ((void)0)
#define ASSERT_IO_THREAD() ((void)0)
#define ASSERT_JS_THREAD() ((void)0)
#endif

#endif  // NODE_HTTPUV_LOOP_THREAD_CHECK_H_
