// Conversion of I/O-thread events into JS values. Runs on the JS thread.
#ifndef NODE_HTTPUV_BINDING_TO_JS_H_
#define NODE_HTTPUV_BINDING_TO_JS_H_

#include <napi.h>

#include <string>
#include <vector>

#include "binding/wire.h"
#include "transport/events.h"

namespace httpuv {

// Bytes from the wire as a JS string, one char per byte (latin1), as Node does for headers.
// Returned as Napi::Value on purpose: node-addon-api's Object::Set(index, Napi::String) takes
// the String for something convertible to std::string and copies it out to UTF-8 and back into
// a new JS string (Value::From); a Napi::Value is stored as it is.
Napi::Value Latin1String(Napi::Env env, const std::string& s);
// A batch as [nums, vals] (layout: binding/wire.h): events_take's answer.
Napi::Value EventsToJs(Napi::Env env, std::vector<Event>&& events);
// A batch as the arguments of the JS callback: (nums, v0, v1, …), every value slot an argument
// (undefined where unset), so that no value is stored into a JS array through napi; over
// kMaxSpreadVals values, (nums, vals) as for EventsToJs. `argv` is the caller's (reused) vector.
void EventsToArgs(Napi::Env env, std::vector<Event>&& events, std::vector<napi_value>* argv);

}  // namespace httpuv

#endif  // NODE_HTTPUV_BINDING_TO_JS_H_
