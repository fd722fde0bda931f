// The HTML page of a directory listing (the `directoryListing` option of a static path): a list
// of links built from names the engine has already filtered (ListDirectory in static_resolve.h,
// then the static-path rules in static_files.cc). Pure string building.
// Runs on the I/O thread; no napi.h, no uv.h.
#ifndef NODE_HTTPUV_STATIC_STATIC_LISTING_H_
#define NODE_HTTPUV_STATIC_STATIC_LISTING_H_

#include <string>
#include <string_view>
#include <vector>

#include "static/static_resolve.h"

namespace httpuv {
namespace statics {

// Escapes `text` for HTML element content and double- or single-quoted attributes (& < > " ').
std::string HtmlEscape(std::string_view text);

// The page for the directory at `url_path` (a normalised request path: "/" or "/a/b", no
// trailing '/'). Directories first, then files, each group in byte order of the name; every
// name is HTML-escaped, every href is absolute and percent-encoded (PercentEncodePath), so a
// name can neither inject markup nor make a link leave the site. `parent_link`: a "../" link
// (the caller gives it only below its static path's own key: a shorter path may belong to
// another static path, or be excluded); `more` > 0 adds a line saying how many names were left
// out. Sorts `names` in place.
std::string ListingHtml(std::string_view url_path, std::vector<ListedName>* names, size_t more,
                        bool parent_link);

}  // namespace statics
}  // namespace httpuv

#endif  // NODE_HTTPUV_STATIC_STATIC_LISTING_H_
