// JS values → plain C++ structs, on the JS thread, before anything crosses to the I/O thread.
// The TS layer has validated the values; failures here are internal errors.
#ifndef NODE_HTTPUV_BINDING_FROM_JS_H_
#define NODE_HTTPUV_BINDING_FROM_JS_H_

#include <napi.h>

#include <string>

#include "http/request.h"
#include "http/response_writer.h"

namespace httpuv {

// A JS string as bytes, one byte per char (chars above 0xFF are an internal error: TS rejects
// them in header names and values).
std::string Latin1FromJs(Napi::Value v);
std::string Utf8FromJs(Napi::Value v);
// Flat [name, value, ...] string array, or one packed "name\0value\0..." string → header list.
HeaderList HeadersFromJs(Napi::Value v);
// Server options object (already defaulted by TS) → limits.
ServerLimits LimitsFromJs(Napi::Object o);
// Copies a Buffer/Uint8Array or string body. For a string, `utf8_length` may give its UTF-8 size
// as JS measured it (Buffer.byteLength; -1 when unknown): the bytes are then written once, into a
// buffer of that size, and an ASCII string (UTF-8 size == UTF-16 length) is read as Latin-1, a
// plain copy, instead of through V8's UTF-8 encoder.
std::string BodyFromJs(Napi::Value v, double utf8_length = -1);

// Thrown for arguments the TS layer should never have passed.
[[noreturn]] void ThrowInternal(Napi::Env env, const char* what);

}  // namespace httpuv

#endif  // NODE_HTTPUV_BINDING_FROM_JS_H_
