// Static path entries from JS (src/static-paths.ts resolveStaticPaths) → StaticConfig, and the
// static_paths_set export. Runs on the JS thread; the config is swapped in on the I/O thread.
#include "binding/static_from_js.h"

#include "binding/addon_data.h"
#include "binding/from_js.h"
#include "static/static_resolve.h"

namespace httpuv {

std::shared_ptr<const StaticConfig> StaticConfigFromJs(Napi::Value v) {
  auto config = std::make_shared<statics::StaticConfig>();
  if (!v.IsArray()) return config;
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); i++) {
    Napi::Object o = a.Get(i).As<Napi::Object>();
    statics::StaticPathEntry e;
    // TS already normalised the key (static-paths.ts normalizeKey); kept idempotent here so the
    // matcher's form (static_files.h) holds whatever the caller passed.
    e.path = statics::NormalizeStaticKey(Utf8FromJs(o.Get("path")));
    Napi::Value dir = o.Get("dir");
    e.excluded = dir.IsNull() || dir.IsUndefined();
    if (!e.excluded) e.dir = Utf8FromJs(dir);
    e.indexhtml = o.Get("indexhtml").ToBoolean().Value();
    e.fallthrough = o.Get("fallthrough").ToBoolean().Value();
    e.redirect_directories = o.Get("redirectDirectories").ToBoolean().Value();
    e.directory_listing = o.Get("directoryListing").ToBoolean().Value();
    e.spa_fallback = o.Get("spaFallback").ToBoolean().Value();
    Napi::Value cs = o.Get("htmlCharset");
    if (cs.IsString()) e.html_charset = Latin1FromJs(cs);
    if (!IsValidHeaderValue(e.html_charset)) ThrowInternal(o.Env(), "htmlCharset not allowed on the wire");
    e.headers = HeadersFromJs(o.Get("headers"));
    // Checked on the latin1 bytes that go on the wire (TS refused these with a TypeError).
    if (FindInvalidHeader(e.headers) != nullptr) {
      ThrowInternal(o.Env(), "static path header name or value not allowed on the wire");
    }
    e.validation = HeadersFromJs(o.Get("validation"));
    config->entries.push_back(std::move(e));
  }
  return config;
}

Napi::Value StaticPathsSet(const Napi::CallbackInfo& info) {
  AddonData* d = GetAddonData(info.Env());
  if (!d->io.running()) return info.Env().Undefined();
  uint32_t id = info[0].As<Napi::Number>().Uint32Value();
  std::shared_ptr<const StaticConfig> config = StaticConfigFromJs(info[1]);
  ServerRegistry* registry = d->registry.get();
  // Waits for the I/O thread to take the new configuration: once setStaticPath() returns, every
  // request the server reads is routed by it, also the next one on an open keep-alive connection
  // (a plain Post let a request already in the socket race the command and be served by the old
  // rules). The wait is one command's turn on the I/O thread, which never waits on JS.
  d->io.PostAndWait([registry, id, config] {
    if (Server* s = registry->FindServer(id)) s->SetStaticConfig(config);
  });
  return info.Env().Undefined();
}

}  // namespace httpuv
