// The static-file decision engine: given the merged static-path configuration and a request whose
// headers have just been parsed, decide whether the request is static and, if so, produce the
// whole response as plain data (status, headers, a small body or an open file range). No sockets:
// the connection code writes what this returns. File access is synchronous POSIX
// (realpath/open/fstat) on the calling thread, never libuv's thread pool.
// Runs on the I/O thread; no napi.h, no uv.h.
#ifndef NODE_HTTPUV_STATIC_STATIC_FILES_H_
#define NODE_HTTPUV_STATIC_STATIC_FILES_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "platform/file.h"

namespace httpuv {
namespace statics {

// Same type as httpuv::HeaderList (transport/events.h), spelled out to keep this header standalone.
using StaticHeaders = std::vector<std::pair<std::string, std::string>>;

// What ServeStatic remembers about an entry's root between requests: realpath(dir) and whether
// it is a file. Filled and read only on the thread that calls ServeStatic (the I/O thread), which
// is why a const config may update it; copying an entry copies no memo (the copy starts empty).
// Holds no file descriptor. `canonical` (dir == realpath(dir)) lets every request skip realpath:
// the fast open walks "<dir>/<rel>" with RESOLVE_NO_SYMLINKS, so a root that has since been
// replaced is simply walked again, and one whose path now crosses a symlink fails over to the
// realpath-based slow path, which re-resolves dir (see OpenUnderRoot in static_resolve.h).
// What the last probe for "<file>.br" / "<file>.gz" found, for one file under the root. Reused
// while the file keeps its identity (device, inode, size, mtime) and for at most
// kSiblingMemoMs after the probe, so that a sibling created or deleted later is seen within that
// time: a request then costs no failed opens when no sibling exists (two path walks otherwise).
struct SiblingMemo {
  uint64_t dev = 0;
  uint64_t ino = 0;
  int64_t size = 0;
  int64_t mtime_ns = 0;
  int64_t probed_ms = 0;  // steady clock
  bool br = false;
  bool gz = false;
};
constexpr int64_t kSiblingMemoMs = 1000;
constexpr size_t kSiblingMemoMax = 4096;  // entries per static path; cleared when full

struct StaticRootMemo {
  StaticRootMemo() = default;
  StaticRootMemo(const StaticRootMemo&) {}
  StaticRootMemo(StaticRootMemo&&) noexcept {}
  StaticRootMemo& operator=(const StaticRootMemo&) {
    Clear();
    return *this;
  }
  StaticRootMemo& operator=(StaticRootMemo&&) noexcept {
    Clear();
    return *this;
  }
  void Clear() {
    valid = false;
    canonical = false;
    is_file = false;
    real.clear();
    siblings.clear();
    siblings_root.clear();
  }
  bool valid = false;      // `real` and `is_file` were resolved once
  bool canonical = false;  // dir is its own realpath: later requests reuse `real`
  bool is_file = false;
  std::string real;
  // Precompressed-sibling probes by path relative to `siblings_root` (the root they were made in).
  std::unordered_map<std::string, SiblingMemo> siblings;
  std::string siblings_root;
};

// One static path with its options already merged with the server-level options (the path's own
// value wins when it set one; never inherited from a parent path).
struct StaticPathEntry {
  // URL prefix in NormalizeStaticKey's form: "/" or "/assets" (leading '/', no empty or "."
  // segment, no trailing '/'). Serving matches it exactly; as an excluded or validated rule it
  // also matches case-insensitively (see ServeStatic, step 3).
  std::string path;
  std::string dir;   // local directory, or a single file served at exactly `path`
  bool excluded = false;     // requests under this prefix go to the app
  bool indexhtml = true;     // a directory serves its index.html
  bool fallthrough = false;  // missing file / bad path → the app instead of 404 / 400
  std::string html_charset = "utf-8";  // appended to text/html only; "" = no charset
  bool redirect_directories = false;  // "/dir" → 301 to "/dir/" (query kept)
  bool directory_listing = false;     // a directory without index.html gets an HTML listing
  bool spa_fallback = false;          // a missing path without '.' in its last segment → index.html
  StaticHeaders headers;     // extra response headers (also replace our Content-Type, ETag, …)
  StaticHeaders validation;  // (name, value): each request header must be present once, exactly
  mutable StaticRootMemo root_memo;  // I/O thread only; see StaticRootMemo
};

// Every static path of a server, any order; duplicates: the first entry with a given path wins.
struct StaticConfig {
  std::vector<StaticPathEntry> entries;
};

struct StaticRequest {
  std::string_view method;
  std::string_view target;  // raw request-target incl. query; origin-form or absolute-form
  const StaticHeaders* headers = nullptr;  // as received, original case, duplicates kept
};

// The decision. For kRespond the caller writes, in order: the status line, Date, `headers`,
// Content-Length (unless status is 304), Connection; then, unless head_only, the file range
// [offset, offset + length) of `fd` when fd >= 0, else `body`.
struct StaticResult {
  enum class Kind {
    kNotStatic,  // not under a static path, excluded, WebSocket upgrade, or fallthrough: the app
    kRespond,
  };
  Kind kind = Kind::kNotStatic;
  int status = 0;
  StaticHeaders headers;  // never Date, Content-Length or Connection (the writer owns those)
  std::string body;       // generated bodies ("404 Not Found\n"); empty when fd >= 0
  platform::file_t fd = platform::kNoFile;  // open regular file (O_RDONLY|O_CLOEXEC), the caller
                                            // closes it; -1 on HEAD
  uint64_t offset = 0;    // first byte of fd to send
  uint64_t length = 0;    // the Content-Length value: bytes of fd to send, or body.size()
  bool head_only = false;         // HEAD: send the headers with Content-Length, no body
  bool close_connection = false;  // refused a request that carries a body (unread): close after
};

// Decides and, for a static response, opens the file. Never throws; any fd it opened is either
// returned in the result or closed. The decision order (httpuv's, with node-httpuv's fixes):
//  1. A WebSocket upgrade (Upgrade header listing "websocket") → kNotStatic. Other Upgrade values
//     (h2c) are ignored: we never switch protocols on a static path.
//  2. The path of the target (query dropped; absolute-form → its path; "*" or authority-form →
//     kNotStatic) is normalised ONCE (NormalizeRequestPath): percent-decoded once ("%2f" becomes a
//     '/' and separates segments), empty and "." segments dropped; "..", NUL, '\\', a malformed
//     escape or invalid UTF-8 make it refused. This one string is what every later step reads:
//     the rule lookup, the file lookup, index.html and the .br/.gz siblings.
//  3. Rules, on the normalised path (a refused one: its segments before the first bad one):
//     a) the longest entry key equal to it or a '/'-bounded prefix of it, compared exactly, is
//        the entry that serves ("/" matches all); none → kNotStatic; excluded → kNotStatic;
//     b) every excluded or validated entry whose key matches case-insensitively
//        (KeyMatchesFolded) and is at least as long as (a)'s key applies too: one excluded →
//        kNotStatic, else all their validations must pass. "/PRIVATE/x" therefore never passes
//        "/private" on a case-insensitive file system; on a case-sensitive one such a request
//        goes to the app (or 403) instead of a 404: stricter, never looser.
//  4. Validation (3a's entry and 3b's): each (name, value) must appear exactly once with exactly
//     that value (constant-time compare) → else 403 (even when fallthrough).
//  5. Method other than GET/HEAD → 405 with "Allow: GET, HEAD".
//  6. Content-Length other than "0", or any Transfer-Encoding → 400, close_connection.
//  7. A refused path (step 2) → 400 (fallthrough → kNotStatic). A segment below the entry's key
//     starting with '.' (except ".well-known") → 404.
//  8. Resolution: realpath must stay under realpath(dir) + "/" (symlinks followed only within the
//     root). A directory asked for without a trailing '/' → 301 to the same path with one (its
//     query kept) when redirect_directories: the Location is the normalised path, percent-encoded,
//     so it always starts with exactly one '/' ("//evil.com" and "/%2f%2fevil.com" name the
//     directory "/evil.com", never another host). A directory serves index.html when indexhtml;
//     without one, an HTML listing when directory_listing (names filtered by the same rules as a
//     request for them: no dotfiles, no symlinks out of the root, nothing excluded or refused by
//     validation), else 404. spa_fallback: a path that is missing (or a directory with neither)
//     and whose last segment has no '.' is answered with the entry's index.html. A file requested with a
//     trailing '/' → 404; missing, not a regular file or outside the root → 404 (fallthrough →
//     kNotStatic); EACCES/EPERM → 403; other errors → 500. When the open resolved to another
//     name than the one asked (a symlink followed inside the root, or the stored case that
//     realpath reports on macOS), the URL of that name under the entry must pass step 3b's rules
//     too (excluded → 404, validation → 403); a .br/.gz sibling that fails them is absent.
//  9. Representation: precompressed "<file>.br" / "<file>.gz" siblings chosen by Accept-Encoding
//     q-values (br wins ties), with Content-Encoding and Vary: Accept-Encoding (Vary also when a
//     sibling exists but was not chosen). ETag differs per representation.
// 10. Preconditions (RFC 9110 §13.2.2): If-Match / If-Unmodified-Since → 412; If-None-Match
//     (weak compare, lists, *) or else If-Modified-Since → 304; Range (GET only; If-Range by strong
//     ETag or exact date) → 206 / 416; otherwise 200.
StaticResult ServeStatic(const StaticConfig& config, const StaticRequest& req);

}  // namespace statics
}  // namespace httpuv

#endif  // NODE_HTTPUV_STATIC_STATIC_FILES_H_
