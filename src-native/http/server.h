// Listeners (TCP or Unix pipe): accept, drain and stop. The per-environment registry they
// belong to is in http/registry.h. Everything here runs on the I/O thread. Uses uv.h; no napi.h.
#ifndef NODE_HTTPUV_HTTP_SERVER_H_
#define NODE_HTTPUV_HTTP_SERVER_H_

#include <uv.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "http/registry.h"
#include "http/request.h"
#include "http/server_stats.h"
#include "loop/thread_check.h"
#include "transport/socket_transport.h"

namespace httpuv {

namespace statics {
struct StaticConfig;
}
using statics::StaticConfig;

// Owns its accepted sockets (SocketTransport, each speaking HTTP/1.1 through an Http1Handler
// until an upgrade).
class Server final : public SocketOwner {
 public:
  // `stats` is owned by the JS side (AddonData) and outlives the server: it is freed only when
  // JS handles kEventServerClosed, which is emitted after the last use here.
  Server(ServerRegistry* registry, uint32_t id, ServerLimits limits, ServerStats* stats);

  // Runs on the I/O thread. Return 0 or a uv error; on error the caller deletes the server.
  int ListenTcp(const std::string& host, int port, bool reuse_port, int* bound_port);
  int ListenPipe(const std::string& name, int mask);
  // Runs on the I/O thread: closes the listener at once (the port is free for a new bind), then
  // drains: every connection gets SocketTransport::Drain, and those still open `grace_ms` later are
  // closed (requests still in the app's hands are logged at WARN). `grace_ms` 0 closes every
  // connection now (WebSockets get 1001 first): the immediate stop, also used at teardown.
  // Calling it again while draining can only bring the end closer (a second Ctrl-C). Once the
  // listener and every connection are closed it emits kEventServerClosed and deletes itself.
  void Stop(uint64_t grace_ms);
  // Runs on the I/O thread: after a failed Listen*, closes what was opened and deletes itself
  // without an event (the JS side got the error synchronously).
  void Abandon();
  // Runs on the I/O thread: replaces the static-file configuration (shared with in-flight work).
  void SetStaticConfig(std::shared_ptr<const StaticConfig> config) { static_ = std::move(config); }
  std::shared_ptr<const StaticConfig> static_config() const { return static_; }

  uint32_t id() const { return id_; }
  ServerStats& stats() { return *stats_; }
  const ServerLimits& limits() const { return limits_; }
  ServerRegistry* registry() { return registry_; }
  bool stopping() const { return stopping_; }
  // SocketOwner: a connection's handles are closed; it is deleted here.
  void OnSocketClosed(SocketTransport* c) override;

 private:
  static void OnConnection(uv_stream_t* server, int status);
  static void OnListenerClosed(uv_handle_t* h);
  static void OnGraceExpired(uv_timer_t* t);
  // Closes every connection still open now (the drain is over); `why` goes into the log line.
  void CloseRemaining(const std::string& why);
  void MaybeFinish();
  // libuv hides EMFILE on accept: its reserve-descriptor trick accepts and drops the waiting
  // connections without calling OnConnection. Descriptors are handed out lowest-first, so an
  // accepted fd close to RLIMIT_NOFILE means the table is nearly full: warn (at most every 10 s).
  void WatchDescriptorHeadroom(uv_stream_t* accepted);

  ServerRegistry* registry_;
  uint32_t id_;
  ServerLimits limits_;
  bool is_pipe_ = false;
  bool stopping_ = false;
  bool draining_ = false;             // stopping with a grace period that has not ended
  uv_timer_t* grace_timer_ = nullptr;  // heap-allocated: its close may outlive the server
  uint64_t grace_deadline_ = 0;       // loop time (ms) when the drain ends
  uint64_t grace_ms_ = 0;             // the grace period that set grace_deadline_ (for logs)
  bool listener_open_ = false;
  bool emit_closed_ = true;
  union {
    uv_tcp_t tcp;
    uv_pipe_t pipe;
  } listener_;
  // Open sockets, each knowing its index here (SocketTransport::owner_slot): removal swaps the
  // last one into its place. No allocation per connection (a hash set took 45 bytes each).
  std::vector<SocketTransport*> connections_;
  std::shared_ptr<const StaticConfig> static_;
  ServerStats* stats_;
  uint64_t fd_limit_ = 0;        // RLIMIT_NOFILE soft limit, read at listen time
  uint64_t fd_warned_ms_ = 0;    // loop time of the last headroom warning (0: never)
};

}  // namespace httpuv

#endif  // NODE_HTTPUV_HTTP_SERVER_H_
