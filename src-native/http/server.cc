// Listeners (see server.h). Every function runs on the I/O thread.
#include "http/server.h"

#include <string>
#include <vector>

#include "http/http1_handler.h"
#include "platform/system.h"

namespace httpuv {

// ---- server ---------------------------------------------------------------------------------

Server::Server(ServerRegistry* registry, uint32_t id, ServerLimits limits, ServerStats* stats)
    : registry_(registry), id_(id), limits_(std::move(limits)), stats_(stats) {}

int Server::ListenTcp(const std::string& host, int port, bool reuse_port, int* bound_port) {
  ASSERT_IO_THREAD();
  is_pipe_ = false;
  sockaddr_storage addr;
  int err = uv_ip6_addr(host.c_str(), port, reinterpret_cast<sockaddr_in6*>(&addr));
  if (err != 0) err = uv_ip4_addr(host.c_str(), port, reinterpret_cast<sockaddr_in*>(&addr));
  if (err != 0) return err;
  err = uv_tcp_init_ex(registry_->loop(), &listener_.tcp, addr.ss_family);
  if (err != 0) return err;
  listener_.tcp.data = this;
  listener_open_ = true;
  unsigned flags = 0;
#ifdef UV_TCP_REUSEPORT
  if (reuse_port) flags |= UV_TCP_REUSEPORT;
#elif !defined(_WIN32)
  if (reuse_port) {
    int fd;
    if (uv_fileno(reinterpret_cast<uv_handle_t*>(&listener_.tcp), &fd) == 0) {
      int one = 1;
      setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
    }
  }
#else
  if (reuse_port) return UV_ENOTSUP;  // Windows has no SO_REUSEPORT (the TS layer says so first)
#endif
  err = uv_tcp_bind(&listener_.tcp, reinterpret_cast<sockaddr*>(&addr), flags);
  if (err == 0) {
    err = uv_listen(reinterpret_cast<uv_stream_t*>(&listener_.tcp), 511, OnConnection);
  }
  if (err != 0) return err;
  sockaddr_storage bound;
  int len = sizeof(bound);
  if (uv_tcp_getsockname(&listener_.tcp, reinterpret_cast<sockaddr*>(&bound), &len) == 0) {
    *bound_port = bound.ss_family == AF_INET6
                      ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                      : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  }
  registry_->AddServer(this);
  return 0;
}

int Server::ListenPipe(const std::string& name, int mask) {
  ASSERT_IO_THREAD();
  is_pipe_ = true;
  int err = uv_pipe_init(registry_->loop(), &listener_.pipe, 0);
  if (err != 0) return err;
  listener_.pipe.data = this;
  listener_open_ = true;
  int old_mask = 0;
  if (mask >= 0) old_mask = platform::SetUmask(mask);
  err = uv_pipe_bind(&listener_.pipe, name.c_str());
  if (mask >= 0) platform::SetUmask(old_mask);
  if (err == 0) {
    err = uv_listen(reinterpret_cast<uv_stream_t*>(&listener_.pipe), 511, OnConnection);
  }
  if (err != 0) return err;
  registry_->AddServer(this);
  return 0;
}

void Server::OnConnection(uv_stream_t* listener, int status) {
  ASSERT_IO_THREAD();
  auto* self = static_cast<Server*>(listener->data);
  if (status != 0) {
    self->registry_->Log(kLogInfo, std::string("accept: ") + uv_strerror(status), self->id_);
    return;
  }
  if (self->stopping_) return;
  auto* conn = new SocketTransport(self->registry_, self, self->stats_, self->is_pipe_,
                                   self->limits_.receive_queue_limit);
  conn->SetLogTag(self->id_);  // its log lines name this server to JS (options.logger)
  conn->set_owner_slot(static_cast<uint32_t>(self->connections_.size()));
  self->connections_.push_back(conn);
  if (uv_accept(listener, conn->stream()) != 0) {
    ServerStats::Add(self->stats_->connections_open, 1);
    conn->Close();
    return;
  }
  ServerStats::Add(self->stats_->connections_open, 1);
  ServerStats::Add(self->stats_->connections_total, 1);
  self->WatchDescriptorHeadroom(conn->stream());
  if (self->limits_.max_connections != 0 &&
      self->connections_.size() > self->limits_.max_connections) {
    self->registry_->Log(kLogWarn, "maxConnections reached; closing a new connection", self->id_);
    conn->Close();
    return;
  }
  conn->Start(std::make_unique<Http1Handler>(conn, self));
}

void Server::WatchDescriptorHeadroom(uv_stream_t* accepted) {
  constexpr uint64_t kHeadroom = 8;  // warn when at most this many descriptors may be left
#ifdef _WIN32
  (void)kHeadroom;
  (void)accepted;  // sockets are handles: no per-process descriptor limit to run into
#else
  uv_os_fd_t fd = -1;
  if (uv_fileno(reinterpret_cast<uv_handle_t*>(accepted), &fd) != 0 || fd < 0) return;
  if (fd_limit_ == 0) fd_limit_ = platform::DescriptorLimit();
  if (static_cast<uint64_t>(fd) + kHeadroom < fd_limit_) return;
  fd_limit_ = platform::DescriptorLimit();  // it may have been raised since (prlimit, setrlimit)
  if (static_cast<uint64_t>(fd) + kHeadroom < fd_limit_) return;
  uint64_t now = uv_now(registry_->loop());
  if (fd_warned_ms_ != 0 && now - fd_warned_ms_ < 10000) return;
  fd_warned_ms_ = now;
  registry_->Log(kLogWarn, "accept: out of file descriptors (accepted fd " + std::to_string(fd) +
                               ", RLIMIT_NOFILE " + std::to_string(fd_limit_) +
                               "): further connections are dropped (EMFILE, too many open files)"
                               " until some close; raise the limit (ulimit -n)", id_);
#endif
}

void Server::Stop(uint64_t grace_ms) {
  ASSERT_IO_THREAD();
  const bool first = !stopping_;
  if (first) {
    stopping_ = true;
    // The listener goes at once (uv_close closes the descriptor now), so the port can be bound
    // again while the connections drain; a client connecting now is refused by the kernel.
    if (listener_open_) {
      uv_close(reinterpret_cast<uv_handle_t*>(&listener_), OnListenerClosed);
    }
  } else if (!draining_) {
    return;  // already closing everything
  }
  if (grace_ms == 0) {
    if (first) {
      // The immediate stop (graceMs 0, environment teardown): as before drains existed.
      size_t in_app = 0;
      std::vector<SocketTransport*> conns(connections_);
      for (SocketTransport* c : conns) {
        if (c->AwaitingApp()) in_app++;
      }
      if (in_app > 0) {
        registry_->Log(kLogWarn, "stop: closing " + std::to_string(in_app) +
                                     " connection(s) whose request the app has not answered yet"
                                     " (graceMs 0); those answers will be dropped", id_);
      }
      for (SocketTransport* c : conns) c->CloseForStop(1001);
    } else {
      CloseRemaining("stop was called again with graceMs 0");
    }
    MaybeFinish();
    return;
  }
  uint64_t now = uv_now(registry_->loop());
  if (first) {
    draining_ = true;
    grace_timer_ = new uv_timer_t;
    uv_timer_init(registry_->loop(), grace_timer_);
    grace_timer_->data = this;
  } else if (now + grace_ms >= grace_deadline_) {
    return;  // a later deadline than the one already set: the earlier one stands
  }
  grace_deadline_ = now + grace_ms;
  grace_ms_ = grace_ms;
  uv_timer_start(grace_timer_, OnGraceExpired, grace_ms, 0);
  if (first) {
    std::vector<SocketTransport*> conns(connections_);
    for (SocketTransport* c : conns) c->Drain();
  }
  MaybeFinish();
}

void Server::OnGraceExpired(uv_timer_t* t) {
  ASSERT_IO_THREAD();
  auto* self = static_cast<Server*>(t->data);
  self->CloseRemaining("the grace period of " + std::to_string(self->grace_ms_) + " ms ended");
}

void Server::CloseRemaining(const std::string& why) {
  draining_ = false;
  if (grace_timer_ != nullptr) uv_timer_stop(grace_timer_);
  std::vector<SocketTransport*> conns;
  size_t in_app = 0;
  for (SocketTransport* c : connections_) {
    if (c->closing()) continue;
    conns.push_back(c);
    if (c->AwaitingApp()) in_app++;
  }
  if (!conns.empty()) {
    // A request the app still holds is the one thing lost here: say so where it is seen. Its
    // answer, when it comes, is dropped (JS logs it too once the server has closed).
    registry_->Log(in_app > 0 ? kLogWarn : kLogInfo,
                   "stop: " + why + "; closing " + std::to_string(conns.size()) +
                       " connection(s), " + std::to_string(in_app) +
                       " with a request the app has not answered (its answer will be dropped)", id_);
  }
  for (SocketTransport* c : conns) c->CloseForStop(0);
}

void Server::Abandon() {
  ASSERT_IO_THREAD();
  emit_closed_ = false;
  stopping_ = true;
  if (listener_open_) {
    uv_close(reinterpret_cast<uv_handle_t*>(&listener_), OnListenerClosed);
  } else {
    MaybeFinish();
  }
}

void Server::OnListenerClosed(uv_handle_t* h) {
  ASSERT_IO_THREAD();
  auto* self = static_cast<Server*>(h->data);
  self->listener_open_ = false;
  self->MaybeFinish();
}

void Server::OnSocketClosed(SocketTransport* c) {
  ASSERT_IO_THREAD();
  uint32_t slot = c->owner_slot();
  if (slot < connections_.size() && connections_[slot] == c) {
    SocketTransport* last = connections_.back();
    connections_[slot] = last;
    last->set_owner_slot(slot);
    connections_.pop_back();
  }
  ServerStats::Sub(stats_->connections_open, 1);
  delete c;
  MaybeFinish();
}

void Server::MaybeFinish() {
  if (!stopping_ || listener_open_ || !connections_.empty()) return;
  if (grace_timer_ != nullptr) {
    uv_close(reinterpret_cast<uv_handle_t*>(grace_timer_),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
    grace_timer_ = nullptr;
  }
  draining_ = false;
  // Registered until now so that a second stop (shorter grace) and the environment teardown
  // (CloseAll) still reach a draining server. Abandon()ed servers were never registered.
  if (registry_->FindServer(id_) == this) registry_->RemoveServer(id_);
  if (emit_closed_) {
    Event e;
    e.kind = kEventServerClosed;
    e.server_id = id_;
    registry_->Emit(std::move(e));
  }
  delete this;
}

}  // namespace httpuv
