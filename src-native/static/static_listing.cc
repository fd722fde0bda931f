// Directory listing pages (see static_listing.h). Runs on the I/O thread; no napi.h, no uv.h.
#include "static/static_listing.h"

#include <algorithm>
#include <cstdio>

#include "static/static_negotiation.h"

namespace httpuv {
namespace statics {

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

namespace {

// "1.2 KiB"-style size for people; exact bytes below 1 KiB.
std::string HumanSize(uint64_t n) {
  if (n < 1024) return std::to_string(n) + " B";
  static const char* const kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
  double v = static_cast<double>(n);
  int u = -1;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    u++;
  }
  char buf[32];
  snprintf(buf, sizeof buf, v < 10 ? "%.1f %s" : "%.0f %s", v, kUnits[u]);
  return buf;
}

}  // namespace

std::string ListingHtml(std::string_view url_path, std::vector<ListedName>* names, size_t more,
                        bool parent_link) {
  std::sort(names->begin(), names->end(), [](const ListedName& a, const ListedName& b) {
    if (a.is_dir != b.is_dir) return a.is_dir;
    return a.name < b.name;
  });
  const std::string base = url_path == "/" ? std::string("/") : std::string(url_path) + "/";
  const std::string title = HtmlEscape(base);
  const std::string href_base = PercentEncodePath(base);
  std::string html;
  html.reserve(512 + names->size() * 160);
  html += "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Index of ";
  html += title;
  html += "</title>\n<style>body{font-family:system-ui,sans-serif;margin:2em}"
          "td{padding:0.15em 1.5em 0.15em 0}td.n{text-align:right}a{text-decoration:none}</style>\n"
          "</head>\n<body>\n<h1>Index of ";
  html += title;
  html += "</h1>\n<table>\n";
  if (parent_link && url_path != "/") {
    const size_t slash = url_path.rfind('/');
    const std::string parent = slash == 0 ? std::string("/") : std::string(url_path.substr(0, slash)) + "/";
    html += "<tr><td><a href=\"" + PercentEncodePath(parent) + "\">../</a></td><td></td><td></td></tr>\n";
  }
  for (const ListedName& n : *names) {
    const std::string shown = HtmlEscape(n.name) + (n.is_dir ? "/" : "");
    html += "<tr><td><a href=\"";
    html += href_base + PercentEncodePath(n.name) + (n.is_dir ? "/" : "");
    html += "\">" + shown + "</a></td><td class=\"n\">";
    if (!n.is_dir) html += HumanSize(n.size);
    html += "</td><td>";
    if (n.mtime > 0) html += FormatHttpDate(n.mtime);
    html += "</td></tr>\n";
  }
  html += "</table>\n";
  if (more > 0) html += "<p>" + std::to_string(more) + " more not shown.</p>\n";
  html += "</body>\n</html>\n";
  return html;
}

}  // namespace statics
}  // namespace httpuv
