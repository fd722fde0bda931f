// Native exports (see exports.h). Every function runs on the JS thread; work for the I/O thread
// is converted to plain values here and posted as a command.
#include "binding/exports.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <exception>
#include <initializer_list>
#include <memory>
#include <string>

#include "binding/addon_data.h"
#include "binding/from_js.h"
#include "binding/static_from_js.h"
#include "binding/to_js.h"
#include "binding/wire.h"
#include "http/http1_handler.h"
#include "http/registry.h"
#include "http/server.h"
#include "loop/port_probe.h"
#include "loop/thread_check.h"
#include "transport/socket_transport.h"
#include "ws/ws_session.h"

namespace httpuv {

namespace {

// Runs on the I/O thread: the handler a command for `id` addresses on `sock` (the route of
// `id`), when it speaks protocol `Kind` (recognised by its kind tag: no RTTI), or null: no route,
// the socket is closing, it speaks another protocol now, or (WebSocket) `id` is not the
// session's. A request command's id is checked by the HTTP handler itself (a stale request id).
Http1Handler* HttpOf(SocketTransport* sock) {
  ASSERT_IO_THREAD();  // an HTTP command's entry point
  if (sock == nullptr) return nullptr;
  ProtocolHandler* h = sock->handler();
  if (h == nullptr || h->kind() != ProtocolKind::kHttp1) return nullptr;
  return static_cast<Http1Handler*>(h);
}

WsSession* SessionOf(SocketTransport* sock, uint64_t id) {
  ASSERT_IO_THREAD();  // a WebSocket command's entry point
  if (sock == nullptr || sock->closing()) return nullptr;
  ProtocolHandler* h = sock->handler();
  if (h == nullptr || h->kind() != ProtocolKind::kWebSocket) return nullptr;
  auto* ws = static_cast<WsSession*>(h);
  return ws->id() == id ? ws : nullptr;
}

Napi::Error UvError(Napi::Env env, int err, const std::string& syscall, const std::string& where) {
  std::string msg = syscall + " " + uv_err_name(err) + ": " + uv_strerror(err);
  if (!where.empty()) msg += " " + where;
  Napi::Error e = Napi::Error::New(env, msg);
  e.Set("code", Napi::String::New(env, uv_err_name(err)));
  e.Set("errno", Napi::Number::New(env, err));
  e.Set("syscall", Napi::String::New(env, syscall));
  return e;
}

// init(onEvents): the one JS function every event batch is delivered to.
Napi::Value Init(const Napi::CallbackInfo& info) {
  AddonData* d = GetAddonData(info.Env());
  if (!info[0].IsFunction()) ThrowInternal(info.Env(), "init needs a function");
  d->on_events = Napi::Persistent(info[0].As<Napi::Function>());
  return info.Env().Undefined();
}

// server_start(kind (ListenKind: LISTEN.TCP / LISTEN.PIPE), hostOrName, portOrMask, options,
// reusePort) → [id, port]
Napi::Value ServerStart(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  AddonData* d = GetAddonData(env);
  bool pipe = info[0].As<Napi::Number>().Int32Value() == kListenPipe;
  std::string where = Utf8FromJs(info[1]);
  int port_or_mask = info[2].As<Napi::Number>().Int32Value();
  Napi::Object options = info[3].As<Napi::Object>();
  ServerLimits limits = LimitsFromJs(options);
  std::shared_ptr<const StaticConfig> statics = StaticConfigFromJs(options.Get("staticPaths"));
  bool reuse_port = info[4].ToBoolean().Value();
  int io_nice = options.Get("ioNice").As<Napi::Number>().Int32Value();
  uint32_t io_stack_kb = options.Get("ioStackKb").As<Napi::Number>().Uint32Value();

  d->EnsureRunning(io_nice, static_cast<size_t>(io_stack_kb) * 1024);
  uint32_t id = ++d->next_server_id;
  auto owned_stats = std::make_unique<ServerStats>();
  ServerStats* stats = owned_stats.get();
  int err = 0;
  int bound_port = 0;
  ServerRegistry* registry = d->registry.get();
  d->io.PostAndWait([&] {
    registry->Open();
    auto* s = new Server(registry, id, std::move(limits), stats);
    s->SetStaticConfig(statics);
    err = pipe ? s->ListenPipe(where, port_or_mask)
               : s->ListenTcp(where, port_or_mask, reuse_port, &bound_port);
    if (err != 0) s->Abandon();
  });
  if (err != 0) {
    if (d->live_servers == 0) d->StopIo();
    std::string addr = pipe ? where : where + ":" + std::to_string(port_or_mask);
    throw UvError(env, err, "listen", addr);  // as Node: "listen EADDRINUSE: ..." for TCP and pipes
  }
  d->live_servers++;
  d->stats[id] = std::move(owned_stats);
  d->sink.Ref(env);
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, Napi::Number::New(env, id));
  out.Set(1u, Napi::Number::New(env, bound_port));
  return out;
}

// server_stop(id, graceMs): closes the listener, drains the connections for up to graceMs
// (0: closes them now; see Server::Stop); kEventServerClosed follows. Called again while the
// server drains, a shorter graceMs brings the end closer.
Napi::Value ServerStop(const Napi::CallbackInfo& info) {
  AddonData* d = GetAddonData(info.Env());
  uint32_t id = info[0].As<Napi::Number>().Uint32Value();
  double grace = info[1].IsNumber() ? info[1].As<Napi::Number>().DoubleValue() : 0;
  uint64_t grace_ms = grace > 0 ? static_cast<uint64_t>(grace) : 0;
  if (!d->io.running()) return info.Env().Undefined();
  ServerRegistry* registry = d->registry.get();
  d->io.Post([registry, id, grace_ms] {
    if (Server* s = registry->FindServer(id)) s->Stop(grace_ms);
  });
  return info.Env().Undefined();
}

// server_closed(): called by JS for each kEventServerClosed it handled; the last one stops the
// I/O thread so that nothing keeps the process alive.
Napi::Value ServerClosed(const Napi::CallbackInfo& info) {
  AddonData* d = GetAddonData(info.Env());
  if (info[0].IsNumber()) d->stats.erase(info[0].As<Napi::Number>().Uint32Value());
  if (d->live_servers > 0) d->live_servers--;
  if (d->live_servers == 0) d->StopIo();
  return info.Env().Undefined();
}

// commands_send(nums, count, v0, v1, …) or commands_send(nums, count, vals): the JS thread's
// queued commands (src/outbox.ts), `count` of them, in the command layout of binding/wire.h. The numbers are read straight from the typed
// array; converted here, posted as ONE command: one lock and one wake-up.
//
// One bad entry never costs the others: each command is converted on its own, and
// one that cannot be (TS let through something it should not have) becomes a 500 for that
// request, or a dropped WebSocket command, logged at ERROR by the I/O thread; the rest of the
// batch goes on. Commands are converted even when no I/O thread runs (a late answer after the
// last server stopped) so that an owned response file is still deleted (ResponseFile) when the
// batch is dropped.
struct Cmd {
  int type = 0;
  uint64_t id = 0;
  std::unique_ptr<ResponseSpec> response;
  std::string data;
  int code = 0;
  int64_t counted = 0;
  std::string error;  // why the command could not be converted (logged on the I/O thread)
};

// The 500 that replaces a response the binding could not convert.
std::unique_ptr<ResponseSpec> ConversionFailedResponse() {
  auto spec = std::make_unique<ResponseSpec>();
  spec->status = 500;
  spec->headers.emplace_back("Content-Type", "text/plain; charset=UTF-8");
  spec->body_kind = ResponseSpec::BodyKind::kMemory;
  spec->body = "500 Internal Server Error\n";
  return spec;
}

// A batch's command values: commands_send's arguments after the first two (the usual form: no
// napi_get_element per value), or one array (a batch of more than kMaxSpreadVals values).
class CmdVals {
 public:
  explicit CmdVals(const Napi::CallbackInfo& info)
      : info_(info), spread_(!(info.Length() == 3 && info[2].IsArray())) {
    if (!spread_) array_ = info[2].As<Napi::Array>();
  }
  // How many values there are.
  size_t size() const { return spread_ ? info_.Length() - 2 : array_.Length(); }
  Napi::Value Get(uint32_t k) const { return spread_ ? info_[2 + k] : array_.Get(k); }

 private:
  const Napi::CallbackInfo& info_;
  bool spread_;
  Napi::Array array_;
};

// Converts command `c` (type and id already set) from its numbers `q` and values `vals[v…]`.
// Throws (Napi::Error from ThrowInternal) for values TS should never have passed.
void ConvertCommand(AddonData* d, Napi::Env env, const double* q, const CmdVals& vals, uint32_t v,
                    Cmd* c) {
  if (c->type == kCmdResponse) {
    c->response = std::make_unique<ResponseSpec>();
    ResponseSpec& spec = *c->response;
    const double status = q[2];
    // A final status only (1xx would be read as interim and desynchronise the connection);
    // Connection::WriteResponse refuses the same for every other path.
    if (!(status >= 200 && status <= 999)) {
      ThrowInternal(env, "response status is not a final status (200-999)");
    }
    spec.status = static_cast<int>(status);
    const int flags = static_cast<int>(q[3]);
    spec.gzip = (flags & kRespFlagGzip) != 0;
    const int kind = flags & kRespFlagBodyMask;
    if (kind == kWireBodyFile) {
      // First, so that an owned file is deleted even if a later value fails.
      spec.body_kind = ResponseSpec::BodyKind::kFilePath;
      // The path may be non-latin1.
      spec.file = ResponseFile(Utf8FromJs(vals.Get(v + 1)), (flags & kRespFlagFileOwned) != 0);
    } else if (kind == kWireBodyStream) {
      spec.body_kind = ResponseSpec::BodyKind::kStream;
      spec.stream_window = kStreamWindow;
    } else if (kind == kWireBodyMemory) {
      spec.body_kind = ResponseSpec::BodyKind::kMemory;
      spec.body = BodyFromJs(vals.Get(v + 1));
    }
    spec.headers = HeadersFromJs(vals.Get(v));
    // Checked on the latin1 bytes that go on the wire (a character above U+00FF loses its high
    // byte in the conversion: U+010D would become CR).
    if (FindInvalidHeader(spec.headers) != nullptr) {
      ThrowInternal(env, "response header name or value with a character not allowed on the wire");
    }
  } else if (c->type == kCmdWsText || c->type == kCmdWsBinary) {
    // q[2]: a text message's UTF-8 size, measured by send() (Buffer.byteLength); 0 when not
    // measured, which StringWithLength's check sends down the general path for any non-empty text.
    c->data = BodyFromJs(vals.Get(v), c->type == kCmdWsText ? q[2] : -1);
    // Count the message into bufferedAmount now; the I/O thread subtracts it once written.
    if (!d->io.running()) return;  // dropped below: nothing will subtract it
    if (WsCounter k = d->ws_counters.Find(c->id)) {
      c->counted = static_cast<int64_t>(c->data.size());
      k->fetch_add(c->counted, std::memory_order_relaxed);
    }
  } else if (c->type == kCmdWsClose) {
    c->code = static_cast<int>(q[2]);
    c->data = Utf8FromJs(vals.Get(v));
  } else if (c->type == kCmdStreamChunk) {
    c->data = BodyFromJs(vals.Get(v));
  } else if (c->type == kCmdBodyCredit) {
    c->counted = q[2] > 0 && q[2] < 9007199254740992.0 ? static_cast<int64_t>(q[2]) : 0;
  } else if (c->type != kCmdWsCloseAck && c->type != kCmdStreamEnd && c->type != kCmdStreamAbort) {
    ThrowInternal(env, "unknown command type");
  }
}

// After a failed conversion: no JS exception may stay pending, or the next napi call fails.
void ClearPendingException(Napi::Env env) {
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) == napi_ok && pending) {
    napi_value ignored;
    napi_get_and_clear_last_exception(env, &ignored);
  }
}

Napi::Value CommandsSend(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  AddonData* d = GetAddonData(env);
  napi_typedarray_type ta_type;
  size_t ta_len = 0;
  void* ta_data = nullptr;
  if (napi_get_typedarray_info(env, info[0], &ta_type, &ta_len, &ta_data, nullptr, nullptr) !=
          napi_ok ||
      ta_type != napi_float64_array) {
    ThrowInternal(env, "commands must come as a Float64Array");
  }
  const double* nums = static_cast<const double*>(ta_data);
  const size_t n = info[1].As<Napi::Number>().Uint32Value();
  if (n * kCmdNums > ta_len) ThrowInternal(env, "command count beyond the array");
  if (info.Length() < 3) ThrowInternal(env, "command values missing");
  const CmdVals vals(info);  // a value beyond the last reads as undefined: that command fails alone
  auto cmds = std::make_shared<std::vector<Cmd>>(n);
  for (size_t i = 0; i < n; i++) {
    Cmd& c = (*cmds)[i];
    const double* q = nums + i * kCmdNums;
    c.type = q[0] >= 0 && q[0] <= kCmdKindLast ? static_cast<int>(q[0]) : -1;
    c.id = q[1] >= 0 && q[1] < 9007199254740992.0 ? static_cast<uint64_t>(q[1]) : 0;
    try {
      ConvertCommand(d, env, q, vals, static_cast<uint32_t>(i) * kCmdVals, &c);
    } catch (const Napi::Error& e) {
      ClearPendingException(env);
      c.error = e.Message();
      if (c.error.empty()) c.error = "unreadable value";
    } catch (const std::exception& e) {
      ClearPendingException(env);
      c.error = e.what();
    }
    if (!c.error.empty()) {
      // A response becomes a 500 (the partial one dies here: an owned file is deleted); any
      // other command is dropped (nothing was counted into bufferedAmount).
      if (c.type == kCmdResponse) {
        c.response = ConversionFailedResponse();
      } else {
        c.type = -1;
      }
    }
  }
  // No I/O thread (every server stopped): the batch dies here, on the JS thread.
  if (!d->io.running()) return env.Undefined();
  ServerRegistry* registry = d->registry.get();
  d->io.Post([registry, cmds] {
    for (Cmd& c : *cmds) {
      if (!c.error.empty()) {
        registry->Log(kLogError, "command for id " + std::to_string(c.id) +
                                     (c.type == kCmdResponse ? " answered 500" : " dropped") + ": " + c.error);
      }
      if (c.type < 0) continue;
      SocketTransport* conn = registry->Route(c.id);
      if (conn == nullptr && c.type != kCmdWsCloseAck) {
        // Ids are never reused (ServerRegistry::NextId), so a command for an id without a route
        // belongs to a request or WebSocket that is gone (client left, error answer, server
        // stopped): dropped, never delivered to anyone else. An acknowledgement after the
        // close is the normal case and is not logged.
        if (registry->LogEnabled(kLogDebug)) {
          registry->Log(kLogDebug, std::string(c.type == kCmdResponse       ? "response"
                                                   : c.type >= kCmdStreamChunk ? "stream command"
                                                                               : "WebSocket command") +
                                       " for id " + std::to_string(c.id) +
                                       " dropped: its connection is gone");
        }
      }
      if (c.type == kCmdResponse) {
        if (Http1Handler* http = HttpOf(conn)) http->SendResponse(c.id, std::move(*c.response));
      } else if (c.type == kCmdStreamChunk) {
        if (Http1Handler* http = HttpOf(conn)) http->StreamChunk(c.id, std::move(c.data));
      } else if (c.type == kCmdStreamEnd) {
        if (Http1Handler* http = HttpOf(conn)) http->StreamEnd(c.id);
      } else if (c.type == kCmdStreamAbort) {
        if (Http1Handler* http = HttpOf(conn)) http->StreamAbort(c.id);
      } else if (c.type == kCmdBodyCredit) {
        if (Http1Handler* http = HttpOf(conn)) http->BodyCredit(c.id, static_cast<uint64_t>(c.counted));
      } else if (c.type == kCmdWsClose) {
        if (WsSession* ws = SessionOf(conn, c.id)) ws->Close(c.code, c.data);
      } else if (c.type == kCmdWsCloseAck) {
        if (WsSession* ws = SessionOf(conn, c.id)) ws->OnCloseAck();
      } else if (conn != nullptr) {
        if (WsSession* ws = SessionOf(conn, c.id)) {
          ws->Send(c.type == kCmdWsBinary, std::move(c.data), c.counted);
        }
      } else if (c.counted != 0) {
        if (WsCounter k = registry->ws_counters().Find(c.id)) {
          k->fetch_sub(c.counted, std::memory_order_relaxed);
        }
      }
    }
    // Responses not taken (unknown id, closed connection) end with the batch: ResponseFile
    // deletes an owned file.
  });
  return env.Undefined();
}

// request_continue(id): onHeaders returned nothing; read the body.
Napi::Value RequestContinue(const Napi::CallbackInfo& info) {
  AddonData* d = GetAddonData(info.Env());
  if (!d->io.running()) return info.Env().Undefined();
  uint64_t id = static_cast<uint64_t>(info[0].As<Napi::Number>().Int64Value());
  ServerRegistry* registry = d->registry.get();
  d->io.Post([registry, id] {
    if (SocketTransport* sock = registry->Route(id)) {
      if (Http1Handler* http = HttpOf(sock)) http->ContinueRequest(id);
    } else if (registry->LogEnabled(kLogDebug)) {
      registry->Log(kLogDebug, "continue for request " + std::to_string(id) +
                                   " dropped: its connection is gone");
    }
  });
  return info.Env().Undefined();
}

// ws_buffered(id) → bytes sent by JS and not yet written to the socket (0 once closed).
Napi::Value WsBuffered(const Napi::CallbackInfo& info) {
  AddonData* d = GetAddonData(info.Env());
  uint64_t id = static_cast<uint64_t>(info[0].As<Napi::Number>().Int64Value());
  WsCounter c = d->ws_counters.Find(id);
  int64_t v = c ? c->load(std::memory_order_relaxed) : 0;
  return Napi::Number::New(info.Env(), static_cast<double>(v < 0 ? 0 : v));
}

// events_take(timeoutMs) → event batch array or undefined (service()).
Napi::Value EventsTake(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  AddonData* d = GetAddonData(env);
  int64_t timeout = info[0].As<Napi::Number>().Int64Value();
  if (!d->sink.open()) return env.Undefined();
  std::vector<Event> events = d->sink.Take(timeout);
  if (events.empty()) return env.Undefined();
  d->sink.HoldTaken(&events);
  return EventsToJs(env, std::move(events));
}

// events_done(): service() has handled the batch events_take returned: their bytes leave their
// connections' receive queues (read backpressure).
Napi::Value EventsDone(const Napi::CallbackInfo& info) {
  GetAddonData(info.Env())->sink.ReleaseTaken();
  return info.Env().Undefined();
}

// port_available(host, port) → boolean
Napi::Value PortAvailableJs(const Napi::CallbackInfo& info) {
  std::string host = Utf8FromJs(info[0]);
  int port = info[1].As<Napi::Number>().Int32Value();
  return Napi::Boolean::New(info.Env(), PortAvailable(host, port));
}

// server_stats(id) → { connectionsOpen, … } or undefined once the server has closed.
Napi::Value ServerStatsJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  AddonData* d = GetAddonData(env);
  auto it = d->stats.find(info[0].As<Napi::Number>().Uint32Value());
  if (it == d->stats.end()) return env.Undefined();
  const ServerStats& s = *it->second;
  Napi::Object o = Napi::Object::New(env);
  auto num = [&](const char* k, const std::atomic<uint64_t>& v) {
    o.Set(k, Napi::Number::New(env, static_cast<double>(v.load(std::memory_order_relaxed))));
  };
  num("connectionsOpen", s.connections_open);
  num("connectionsTotal", s.connections_total);
  num("requestsTotal", s.requests_total);
  num("requestsStatic", s.requests_static);
  num("requestsJs", s.requests_js);
  num("bytesIn", s.bytes_in);
  num("bytesOut", s.bytes_out);
  num("websocketsOpen", s.websockets_open);
  num("websocketsTotal", s.websockets_total);
  num("readsPaused", s.reads_paused);
  o.Set("eventQueueDepth", Napi::Number::New(env, static_cast<double>(d->sink.PendingCount())));
  o.Set("commandQueueDepth", Napi::Number::New(env, static_cast<double>(d->io.PendingCommands())));
  return o;
}

// debug_memory() → { mallocInUse, socketTransport, http1Handler, wsSession } (tests only; see
// test/regressions/issue-15-5-idle-connection-memory): the bytes malloc has handed out and not
// taken back, in the whole process (glibc; -1 elsewhere), and the sizes of the objects an idle
// connection holds (an HTTP one: a SocketTransport and its Http1Handler; a WebSocket: the
// transport and its WsSession), so a test can tell when an idle connection grows.
Napi::Value DebugMemory(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  double in_use = -1;
#if defined(__GLIBC__)
  // mallinfo (not mallinfo2, glibc 2.33+) keeps the addon loadable on the oldest glibc the
  // prebuilds support; its int fields are enough below 2 GiB, which is all a test allocates.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  struct mallinfo m = mallinfo();
#pragma GCC diagnostic pop
  in_use = static_cast<double>(static_cast<unsigned>(m.uordblks)) +
           static_cast<double>(static_cast<unsigned>(m.hblkhd));
#endif
  Napi::Object o = Napi::Object::New(env);
  o.Set("mallocInUse", Napi::Number::New(env, in_use));
  o.Set("socketTransport", Napi::Number::New(env, static_cast<double>(sizeof(SocketTransport))));
  o.Set("http1Handler", Napi::Number::New(env, static_cast<double>(sizeof(Http1Handler))));
  o.Set("wsSession", Napi::Number::New(env, static_cast<double>(sizeof(WsSession))));
  return o;
}

// log_level_set(n): 0 OFF … 4 DEBUG; the I/O thread only posts log events that would print.
Napi::Value LogLevelSet(const Napi::CallbackInfo& info) {
  GetAddonData(info.Env())->log_level.store(info[0].As<Napi::Number>().Int32Value());
  return info.Env().Undefined();
}

}  // namespace

namespace {

// Runs F with node-addon-api's CallbackInfo and turns a C++ exception into a JS exception, as
// node-addon-api's own wrapper does, except while the environment is terminating
// (worker.terminate(), process exit): napi_throw fails then, and node-addon-api's wrapper would
// throw again from its catch block, out of a V8 callback, into std::terminate (seen as a rare
// SIGABRT in the worker.terminate() stress test). Here the exception is dropped instead: nothing
// is left to receive it.
template <Napi::Value (*F)(const Napi::CallbackInfo&)>
napi_value Guarded(napi_env env, napi_callback_info cbinfo) {
  ASSERT_JS_THREAD();  // every exported function: JS calls it, on its own thread
  try {
    Napi::CallbackInfo info(env, cbinfo);
    return F(info);
  } catch (const Napi::Error& e) {
    bool pending = false;
    if (napi_is_exception_pending(env, &pending) == napi_ok && pending) return nullptr;
    napi_value err = nullptr;
    try {
      err = e.Value();
    } catch (...) {
      err = nullptr;
    }
    if (err != nullptr) napi_throw(env, err);  // fails only while terminating
    return nullptr;
  } catch (const std::exception& e) {
    napi_throw_error(env, "ERR_HTTPUV_INTERNAL", e.what());
    return nullptr;
  }
}

void SetFunction(Napi::Env env, Napi::Object exports, const char* name, napi_callback cb) {
  napi_value fn;
  napi_status st = napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, nullptr, &fn);
  NAPI_THROW_IF_FAILED_VOID(env, st);
  exports.Set(name, Napi::Value(env, fn));
}

}  // namespace

void RegisterExports(Napi::Env env, Napi::Object exports) {
  static const struct {
    const char* name;
    napi_callback cb;
  } kFunctions[] = {
      {"init", Guarded<Init>},
      {"server_start", Guarded<ServerStart>},
      {"server_stop", Guarded<ServerStop>},
      {"server_closed", Guarded<ServerClosed>},
      {"commands_send", Guarded<CommandsSend>},
      {"request_continue", Guarded<RequestContinue>},
      {"ws_buffered", Guarded<WsBuffered>},
      {"events_take", Guarded<EventsTake>},
      {"events_done", Guarded<EventsDone>},
      {"static_paths_set", Guarded<StaticPathsSet>},
      {"server_stats", Guarded<ServerStatsJs>},
      {"log_level_set", Guarded<LogLevelSet>},
      {"port_available", Guarded<PortAvailableJs>},
      {"debug_memory", Guarded<DebugMemory>},
  };
  for (const auto& f : kFunctions) SetFunction(env, exports, f.name, f.cb);

  // The wire's names (binding/wire.h), read by src/native.ts.
  struct Named {
    const char* name;
    int value;
  };
  auto set_group = [&](const char* group, std::initializer_list<Named> members) {
    Napi::Object o = Napi::Object::New(env);
    for (const Named& m : members) o.Set(m.name, Napi::Number::New(env, m.value));
    exports.Set(group, o);
  };
  set_group("EVENT", {{"REQUEST", kEventRequest},
                      {"HEADERS", kEventHeaders},
                      {"WS_OPEN", kEventWsOpen},
                      {"WS_MESSAGE", kEventWsMessage},
                      {"WS_CLOSE", kEventWsClose},
                      {"SERVER_CLOSED", kEventServerClosed},
                      {"LOG", kEventLog},
                      {"REQUEST_ENDED", kEventRequestEnded},
                      {"ACCESS", kEventAccess},
                      {"STREAM_ACK", kEventStreamAck},
                      {"REQUEST_STREAM", kEventRequestStream},
                      {"BODY_CHUNK", kEventBodyChunk},
                      {"BODY_END", kEventBodyEnd}});
  set_group("COMMAND", {{"RESPONSE", kCmdResponse},
                        {"WS_TEXT", kCmdWsText},
                        {"WS_BINARY", kCmdWsBinary},
                        {"WS_CLOSE", kCmdWsClose},
                        {"WS_CLOSE_ACK", kCmdWsCloseAck},
                        {"STREAM_CHUNK", kCmdStreamChunk},
                        {"STREAM_END", kCmdStreamEnd},
                        {"STREAM_ABORT", kCmdStreamAbort},
                        {"BODY_CREDIT", kCmdBodyCredit}});
  set_group("BODY", {{"NONE", kWireBodyNone},
                     {"MEMORY", kWireBodyMemory},
                     {"FILE", kWireBodyFile},
                     {"STREAM", kWireBodyStream}});
  set_group("RESPONSE_FLAG", {{"GZIP", kRespFlagGzip}, {"FILE_OWNED", kRespFlagFileOwned}});
  set_group("REQUEST_ENDED", {{"GONE", kRequestEndedGone},
                              {"STOPPED", kRequestEndedStopped},
                              {"CLIENT_EOF", kRequestEndedClientEof}});
  set_group("LISTEN", {{"TCP", kListenTcp}, {"PIPE", kListenPipe}});
  set_group("STREAM", {{"WINDOW", kStreamWindow}});
  set_group("LOG_LEVEL", {{"OFF", kLogOff},
                          {"ERROR", kLogError},
                          {"WARN", kLogWarn},
                          {"INFO", kLogInfo},
                          {"DEBUG", kLogDebug}});
  set_group("LAYOUT", {{"EVENT_NUMS", static_cast<int>(kEventNums)},
                       {"EVENT_VALS", static_cast<int>(kEventVals)},
                       {"COMMAND_NUMS", static_cast<int>(kCmdNums)},
                       {"COMMAND_VALS", static_cast<int>(kCmdVals)},
                       {"MAX_SPREAD_VALS", static_cast<int>(kMaxSpreadVals)}});
}

}  // namespace httpuv
