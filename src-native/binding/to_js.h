// Conversion of I/O-thread events into JS values. Runs on the JS thread.
#ifndef NODE_HTTPUV_BINDING_TO_JS_H_
#define NODE_HTTPUV_BINDING_TO_JS_H_

#include <napi.h>

#include <string>
#include <vector>

#include "http/events.h"

namespace httpuv {

// Bytes from the wire as a JS string, one char per byte (latin1), as Node does for headers.
// Returned as Napi::Value on purpose: node-addon-api's Object::Set(index, Napi::String) takes
// the String for something convertible to std::string and copies it out to UTF-8 and back into
// a new JS string (Value::From); a Napi::Value is stored as it is.
Napi::Value Latin1String(Napi::Env env, const std::string& s);
// Per-event slots of a batch: numbers in a Float64Array, values in an array.
constexpr size_t kNumStride = 4;
constexpr size_t kValStride = 2;
// A batch as [nums, vals]; layouts documented in to_js.cc and read by src/dispatch.ts.
Napi::Value EventsToJs(Napi::Env env, std::vector<Event>&& events);

}  // namespace httpuv

#endif  // NODE_HTTPUV_BINDING_TO_JS_H_
