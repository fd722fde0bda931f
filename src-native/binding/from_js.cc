// JS → C++ conversions (see from_js.h). Runs on the JS thread.
#include "binding/from_js.h"

#include "util/buffer_pool.h"

namespace httpuv {

void ThrowInternal(Napi::Env env, const char* what) {
  Napi::Error e = Napi::Error::New(env, std::string("node-httpuv internal error: ") + what);
  e.Set("code", Napi::String::New(env, "ERR_HTTPUV_INTERNAL"));
  throw e;
}

namespace {
size_t TypedArrayElementSize(napi_typedarray_type t) {
  switch (t) {
    case napi_int8_array: case napi_uint8_array: case napi_uint8_clamped_array: return 1;
    case napi_int16_array: case napi_uint16_array: return 2;
    case napi_int32_array: case napi_uint32_array: case napi_float32_array: return 4;
    case napi_float64_array: case napi_bigint64_array: case napi_biguint64_array: return 8;
    default: return 0;  // a type newer than these headers: refused below
  }
}

// One conversion for strings that fit a stack buffer (the common case), two otherwise: napi's
// getters write at most bufsize - 1 bytes and stop early at a character boundary, so a result
// shorter than bufsize - 4 cannot have been cut.
template <napi_status (*Get)(napi_env, napi_value, char*, size_t, size_t*)>
std::string StringFromJs(Napi::Value v) {
  if (!v.IsString()) ThrowInternal(v.Env(), "expected a string");
  char stack[512];
  size_t len = 0;
  if (Get(v.Env(), v, stack, sizeof stack, &len) != napi_ok) ThrowInternal(v.Env(), "string read failed");
  if (len + 4 < sizeof stack) return std::string(stack, len);
  Get(v.Env(), v, nullptr, 0, &len);
  std::string out(len, '\0');
  if (len > 0) Get(v.Env(), v, &out[0], len + 1, &len);
  out.resize(len);
  return out;
}
}  // namespace

std::string Latin1FromJs(Napi::Value v) {
  return StringFromJs<napi_get_value_string_latin1>(v);
}

std::string Utf8FromJs(Napi::Value v) {
  return StringFromJs<napi_get_value_string_utf8>(v);
}

HeaderList HeadersFromJs(Napi::Value v) {
  HeaderList out;
  if (v.IsUndefined() || v.IsNull()) return out;
  if (v.IsString()) {
    // Packed "name NUL value NUL name NUL value" (TS rejects NUL in names and values).
    std::string packed = Latin1FromJs(v);
    if (packed.empty()) return out;
    size_t i = 0;
    for (;;) {
      size_t a = packed.find('\0', i);
      if (a == std::string::npos) ThrowInternal(v.Env(), "odd packed header list");
      size_t b = packed.find('\0', a + 1);
      if (b == std::string::npos) b = packed.size();
      out.emplace_back(packed.substr(i, a - i), packed.substr(a + 1, b - a - 1));
      if (b == packed.size()) break;
      i = b + 1;
    }
    return out;
  }
  if (!v.IsArray()) ThrowInternal(v.Env(), "headers must be a flat array");
  Napi::Array a = v.As<Napi::Array>();
  uint32_t n = a.Length();
  out.reserve(n / 2);
  for (uint32_t i = 0; i + 1 < n; i += 2) {
    out.emplace_back(Latin1FromJs(a.Get(i)), Latin1FromJs(a.Get(i + 1)));
  }
  return out;
}

namespace {
// A string whose UTF-8 size JS measured: one exact buffer, one conversion. Falls back to the
// general path if the hint does not fit the string (it always does when it came from
// Buffer.byteLength: each UTF-16 unit makes 1 to 3 bytes, and only ASCII makes exactly 1).
std::string StringWithLength(Napi::Value v, double utf8_length) {
  napi_env env = v.Env();
  size_t units = 0;
  if (napi_get_value_string_utf16(env, v, nullptr, 0, &units) != napi_ok) {
    ThrowInternal(v.Env(), "string read failed");
  }
  if (!(utf8_length >= static_cast<double>(units) && utf8_length <= 3.0 * static_cast<double>(units))) {
    return Utf8FromJs(v);
  }
  const size_t n = static_cast<size_t>(utf8_length);
  std::string out = util::TakeBuffer(n);
  out.resize(n);
  if (n == 0) return out;
  size_t got = 0;
  // bufsize n + 1: napi writes a terminating NUL, which std::string has room for at out[n].
  napi_status st = n == units ? napi_get_value_string_latin1(env, v, &out[0], n + 1, &got)
                              : napi_get_value_string_utf8(env, v, &out[0], n + 1, &got);
  if (st != napi_ok) ThrowInternal(v.Env(), "string read failed");
  if (got != n) return Utf8FromJs(v);
  return out;
}
}  // namespace

std::string BodyFromJs(Napi::Value v, double utf8_length) {
  // Raw napi calls, not Napi::TypedArray::ArrayBuffer(): that wraps the backing store as an
  // ArrayBuffer, which throws for a SharedArrayBuffer. Any typed array or DataView is taken as
  // its bytes; a detached buffer reads as empty (data null, length 0).
  napi_env env = v.Env();
  if (v.IsString()) return utf8_length >= 0 ? StringWithLength(v, utf8_length) : Utf8FromJs(v);
  if (v.IsUndefined() || v.IsNull()) return std::string();
  void* data = nullptr;
  size_t bytes = 0;
  if (v.IsTypedArray()) {
    napi_typedarray_type type;
    size_t length = 0;
    if (napi_get_typedarray_info(env, v, &type, &length, &data, nullptr, nullptr) != napi_ok) {
      ThrowInternal(v.Env(), "body typed array unreadable");
    }
    size_t size = TypedArrayElementSize(type);
    if (size == 0) ThrowInternal(v.Env(), "body typed array of an unknown element type");
    bytes = length * size;
  } else if (v.IsDataView()) {
    if (napi_get_dataview_info(env, v, &bytes, &data, nullptr, nullptr) != napi_ok) {
      ThrowInternal(v.Env(), "body DataView unreadable");
    }
  } else if (v.IsArrayBuffer()) {
    if (napi_get_arraybuffer_info(env, v, &data, &bytes) != napi_ok) {
      ThrowInternal(v.Env(), "body ArrayBuffer unreadable");
    }
  } else {
    ThrowInternal(v.Env(), "body must be a string or an ArrayBufferView");
  }
  if (data == nullptr || bytes == 0) return std::string();
  std::string out = util::TakeBuffer(bytes);
  out.assign(static_cast<const char*>(data), bytes);
  return out;
}

namespace {
double Num(Napi::Object o, const char* key, double dflt) {
  Napi::Value v = o.Get(key);
  return v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : dflt;
}
bool Bool(Napi::Object o, const char* key, bool dflt) {
  Napi::Value v = o.Get(key);
  return v.IsBoolean() ? v.As<Napi::Boolean>().Value() : dflt;
}
}  // namespace

ServerLimits LimitsFromJs(Napi::Object o) {
  ServerLimits l;
  l.max_header_size = static_cast<uint32_t>(Num(o, "maxHeaderSize", l.max_header_size));
  l.max_headers = static_cast<uint32_t>(Num(o, "maxHeaders", l.max_headers));
  l.max_request_target_size =
      static_cast<uint32_t>(Num(o, "maxRequestTargetSize", l.max_request_target_size));
  l.max_body_size = static_cast<uint64_t>(Num(o, "maxBodySize", 0));
  l.body_spill_threshold =
      static_cast<uint64_t>(Num(o, "bodySpillThreshold", static_cast<double>(l.body_spill_threshold)));
  l.headers_timeout_ms = static_cast<uint32_t>(Num(o, "headersTimeoutMs", l.headers_timeout_ms));
  l.request_timeout_ms = static_cast<uint32_t>(Num(o, "requestTimeoutMs", l.request_timeout_ms));
  l.keep_alive_timeout_ms =
      static_cast<uint32_t>(Num(o, "keepAliveTimeoutMs", l.keep_alive_timeout_ms));
  l.send_timeout_ms = static_cast<uint32_t>(Num(o, "sendTimeoutMs", l.send_timeout_ms));
  l.ws.send_timeout_ms = l.send_timeout_ms;  // one option bounds responses and WebSocket output
  l.max_connections = static_cast<uint32_t>(Num(o, "maxConnections", 0));
  l.has_on_headers = Bool(o, "hasOnHeaders", false);
  l.has_on_ws_open = Bool(o, "hasOnWSOpen", false);
  l.stream_bodies = Bool(o, "streamBodies", false);
  Napi::Value wsv = o.Get("websocket");
  if (wsv.IsObject()) {
    Napi::Object ws = wsv.As<Napi::Object>();
    l.ws.per_message_deflate = Bool(ws, "perMessageDeflate", l.ws.per_message_deflate);
    l.ws.max_message_size =
        static_cast<uint64_t>(Num(ws, "maxMessageSize", static_cast<double>(l.ws.max_message_size)));
    l.ws.send_queue_limit =
        static_cast<uint64_t>(Num(ws, "sendQueueLimit", static_cast<double>(l.ws.send_queue_limit)));
    l.receive_queue_limit = static_cast<uint64_t>(
        Num(ws, "receiveQueueLimit", static_cast<double>(l.receive_queue_limit)));
    l.ws.ping_interval_ms = static_cast<uint32_t>(Num(ws, "pingIntervalMs", l.ws.ping_interval_ms));
    l.ws.ping_timeout_ms = static_cast<uint32_t>(Num(ws, "pingTimeoutMs", l.ws.ping_timeout_ms));
    l.ws.close_timeout_ms = static_cast<uint32_t>(Num(ws, "closeTimeoutMs", l.ws.close_timeout_ms));
    Napi::Value protos = ws.Get("protocols");
    if (protos.IsArray()) {
      Napi::Array a = protos.As<Napi::Array>();
      for (uint32_t i = 0; i < a.Length(); i++) l.ws.protocols.push_back(Latin1FromJs(a.Get(i)));
    }
  }
  return l;
}

}  // namespace httpuv
