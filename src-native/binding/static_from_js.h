// Static path configuration from JS. Runs on the JS thread.
#ifndef NODE_HTTPUV_BINDING_STATIC_FROM_JS_H_
#define NODE_HTTPUV_BINDING_STATIC_FROM_JS_H_

#include <napi.h>

#include <memory>

#include "static/static_files.h"

namespace httpuv {

// Array of { path, dir|null, indexhtml, fallthrough, htmlCharset, headers[], validation[] }.
std::shared_ptr<const statics::StaticConfig> StaticConfigFromJs(Napi::Value v);
// static_paths_set(serverId, entries): replaces a running server's static configuration.
Napi::Value StaticPathsSet(const Napi::CallbackInfo& info);

}  // namespace httpuv

#endif  // NODE_HTTPUV_BINDING_STATIC_FROM_JS_H_
