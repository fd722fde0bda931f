// The flat native API (`<noun>_<verb>`), registered on the module's exports. Runs on the JS
// thread. src/native.ts declares every export for TypeScript.
#ifndef NODE_HTTPUV_BINDING_EXPORTS_H_
#define NODE_HTTPUV_BINDING_EXPORTS_H_

#include <napi.h>

namespace httpuv {

void RegisterExports(Napi::Env env, Napi::Object exports);

}  // namespace httpuv

#endif  // NODE_HTTPUV_BINDING_EXPORTS_H_
