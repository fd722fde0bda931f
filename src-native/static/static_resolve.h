// From a request-target to an open file under a static root: target path extraction, one-pass
// percent-decoding, the path safety rules (NormalizeRequestPath below) and the symlink-aware
// containment check around open(). Used by static_files.cc and its tests.
// Runs on the I/O thread; no napi.h, no uv.h.
#ifndef NODE_HTTPUV_STATIC_STATIC_RESOLVE_H_
#define NODE_HTTPUV_STATIC_STATIC_RESOLVE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "platform/file.h"
#include "util/fd_handle.h"

namespace httpuv {
namespace statics {

// The path of a request-target: origin-form as is; absolute-form ("http://h/x?y") → "/x?y", or "/"
// when it has no path. False for asterisk-form and authority-form (never static).
bool TargetPath(std::string_view target, std::string_view* path);

// Decodes every %XX once ("%252e" → "%2e", not "."); '+' is kept. False on a malformed escape,
// with `out` holding what was decoded before it.
bool PercentDecode(std::string_view in, std::string* out);

// Percent-encodes every byte of `path` but the unreserved characters (RFC 3986: letters, digits,
// "-._~") and '/', for a Location header or an href: the result is ASCII without any character
// that HTML or a header line gives a meaning to.
std::string PercentEncodePath(std::string_view path);

// The one normalised form of a request path. ServeStatic computes it once per request, and both
// the rule lookup (which static path, excluded, validation) and the file lookup (the relative path
// opened under the root, its index.html and its .br/.gz siblings) read this same string, so no
// spelling of a path can match one rule and open another file ("//private", "/./private",
// "/%2e/private", "/%70rivate" all become "/private").
struct NormalizedPath {
  // "/" or "/seg/…/seg": percent-decoded exactly once, no empty, "." or ".." segment. An encoded
  // slash ("%2f") is decoded like every other escape and so separates segments here, for the rule
  // lookup and the file lookup alike (a file name cannot contain '/').
  // When !ok, the segments before the first bad one (so a refused path is still attributed to
  // the static path it was aimed at: "/pub/../x" → "/pub").
  std::string path;
  // False: malformed %XX, or a segment with NUL, '\\', invalid UTF-8 (overlongs included) or
  // equal to ".." (after decoding: "%2e%2e", "..%2f" too). Such a request is never served (400).
  bool ok = true;
  // The last segment of the request was empty or "." ("/dir/", "/dir/."), and the path is not "/".
  bool trailing_slash = false;
};

// `raw` is the path part of the request-target (query removed), as TargetPath returns it.
void NormalizeRequestPath(std::string_view raw, NormalizedPath* out);

// A static path's URL key in the same normal form: a leading '/', no empty or "." segment, no
// trailing '/' ("" or "//" → "/", "/a//./b/" → "/a/b"). Keys are not percent-decoded (they are
// compared with the decoded request path). The TS layer normalises keys the same way (and refuses
// ".." in them) before they get here; this keeps a key from C++ in the form Match expects.
std::string NormalizeStaticKey(std::string_view key);

// True when `key` (a normalised static path key) names `path` or a '/'-bounded prefix of it,
// comparing case-insensitively: ASCII letters fold, and so do the two non-ASCII characters whose
// case folding is an ASCII letter (U+212A KELVIN SIGN → k, U+017F LONG S → s). Used for the
// excluded and validated static paths, so a case-insensitive file system ("/PRIVATE/x" opens
// private/x) cannot take a request past them.
bool KeyMatchesFolded(std::string_view key, std::string_view path);

// True when a relative path has a segment starting with '.' other than ".well-known": the dotfile
// policy hides it (404).
bool HasHiddenSegment(std::string_view rel);

// A static root resolved for one request.
struct StaticRoot {
  std::string real;      // realpath of the configured dir (or file), symlink-free
  bool is_file = false;  // the entry serves one file
  // The configured dir: when set, the slow path below re-resolves it instead of trusting `real`
  // (which may come from a memo of an earlier request).
  const std::string* dir = nullptr;
};

// realpath + stat of the configured root. False (errno set) when it does not exist.
bool ResolveRoot(const std::string& dir, StaticRoot* root);

struct OpenedFile {
  enum class Status {
    kOk,         // fd is an open regular file, st its fstat
    kDirectory,  // the path is a directory (fd open only when asked for: keep_directory)
    kMissing,    // absent, not a regular file, or resolves outside the root / into a dotfile
    kForbidden,  // EACCES / EPERM
    kError,      // anything else (EMFILE, EIO, …)
  };
  Status status = Status::kMissing;
  util::FdHandle fd;  // O_RDONLY|O_CLOEXEC|O_NONBLOCK (no effect on reads of regular files)
  platform::FileStat st {};
  std::string rel;  // resolved path relative to the root ("" = the root itself)
};

// Opens `rel` (a NormalizedPath below its static path: no "..", no hidden segment) under `root`. The rule: the fully
// resolved path must be the root or lie beneath root + "/" (symlinks are followed only while they
// stay inside the root, and a sibling "www-secret" never passes for "www"), and it must not
// contain a hidden dot segment (a link to ".env" is still hidden). Two ways to enforce it:
//  Fast path (Linux ≥ 5.6): one openat2("<root.real>/<rel>", RESOLVE_NO_SYMLINKS) — a path
//     without symlinks and without ".." resolves to itself, so it is under the root by
//     construction, and the kernel refuses (ELOOP) if any component, root included, is a symlink.
//  Slow path (ELOOP/EXDEV from the fast path, or no openat2):
//   1. realpath(root/rel) must stay under realpath(root) (re-resolved from root.dir when set);
//   2. the resolved path must not contain a hidden dot segment;
//   3. it is opened without following any symlink: openat2(RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS)
//      from the root where available, else O_NOFOLLOW, so a component swapped for a symlink after
//      step 1 fails to open.
// Either way the open is O_RDONLY|O_CLOEXEC|O_NONBLOCK (a FIFO cannot block us), and the type and
// size come from fstat of the open fd, not from the path.
// `keep_directory`: a directory is returned with its fd open (for a listing, ListDirectory).
OpenedFile OpenUnderRoot(const StaticRoot& root, std::string_view rel, bool keep_directory = false);

// One name of a directory listing.
struct ListedName {
  std::string name;  // a single path segment: valid UTF-8, no '/', '\\' or NUL, not hidden
  bool is_dir = false;
  uint64_t size = 0;    // regular files
  int64_t mtime = 0;    // seconds since the epoch
  std::string rel;      // the resolved path relative to the root (differs from dir/name for a symlink)
};

// Reads the directory `dir` (a kDirectory result of OpenUnderRoot with keep_directory; its fd is
// consumed) whose resolved path under the root is `dir.rel`. Lists what a request could be served:
// no hidden name, no name a request path cannot spell (invalid UTF-8, '\\'), no symlink that leaves
// the root or lands on a hidden name, no FIFO, socket or device. At most `max` names are kept,
// in directory order; *more counts the ones left out. False when the directory cannot be read.
bool ListDirectory(const StaticRoot& root, OpenedFile dir, size_t max,
                   std::vector<ListedName>* out, size_t* more);

#ifdef _WIN32
// A request path segment that Windows would not read as the plain name it spells (see
// static_resolve_win.cc): ':' (streams, drives), reserved device names with any extension,
// a trailing '.' or ' ', '~' + digit (8.3 short names), control characters and <>"|?*\.
// Such a segment is never opened (404).
bool IsUnsafeWindowsSegment(std::string_view seg);
#endif

// Tests only: turns the openat2 path off (or back on where the kernel has it) so the O_NOFOLLOW
// fallback is exercised too. Returns whether openat2 was in use before the call.
bool SetOpenat2ForTesting(bool enabled);

}  // namespace statics
}  // namespace httpuv

#endif  // NODE_HTTPUV_STATIC_STATIC_RESOLVE_H_
