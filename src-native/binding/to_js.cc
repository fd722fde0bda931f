// I/O events → JS values (see to_js.h). Runs on the JS thread.
//
// Numbers are written straight into the batch's typed array memory, so an event costs one or two
// napi values instead of a napi array and a napi call per field. The layout of each kind is
// described once, in binding/wire.h (src/dispatch.ts reads it).
#include "binding/to_js.h"

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "platform/file.h"
#include "util/buffer_pool.h"
#include "util/byte_kernels.h"

namespace httpuv {

Napi::Value Latin1String(Napi::Env env, const std::string& s) {
  napi_value v;
  napi_status st = napi_create_string_latin1(env, s.data(), s.size(), &v);
  NAPI_THROW_IF_FAILED(env, st, Napi::Value());
  return Napi::Value(env, v);
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
  if (ForceCopyBuffers()) {
    Napi::Value copy = Napi::Buffer<char>::Copy(env, data.data(), data.size());
    util::GiveBuffer(std::move(data));
    return copy;
  }
  auto* owned = new std::string(std::move(data));
  // The finalizer runs on the JS thread once V8 collects the Buffer (at once where NewOrCopy
  // had to copy); the memory goes back to the pool for the next payload.
  return Napi::Buffer<char>::NewOrCopy(env, &(*owned)[0], owned->size(),
                                       [](Napi::Env, char*, std::string* s) {
                                         util::GiveBuffer(std::move(*s));
                                         delete s;
                                       },
                                       owned);
}

// A JS string from UTF-8 the I/O thread has validated: ASCII-only text (the common case) is made
// with the latin1 constructor, a plain copy into a one-byte string, instead of going through V8's
// UTF-8 decoder. `known_ascii`: the frame parser already saw every byte (no scan here).
Napi::Value TextString(Napi::Env env, const std::string& s, bool known_ascii = false) {
  const size_t n = s.size();
  const bool ascii =
      known_ascii || util::IsAscii(reinterpret_cast<const uint8_t*>(s.data()), n);
  napi_value v;
  napi_status st = ascii ? napi_create_string_latin1(env, s.data(), n, &v)
                         : napi_create_string_utf8(env, s.data(), n, &v);
  NAPI_THROW_IF_FAILED(env, st, Napi::Value());
  return Napi::Value(env, v);
}

// Everything of a request but the body travels as ONE latin1 string (the packed layout in
// binding/wire.h): one napi string instead of one per field.
Napi::Value PackedRequest(Napi::Env env, const Event& e) {
  std::string packed;
  size_t need = e.method.size() + e.target.size() + e.peer.remote_addr.size() +
                e.peer.local_addr.size() + 64;
  for (const auto& kv : e.headers) need += kv.first.size() + kv.second.size() + 2;
  packed.reserve(need);
  auto num = [&packed](uint64_t v) {
    char digits[24];
    char* end = std::to_chars(digits, digits + sizeof digits, v).ptr;
    *end++ = '\0';
    packed.append(digits, static_cast<size_t>(end - digits));
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
  return Latin1String(env, packed);
}

}  // namespace

namespace {

// Fills one batch: `nums` (kEventNums numbers per event) and `vals` (kEventVals values per event,
// every slot already undefined). Values go into a plain C array of napi_values, never into a JS
// array element by element: a napi_set_element costs as much as the rest of a small WebSocket
// message's conversion (issue 19's 64-byte profile).
void FillBatch(Napi::Env env, std::vector<Event>&& events, double* nums, napi_value* vals) {
  const size_t n = events.size();
  for (size_t i = 0; i < n; i++) {
    Event& e = events[i];
    double* q = nums + i * kEventNums;
    napi_value* v = vals + i * kEventVals;
    q[0] = e.kind;
    q[1] = static_cast<double>(e.id);
    q[2] = 0;
    q[3] = 0;
    switch (e.kind) {
      case kEventRequest:
      case kEventRequestStream:
      case kEventHeaders:
      case kEventWsOpen:
        v[0] = PackedRequest(env, e);
        if (e.kind == kEventRequest && e.fd.get() < 0 && !e.data.empty()) {
          v[1] = BufferFrom(env, std::move(e.data));
        } else if (e.kind == kEventWsOpen) {
          v[1] = Latin1String(env, e.data);  // the negotiated subprotocol ("" = none)
        }
        q[2] = platform::HostFd(e.fd.Release());  // -1 stays -1
        q[3] = static_cast<double>(e.length);
        break;
      case kEventWsMessage:
        q[2] = e.code != 0 ? 1 : 0;
        if (e.code != 0) {
          v[0] = BufferFrom(env, std::move(e.data));
        } else {
          v[0] = TextString(env, e.data, e.ascii);
          util::GiveBuffer(std::move(e.data));  // copied into the JS heap: memory for the next
        }
        break;
      case kEventWsClose:
        q[2] = e.code;
        v[0] = TextString(env, e.data);
        break;
      case kEventServerClosed:
        q[1] = e.server_id;
        break;
      case kEventRequestEnded:
        q[2] = e.server_id;
        q[3] = e.code;  // a RequestEndedCode
        break;
      case kEventAccess: {
        q[2] = e.code;  // status
        q[3] = static_cast<double>(e.length);  // body bytes
        std::string packed = std::to_string(e.server_id);
        packed += '\0';
        packed += e.method;
        packed += '\0';
        packed += e.target;
        packed += '\0';
        packed += e.peer.remote_addr;
        packed += '\0';
        packed += std::to_string(e.elapsed_us);
        packed += '\0';
        packed += e.is_static ? '1' : '0';
        v[0] = Latin1String(env, packed);
        break;
      }
      case kEventStreamAck:
        q[2] = e.code;  // chunks acknowledged
        break;
      case kEventBodyChunk:
        v[0] = BufferFrom(env, std::move(e.data));
        break;
      case kEventBodyEnd:
        break;
      case kEventLog:
      default:
        q[0] = kEventLog;
        q[1] = e.server_id;  // the server the line is about, 0 for none
        q[2] = e.code;
        v[0] = TextString(env, e.data);
        break;
    }
  }
}

// A Float64Array of `count` numbers; `*data` is its memory.
napi_value NewNums(Napi::Env env, size_t count, double** data) {
  void* mem = nullptr;
  napi_value ab;
  napi_status st = napi_create_arraybuffer(env, count * sizeof(double), &mem, &ab);
  NAPI_THROW_IF_FAILED(env, st, nullptr);
  napi_value nums;
  st = napi_create_typedarray(env, napi_float64_array, count, ab, 0, &nums);
  NAPI_THROW_IF_FAILED(env, st, nullptr);
  *data = static_cast<double*>(mem);
  return nums;
}

napi_value Undefined(Napi::Env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

// A JS array of `vals` (holes where a slot is undefined: they read as undefined).
napi_value ValsArray(Napi::Env env, const std::vector<napi_value>& vals, napi_value undef) {
  Napi::Array out = Napi::Array::New(env, vals.size());
  for (size_t k = 0; k < vals.size(); k++) {
    if (vals[k] != undef) out.Set(static_cast<uint32_t>(k), Napi::Value(env, vals[k]));
  }
  return out;
}

}  // namespace

Napi::Value EventsToJs(Napi::Env env, std::vector<Event>&& events) {
  const size_t n = events.size();
  double* nums = nullptr;
  napi_value nums_v = NewNums(env, n * kEventNums, &nums);
  napi_value undef = Undefined(env);
  std::vector<napi_value> vals(n * kEventVals, undef);
  FillBatch(env, std::move(events), nums, vals.data());
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, Napi::Value(env, nums_v));
  out.Set(1u, Napi::Value(env, ValsArray(env, vals, undef)));
  return out;
}

void EventsToArgs(Napi::Env env, std::vector<Event>&& events, std::vector<napi_value>* argv) {
  const size_t n = events.size();
  double* nums = nullptr;
  napi_value nums_v = NewNums(env, n * kEventNums, &nums);
  napi_value undef = Undefined(env);
  const size_t count = n * kEventVals;
  argv->assign(1 + count, undef);
  (*argv)[0] = nums_v;
  FillBatch(env, std::move(events), nums, argv->data() + 1);
  if (count > kMaxSpreadVals) {
    // Too many to pass on the stack: the values go as one array, [nums, vals].
    std::vector<napi_value> vals(argv->begin() + 1, argv->end());
    argv->resize(2);
    (*argv)[1] = ValsArray(env, vals, undef);
  }
}

}  // namespace httpuv
