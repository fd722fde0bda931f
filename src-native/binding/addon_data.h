// Per-environment addon state (main thread or a Worker): the I/O thread, the server registry it
// owns, the event sink and the JS callback. Created at module init, destroyed by the env cleanup
// hook. Touched on the JS thread only, except `registry`, which only the I/O thread uses.
#ifndef NODE_HTTPUV_BINDING_ADDON_DATA_H_
#define NODE_HTTPUV_BINDING_ADDON_DATA_H_

#include <napi.h>

#include <atomic>
#include <map>
#include <memory>

#include "binding/event_sink.h"
#include "http/server.h"
#include "loop/io_thread.h"

namespace httpuv {

struct AddonData {
  explicit AddonData(Napi::Env e) : env(e) {}
  Napi::Env env;
  IoThread io;
  BatchingEventSink sink;
  std::unique_ptr<ServerRegistry> registry;  // created on start, used on the I/O thread only
  Napi::FunctionReference on_events;
  uint32_t next_server_id = 0;
  uint32_t live_servers = 0;  // JS-thread count: started and not yet reported closed
  bool torn_down = false;
  std::atomic<int> log_level{1};  // mirrors logLevel() in JS: 0 OFF, 1 ERROR … 4 DEBUG
  // Counters of started servers, by id, until JS learns they closed (server.stats()).
  // Owned here, on the JS thread; the I/O thread only writes the counters (relaxed atomics).
  std::map<uint32_t, std::unique_ptr<ServerStats>> stats;
  WsCounters ws_counters;  // bufferedAmount of each open WebSocket

  // Runs on the JS thread: starts the I/O thread (and opens the sink) if needed, with its nice
  // value `io_nice_delta` above the JS thread's and a stack of `io_stack_size` bytes (0 = libuv's
  // default; see IoThread::Start).
  void EnsureRunning(int io_nice_delta, size_t io_stack_size = 0);
  // Runs on the JS thread: stops and joins the I/O thread, closing everything still open.
  void StopIo();
};

AddonData* GetAddonData(Napi::Env env);

}  // namespace httpuv

#endif  // NODE_HTTPUV_BINDING_ADDON_DATA_H_
