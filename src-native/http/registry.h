// The per-environment registry of the I/O thread: the shared socket state (transport/io_context.h:
// routes, corked output, receive waits, event publishing) plus this environment's servers and the
// WebSocket bufferedAmount counters. Every method runs on the I/O thread; the registry is created
// and destroyed by the binding while the I/O thread is stopped. Uses uv.h; no napi.h.
#ifndef NODE_HTTPUV_HTTP_REGISTRY_H_
#define NODE_HTTPUV_HTTP_REGISTRY_H_

#include <uv.h>

#include <atomic>
#include <cstdint>
#include <map>

#include "loop/thread_check.h"
#include "transport/io_context.h"
#include "ws/upgrade.h"  // WsCounters

namespace httpuv {

class Server;

class ServerRegistry final : public IoContext {
 public:
  ServerRegistry(uv_loop_t* loop, EventSink* sink, const ThreadTag* tag,
                 const std::atomic<int>* log_level, WsCounters* ws_counters)
      : IoContext(loop, sink, tag, log_level), ws_counters_(ws_counters) {}
  WsCounters& ws_counters() { return *ws_counters_; }

  // All methods run on the I/O thread.
  void AddServer(Server* s);
  Server* FindServer(uint32_t id);
  void RemoveServer(uint32_t id);

  // Closes every server and connection without waiting for JS (environment teardown).
  void CloseAll();
  bool empty() const { return servers_.empty(); }

 private:
  WsCounters* ws_counters_;
  std::map<uint32_t, Server*> servers_;
};

}  // namespace httpuv

#endif  // NODE_HTTPUV_HTTP_REGISTRY_H_
