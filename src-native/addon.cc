// Module entry: per-environment AddonData (main thread or Worker), the env cleanup hook that
// stops and joins the I/O thread at process exit or Worker termination, and the exports table.
// Runs on the JS thread.
#include <napi.h>

#include "binding/addon_data.h"
#include "binding/exports.h"
#include "binding/from_js.h"

namespace httpuv {

AddonData* GetAddonData(Napi::Env env) { return env.GetInstanceData<AddonData>(); }

void AddonData::EnsureRunning(int io_nice_delta, size_t io_stack_size) {
  if (io.running()) return;
  if (on_events.IsEmpty()) ThrowInternal(env, "init() was not called");
  sink.Open(env, on_events.Value());
  int err = io.Start(io_nice_delta, io_stack_size);
  if (err != 0) {
    sink.Shut();
    Napi::Error e = Napi::Error::New(env, std::string("cannot start the I/O thread: ") +
                                              uv_strerror(err));
    e.Set("code", Napi::String::New(env, uv_err_name(err)));
    throw e;
  }
  registry = std::make_unique<ServerRegistry>(io.loop(), &sink, &io.tag(), &log_level,
                                              &ws_counters);
  // JS caught up with connections that stopped reading: one command wakes them all.
  sink.SetWakeHook([this](std::vector<ReceiveBudgetRef>&& budgets) {
    if (!io.running() || !registry) return;
    ServerRegistry* r = registry.get();
    auto list = std::make_shared<std::vector<ReceiveBudgetRef>>(std::move(budgets));
    io.Post([r, list] {
      for (const ReceiveBudgetRef& b : *list) r->WakeReceive(b.get());
    });
  });
}

void AddonData::StopIo() {
  if (io.running()) {
    ServerRegistry* r = registry.get();
    io.Stop([r] {
      r->CloseAll();
      // Anything else still open on the loop (nothing should be) is closed too, so the loop ends.
    });
  }
  registry.reset();
  sink.Shut();
  stats.clear();
  ws_counters.Clear();
  live_servers = 0;
}

namespace {

void FinalizeData(Napi::Env, AddonData* d) {
  d->StopIo();
  delete d;
}

void Cleanup(AddonData* d) {
  // Process exit or Worker termination: same path as stopping the last server.
  d->torn_down = true;
  d->StopIo();
}

}  // namespace

Napi::Object InitModule(Napi::Env env, Napi::Object exports) {
  auto* data = new AddonData(env);
  // Deleted by node-addon-api at env teardown; the finalizer stops the thread too in case it
  // runs before the cleanup hook (StopIo is idempotent).
  env.SetInstanceData<AddonData, FinalizeData>(data);
  env.AddCleanupHook(Cleanup, data);
  RegisterExports(env, exports);
  return exports;
}

}  // namespace httpuv

static Napi::Object InitHttpuv(Napi::Env env, Napi::Object exports) {
  return httpuv::InitModule(env, exports);
}

NODE_API_MODULE(httpuv, InitHttpuv)
