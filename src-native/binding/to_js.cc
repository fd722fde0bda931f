// I/O events → JS arrays (see to_js.h). Runs on the JS thread.
//
// Layouts (src/dispatch.ts reads these positions; keep both in step):
//   request/headers/ws-open: [kind, serverId, id, method, target, httpMinor, headers (flat
//       [name, value, ...]), remoteAddr, remotePort, localAddr, localPort,
//       body (Buffer | null), bodyFd (-1 or an unlinked temp file's fd, now owned by JS),
//       bodyLength]
//   ws-message: [kind, 0, id, binary, data (Buffer if binary, else string)]
//   ws-close:   [kind, 0, id, code, reason]
//   server-closed: [kind, serverId]
//   log:        [kind, 0, 0, level, text]
#include "binding/to_js.h"

namespace httpuv {

Napi::String Latin1String(Napi::Env env, const std::string& s) {
  napi_value v;
  napi_status st = napi_create_string_latin1(env, s.data(), s.size(), &v);
  NAPI_THROW_IF_FAILED(env, st, Napi::String());
  return Napi::String(env, v);
}

namespace {

Napi::Value BufferFrom(Napi::Env env, std::string&& data) {
  if (data.empty()) return Napi::Buffer<char>::New(env, 0);
  auto* owned = new std::string(std::move(data));
  return Napi::Buffer<char>::NewOrCopy(env, &(*owned)[0], owned->size(),
                                       [](Napi::Env, char*, std::string* s) { delete s; },
                                       owned);
}

Napi::Array RequestToJs(Napi::Env env, Event& e) {
  Napi::Array a = Napi::Array::New(env, 14);
  a.Set(0u, Napi::Number::New(env, e.kind));
  a.Set(1u, Napi::Number::New(env, e.server_id));
  a.Set(2u, Napi::Number::New(env, static_cast<double>(e.id)));
  a.Set(3u, Latin1String(env, e.method));
  a.Set(4u, Latin1String(env, e.target));
  a.Set(5u, Napi::Number::New(env, e.http_minor));
  Napi::Array h = Napi::Array::New(env, e.headers.size() * 2);
  uint32_t i = 0;
  for (const auto& kv : e.headers) {
    h.Set(i++, Latin1String(env, kv.first));
    h.Set(i++, Latin1String(env, kv.second));
  }
  a.Set(6u, h);
  a.Set(7u, Napi::String::New(env, e.peer.remote_addr));
  a.Set(8u, Napi::Number::New(env, e.peer.remote_port));
  a.Set(9u, Napi::String::New(env, e.peer.local_addr));
  a.Set(10u, Napi::Number::New(env, e.peer.local_port));
  if (e.kind == kEventRequest && e.fd.get() < 0) {
    a.Set(11u, BufferFrom(env, std::move(e.data)));
  } else {
    a.Set(11u, env.Null());
  }
  a.Set(12u, Napi::Number::New(env, e.fd.Release()));
  a.Set(13u, Napi::Number::New(env, static_cast<double>(e.length)));
  return a;
}

}  // namespace

Napi::Array EventsToJs(Napi::Env env, std::vector<Event>&& events) {
  Napi::Array out = Napi::Array::New(env, events.size());
  uint32_t n = 0;
  for (Event& e : events) {
    Napi::Array a;
    switch (e.kind) {
      case kEventRequest:
      case kEventHeaders:
      case kEventWsOpen:
        a = RequestToJs(env, e);
        break;
      case kEventWsMessage:
        a = Napi::Array::New(env, 5);
        a.Set(0u, Napi::Number::New(env, e.kind));
        a.Set(1u, Napi::Number::New(env, 0));
        a.Set(2u, Napi::Number::New(env, static_cast<double>(e.id)));
        a.Set(3u, Napi::Boolean::New(env, e.code != 0));
        if (e.code != 0) {
          a.Set(4u, BufferFrom(env, std::move(e.data)));
        } else {
          a.Set(4u, Napi::String::New(env, e.data));
        }
        break;
      case kEventWsClose:
        a = Napi::Array::New(env, 5);
        a.Set(0u, Napi::Number::New(env, e.kind));
        a.Set(1u, Napi::Number::New(env, 0));
        a.Set(2u, Napi::Number::New(env, static_cast<double>(e.id)));
        a.Set(3u, Napi::Number::New(env, e.code));
        a.Set(4u, Napi::String::New(env, e.data));
        break;
      case kEventServerClosed:
        a = Napi::Array::New(env, 2);
        a.Set(0u, Napi::Number::New(env, e.kind));
        a.Set(1u, Napi::Number::New(env, e.server_id));
        break;
      case kEventLog:
      default:
        a = Napi::Array::New(env, 5);
        a.Set(0u, Napi::Number::New(env, kEventLog));
        a.Set(1u, Napi::Number::New(env, 0));
        a.Set(2u, Napi::Number::New(env, 0));
        a.Set(3u, Napi::Number::New(env, e.code));
        a.Set(4u, Napi::String::New(env, e.data));
        break;
    }
    out.Set(n++, a);
  }
  return out;
}

}  // namespace httpuv
