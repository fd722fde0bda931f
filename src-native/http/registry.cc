// The per-environment registry (see registry.h). Every function runs on the I/O thread.
#include "http/registry.h"

#include <vector>

#include "http/server.h"

namespace httpuv {

void ServerRegistry::AddServer(Server* s) { servers_[s->id()] = s; }

Server* ServerRegistry::FindServer(uint32_t id) {
  ASSERT_IO_THREAD();
  auto it = servers_.find(id);
  return it == servers_.end() ? nullptr : it->second;
}

void ServerRegistry::RemoveServer(uint32_t id) { servers_.erase(id); }

void ServerRegistry::CloseAll() {
  ASSERT_IO_THREAD();
  std::vector<Server*> all;
  for (auto& kv : servers_) all.push_back(kv.second);
  for (Server* s : all) s->Stop(0);  // teardown: no drain (process exit, Worker end)
  Flush(false);  // close frames queued by the stops leave before the flush handles go
  CloseLoopHandles();
}

}  // namespace httpuv
