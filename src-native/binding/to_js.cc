// I/O events → JS arrays (see to_js.h). Runs on the JS thread.
//
// Layouts (src/dispatch.ts reads these positions; keep both in step):
//   request/headers/ws-open: [kind, packed, body (Buffer | null; for ws-open the chosen
//       subprotocol string), bodyFd (-1 or an unlinked
//       temp file's fd, now owned by JS), bodyLength], where packed is one latin1 string:
//       serverId NUL id NUL httpMinor NUL remotePort NUL localPort NUL method NUL target NUL
//       remoteAddr NUL localAddr (NUL name NUL value)*
//   ws-message: [kind, 0, id, binary, data (Buffer if binary, else string)]
//   ws-close:   [kind, 0, id, code, reason]
//   server-closed: [kind, serverId]
//   log:        [kind, 0, 0, level, text]
#include "binding/to_js.h"

#include <cstdlib>
#include <cstring>

namespace httpuv {

Napi::String Latin1String(Napi::Env env, const std::string& s) {
  napi_value v;
  napi_status st = napi_create_string_latin1(env, s.data(), s.size(), &v);
  NAPI_THROW_IF_FAILED(env, st, Napi::String());
  return Napi::String(env, v);
}

namespace {

// NODE_HTTPUV_COPY_BUFFERS=1 (read once per process) makes every Buffer a copy instead of an
// external buffer over our string: the path NewOrCopy takes by itself where external buffers are
// not allowed (Electron's V8 memory cage, or a build with httpuv_no_external_buffers=1), forced
// here so the tests can exercise it on plain Node.
bool ForceCopyBuffers() {
  static const bool force = [] {
    const char* v = std::getenv("NODE_HTTPUV_COPY_BUFFERS");
    return v != nullptr && v[0] != '\0' && std::strcmp(v, "0") != 0;
  }();
  return force;
}

Napi::Value BufferFrom(Napi::Env env, std::string&& data) {
  if (data.empty()) return Napi::Buffer<char>::New(env, 0);
  if (ForceCopyBuffers()) return Napi::Buffer<char>::Copy(env, data.data(), data.size());
  auto* owned = new std::string(std::move(data));
  return Napi::Buffer<char>::NewOrCopy(env, &(*owned)[0], owned->size(),
                                       [](Napi::Env, char*, std::string* s) { delete s; },
                                       owned);
}

Napi::Array RequestToJs(Napi::Env env, Event& e) {
  // Everything but the body travels as ONE latin1 string joined by NUL (which llhttp never lets
  // through in a method, target or header): one napi string instead of one value per field.
  std::string packed;
  size_t need = e.method.size() + e.target.size() + e.peer.remote_addr.size() +
                e.peer.local_addr.size() + 64;
  for (const auto& kv : e.headers) need += kv.first.size() + kv.second.size() + 2;
  packed.reserve(need);
  auto num = [&packed](uint64_t v) {
    packed += std::to_string(v);
    packed += '\0';
  };
  num(e.server_id);
  num(e.id);
  num(static_cast<uint64_t>(e.http_minor));
  num(static_cast<uint64_t>(e.peer.remote_port));
  num(static_cast<uint64_t>(e.peer.local_port));
  packed += e.method;
  packed += '\0';
  packed += e.target;
  packed += '\0';
  packed += e.peer.remote_addr;
  packed += '\0';
  packed += e.peer.local_addr;
  for (const auto& kv : e.headers) {
    packed += '\0';
    packed += kv.first;
    packed += '\0';
    packed += kv.second;
  }
  Napi::Array a = Napi::Array::New(env, 5);
  a.Set(0u, Napi::Number::New(env, e.kind));
  a.Set(1u, Latin1String(env, packed));
  if (e.kind == kEventRequest && e.fd.get() < 0 && !e.data.empty()) {
    a.Set(2u, BufferFrom(env, std::move(e.data)));
  } else if (e.kind == kEventWsOpen) {
    a.Set(2u, Latin1String(env, e.data));  // the negotiated subprotocol ("" = none)
  } else {
    a.Set(2u, env.Null());
  }
  a.Set(3u, Napi::Number::New(env, e.fd.Release()));
  a.Set(4u, Napi::Number::New(env, static_cast<double>(e.length)));
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
