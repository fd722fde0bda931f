// Binary search over the generated mime-db tables (mime_types.inc, sorted by byte order).
// Runs on the I/O thread; no napi.h, no uv.h.
#include "static/mime_types.h"

#include <algorithm>
#include <cstddef>
#include <string>

#include "util/ascii.h"

namespace httpuv {
namespace statics {
namespace {

struct ExtensionRow {
  std::string_view ext;
  std::string_view type;
  bool compressible;
};

struct TypeRow {
  std::string_view type;
  bool compressible;
};

constexpr ExtensionRow kExtensions[] = {
#define HTTPUV_MIME_EXTENSION(ext, type, compressible) {ext, type, compressible},
#include "static/mime_types.inc"
#undef HTTPUV_MIME_EXTENSION
};

constexpr TypeRow kTypes[] = {
#define HTTPUV_MIME_COMPRESSIBLE(type, compressible) {type, compressible},
#include "static/mime_types.inc"
#undef HTTPUV_MIME_COMPRESSIBLE
};

// Extensions and types longer than this are not in mime-db; longer input is simply unknown.
constexpr size_t kMaxKey = 128;

bool ToLower(std::string_view in, char* buf, std::string_view* out) {
  if (in.size() > kMaxKey) return false;
  for (size_t i = 0; i < in.size(); i++) buf[i] = util::AsciiLower(in[i]);
  *out = std::string_view(buf, in.size());
  return true;
}

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

MimeType LookupMimeByExtension(std::string_view ext) {
  char buf[kMaxKey];
  std::string_view key;
  if (ext.empty() || !ToLower(ext, buf, &key)) return {};
  auto it = std::lower_bound(std::begin(kExtensions), std::end(kExtensions), key,
                             [](const ExtensionRow& r, std::string_view k) { return r.ext < k; });
  if (it == std::end(kExtensions) || it->ext != key) return {};
  return {it->type, it->compressible};
}

std::string_view MimeTypeForFileName(std::string_view name) {
  size_t slash = name.rfind('/');
  if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos) return kDefaultMimeType;
  MimeType m = LookupMimeByExtension(name.substr(dot + 1));
  return m.type.empty() ? kDefaultMimeType : m.type;
}

bool IsCompressibleType(std::string_view content_type) {
  size_t semi = content_type.find(';');
  if (semi != std::string_view::npos) content_type = content_type.substr(0, semi);
  char buf[kMaxKey];
  std::string_view key;
  if (!ToLower(TrimSpace(content_type), buf, &key) || key.empty()) return false;
  auto it = std::lower_bound(std::begin(kTypes), std::end(kTypes), key,
                             [](const TypeRow& r, std::string_view k) { return r.type < k; });
  if (it != std::end(kTypes) && it->type == key) return it->compressible;
  // The `compressible` package's rule for types mime-db does not flag.
  if (key.substr(0, 5) == "text/") return true;
  for (std::string_view suffix : {"+json", "+text", "+xml"}) {
    if (key.size() > suffix.size() && key.substr(key.size() - suffix.size()) == suffix) return true;
  }
  return false;
}

}  // namespace statics
}  // namespace httpuv
