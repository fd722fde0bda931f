// Content types by file extension, and the compressible flag by content type, over the tables that
// scripts/gen-mime.mjs generates from mime-db into mime_types.inc.
// Runs on the I/O thread; no napi.h, no uv.h.
#ifndef NODE_HTTPUV_STATIC_MIME_TYPES_H_
#define NODE_HTTPUV_STATIC_MIME_TYPES_H_

#include <string_view>

namespace httpuv {
namespace statics {

// The fallback for unknown extensions (httpuv's choice too).
inline constexpr std::string_view kDefaultMimeType = "application/octet-stream";

struct MimeType {
  std::string_view type;  // empty when the extension is unknown
  bool compressible = false;
};

// Case-insensitive lookup of a file extension without its dot ("html", "JS"). Returns an empty
// type for unknown extensions.
MimeType LookupMimeByExtension(std::string_view ext);

// The content type of a file name: the text after the last '.' of its last path segment; an
// unknown extension, or a name without one, gives kDefaultMimeType. (httpuv used a dot-less name
// as its own extension, so a file named "html" was text/html; we do not.)
std::string_view MimeTypeForFileName(std::string_view name);

// Whether a response of this Content-Type is worth gzipping: mime-db's flag, or for types mime-db
// has no flag for, text/* and +json/+text/+xml. Parameters (";charset=…") and case are ignored.
bool IsCompressibleType(std::string_view content_type);

}  // namespace statics
}  // namespace httpuv

#endif  // NODE_HTTPUV_STATIC_MIME_TYPES_H_
