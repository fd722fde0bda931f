// The static-file decision engine: static-path matching, validation, method and path rules, then
// representation choice (precompressed siblings), preconditions and ranges, producing a response
// as plain data. File access goes through static_resolve.cc.
// Runs on the I/O thread; no napi.h, no uv.h.
#include "static/static_files.h"

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "static/mime_types.h"
#include "static/static_listing.h"
#include "static/static_negotiation.h"
#include "static/static_resolve.h"
#include "util/ascii.h"
#include "util/reason_phrase.h"

namespace httpuv {
namespace statics {
namespace {

using Kind = StaticResult::Kind;

// ---- request headers ---------------------------------------------------------------------------

// Values of every header named `name` joined with ", " (the list form, RFC 9110 §5.3); returns the
// number of headers found.
int JoinedHeader(const StaticHeaders* headers, std::string_view name, std::string* out) {
  out->clear();
  if (headers == nullptr) return 0;
  int n = 0;
  for (const auto& h : *headers) {
    if (!util::EqualsIgnoreCase(h.first, name)) continue;
    if (n++ > 0) out->append(", ");
    out->append(h.second);
  }
  return n;
}

// The value of a header that must appear once (If-Range, Range, dates); null when absent or
// repeated (a repeated singleton is ignored, as a proxy would not know which one is meant).
const std::string* SingleHeader(const StaticHeaders* headers, std::string_view name) {
  if (headers == nullptr) return nullptr;
  const std::string* found = nullptr;
  for (const auto& h : *headers) {
    if (!util::EqualsIgnoreCase(h.first, name)) continue;
    if (found != nullptr) return nullptr;
    found = &h.second;
  }
  return found;
}

// Compares in time that depends only on the lengths, so a validation secret cannot be guessed
// byte by byte.
bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  size_t n = a.size() > b.size() ? a.size() : b.size();
  unsigned diff = a.size() == b.size() ? 0u : 1u;
  for (size_t i = 0; i < n; i++) {
    unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= static_cast<unsigned>(x ^ y);
  }
  return diff == 0;
}

// httpuv's validation: the header must exist, once, with exactly the value (a repeated header
// would have been combined into "v, v" and failed there too).
bool PassesValidation(const StaticPathEntry& entry, const StaticHeaders* headers) {
  for (const auto& rule : entry.validation) {
    std::string value;
    if (JoinedHeader(headers, rule.first, &value) != 1) return false;
    if (!ConstantTimeEquals(value, rule.second)) return false;
  }
  return true;
}

// ---- responses ---------------------------------------------------------------------------------

// httpuv's error_response(): body "<code> <reason>\n", no Content-Type, no configured headers.
StaticResult Error(int status, bool head) {
  StaticResult r;
  r.kind = Kind::kRespond;
  r.status = status;
  r.body = std::to_string(status) + " " + util::ReasonPhrase(status) + "\n";
  r.length = r.body.size();
  r.head_only = head;
  return r;
}

StaticResult NotStatic() { return StaticResult(); }

bool HasHeader(const StaticHeaders& headers, std::string_view name) {
  for (const auto& h : headers) {
    if (util::EqualsIgnoreCase(h.first, name)) return true;
  }
  return false;
}

const std::string* FindHeader(const StaticHeaders& headers, std::string_view name) {
  for (const auto& h : headers) {
    if (util::EqualsIgnoreCase(h.first, name)) return &h.second;
  }
  return nullptr;
}

// Configured headers a 304 keeps (RFC 9110 §15.4.5; httpuv kept the same five, case-sensitively).
bool KeptOn304(std::string_view name) {
  for (std::string_view keep : {"Cache-Control", "Content-Location", "ETag", "Expires", "Vary"}) {
    if (util::EqualsIgnoreCase(name, keep)) return true;
  }
  return false;
}

// Lower-case hex of v, zero-padded to at least min_digits (printf's "%0*" PRIx64); returns the
// number of characters written (at most 16).
size_t AppendHex(uint64_t v, int min_digits, char* out) {
  char tmp[16];
  int len = 0;
  do {
    tmp[len++] = "0123456789abcdef"[v & 0xf];
    v >>= 4;
  } while (v != 0);
  while (len < min_digits) tmp[len++] = '0';
  for (int i = 0; i < len; i++) out[i] = tmp[len - 1 - i];
  return static_cast<size_t>(len);
}

// A strong validator from what identifies this exact file version: modification time to the
// nanosecond, size, and a hash of (device, inode) so a file replaced by rename with the same
// mtime and size still changes tag without publishing the inode number.
std::string MakeEtag(const platform::FileStat& st, std::string_view coding) {
  uint64_t nsec = platform::MtimeNsecPart(st);
  uint64_t h = 1469598103934665603ull;  // FNV-1a 64
  for (uint64_t v : {static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)}) {
    for (int i = 0; i < 8; i++) {
      h ^= (v >> (8 * i)) & 0xff;
      h *= 1099511628211ull;
    }
  }
  // '"' mtime '.' nsec '-' size '-' hash as %08x, written by hand (snprintf showed in profiles).
  char buf[96];
  size_t n = 0;
  buf[n++] = '"';
  n += AppendHex(static_cast<uint64_t>(st.st_mtime), 0, buf + n);
  buf[n++] = '.';
  n += AppendHex(nsec, 0, buf + n);
  buf[n++] = '-';
  n += AppendHex(static_cast<uint64_t>(st.st_size), 0, buf + n);
  buf[n++] = '-';
  n += AppendHex((h ^ (h >> 32)) & 0xffffffffu, 8, buf + n);
  std::string tag;
  tag.reserve(n + coding.size() + 2);
  tag.append(buf, n);
  if (!coding.empty()) {
    tag.push_back('-');
    tag.append(coding);
  }
  tag.push_back('"');
  return tag;
}

// ---- matching ----------------------------------------------------------------------------------
// Every function here reads the request's NormalizedPath (static_resolve.h), never the raw target:
// the rule lookup and the file lookup see the same path by construction.

// Longest entry whose key equals `path` or is a '/'-bounded prefix of it, comparing bytes exactly;
// "/" matches all. Duplicate keys: the first entry wins. This is the entry that serves.
const StaticPathEntry* Match(const StaticConfig& config, std::string_view path) {
  const StaticPathEntry* best = nullptr;
  for (const auto& e : config.entries) {
    const std::string& key = e.path;
    if (key.empty()) continue;
    const bool hit = key == "/" ||
                     (path.size() >= key.size() && path.compare(0, key.size(), key) == 0 &&
                      (path.size() == key.size() || path[key.size()] == '/'));
    if (hit && (best == nullptr || key.size() > best->path.size())) best = &e;
  }
  return best;
}

// The relative path under `entry`'s root that `path` names ("" for the entry itself). `path` is
// normalised and matched by `entry` (exactly), so the result has no empty, "." or ".." segment.
std::string_view RelUnder(const StaticPathEntry& entry, std::string_view path) {
  const size_t skip = entry.path == "/" ? 1 : entry.path.size() + 1;
  return skip >= path.size() ? std::string_view() : path.substr(skip);
}

enum class RuleVerdict { kPass, kExcluded, kForbidden };

// The restrictive rules (excluded entries and entries with validation) that govern `path`: every
// one whose key matches it case-insensitively (KeyMatchesFolded) and is at least `min_len` bytes
// long, i.e. not overridden by a longer entry that matched exactly. An excluded one wins; else
// every validation must pass. The serving entry's own rules are among them (its key matches
// itself). So "/PRIVATE/x" with "/private" excluded goes to the app even though only "/" matched
// exactly: stricter than the exact match, never looser, on every file system.
// `passed`: an entry whose validation this request is known to satisfy (skipped), or null.
RuleVerdict ApplyRules(const StaticConfig& config, std::string_view path, size_t min_len,
                       const StaticPathEntry* serving, const StaticHeaders* headers,
                       const StaticPathEntry* passed = nullptr) {
  bool forbidden = false;
  for (const auto& e : config.entries) {
    if (!e.excluded && e.validation.empty()) continue;
    if (e.path.empty() || e.path.size() < min_len || &e == passed) continue;
    if (&e != serving && serving != nullptr && e.path == serving->path) continue;  // duplicate
    if (!KeyMatchesFolded(e.path, path)) continue;
    if (e.excluded) return RuleVerdict::kExcluded;
    if (!forbidden && !PassesValidation(e, headers)) forbidden = true;
  }
  return forbidden ? RuleVerdict::kForbidden : RuleVerdict::kPass;
}

// The restrictive rules for the URL that `rel` (a path relative to `entry`'s root) has under
// `entry`: every excluded or validated key at least as long as `entry`'s, even where a longer
// entry re-allows part of it (that entry serves its own directory, not this root): stricter.
// `headers` null: judged as for a request without headers (every validation fails) except
// `entry`'s own, which every request that gets as far as a sibling has passed.
RuleVerdict RulesForRel(const StaticConfig& config, const StaticPathEntry& entry,
                        std::string_view rel, const StaticHeaders* headers) {
  std::string url = entry.path;
  if (!rel.empty()) {
    if (url != "/") url.push_back('/');
    url.append(rel);
  }
  return ApplyRules(config, url, entry.path.size(), &entry, headers,
                    headers == nullptr ? &entry : nullptr);
}

// A file was opened as `opened` (its resolved path under the root) for the relative path `asked`.
// They differ only when the slow path resolved a symlink, or where realpath reports the name as
// stored (on a case-insensitive file system: macOS gives the on-disk case). The name it landed on
// must then pass the same rules as a request for it would, so neither a symlink nor a case or
// Unicode variant reaches a file under an excluded or validated path.
RuleVerdict CheckResolved(const StaticConfig& config, const StaticPathEntry& entry,
                          std::string_view asked, const std::string& opened,
                          const StaticHeaders* headers) {
  if (opened == asked) return RuleVerdict::kPass;
  return RulesForRel(config, entry, opened, headers);
}

// ---- representation ----------------------------------------------------------------------------

struct Representation {
  OpenedFile file;
  std::string_view coding;  // "", "br" or "gzip"
  bool vary = false;        // a precompressed sibling exists
};

// What a lookup under one entry needs to re-check a resolved path (CheckResolved).
struct RuleContext {
  const StaticConfig* config;
  const StaticPathEntry* entry;
  const StaticHeaders* headers;
};

// Opens "<rel><suffix>" (".br" / ".gz") under the root, where `rel` is the original file's
// resolved path (already through CheckResolved). The sibling's own name, and the name it resolves
// to when that differs (a symlink), must pass the rules, else it counts as absent: a
// precompressed sibling is never a way into an excluded file ('/x/a.txt.gz' excluded on its own)
// or an excluded or validated directory. Judged without the request's headers (only the entry's
// own validation counts as passed), because which siblings exist is remembered per file
// (SiblingMemo) for every request that passed the entry's rules, not per request. Probes run
// only when the memo is stale, so the rule loop costs nothing per request.
OpenedFile OpenSibling(const RuleContext& ctx, const StaticRoot& root, const std::string& rel,
                       std::string_view suffix) {
  std::string name;
  name.reserve(rel.size() + suffix.size());
  name.append(rel).append(suffix);
  OpenedFile f = OpenUnderRoot(root, name);
  if (f.status == OpenedFile::Status::kOk &&
      (RulesForRel(*ctx.config, *ctx.entry, name, nullptr) != RuleVerdict::kPass ||
       CheckResolved(*ctx.config, *ctx.entry, name, f.rel, nullptr) != RuleVerdict::kPass)) {
    return OpenedFile();
  }
  return f;
}

// Which of "<file>.br" / "<file>.gz" exist: the memo's answer while it is fresh (same file, probed
// under kSiblingMemoMs ago), else both are probed now, their opened files kept in `br` / `gz`.
const SiblingMemo& Siblings(const RuleContext& ctx, const StaticRoot& root, StaticRootMemo& memo,
                            const OpenedFile& original, OpenedFile* br, OpenedFile* gz) {
  const platform::FileStat& st = original.st;
  const int64_t mtime_ns = platform::MtimeNs(st);
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now().time_since_epoch()).count();
  if (memo.siblings_root != root.real) {
    memo.siblings.clear();
    memo.siblings_root = root.real;
  }
  auto it = memo.siblings.find(original.rel);
  if (it != memo.siblings.end()) {
    const SiblingMemo& m = it->second;
    if (m.dev == static_cast<uint64_t>(st.st_dev) && m.ino == static_cast<uint64_t>(st.st_ino) &&
        m.size == static_cast<int64_t>(st.st_size) && m.mtime_ns == mtime_ns &&
        now_ms - m.probed_ms < kSiblingMemoMs && now_ms >= m.probed_ms) {
      return m;
    }
  } else if (memo.siblings.size() >= kSiblingMemoMax) {
    memo.siblings.clear();
  }
  *br = OpenSibling(ctx, root, original.rel, ".br");
  *gz = OpenSibling(ctx, root, original.rel, ".gz");
  SiblingMemo& m = memo.siblings[original.rel];
  m.dev = static_cast<uint64_t>(st.st_dev);
  m.ino = static_cast<uint64_t>(st.st_ino);
  m.size = static_cast<int64_t>(st.st_size);
  m.mtime_ns = mtime_ns;
  m.probed_ms = now_ms;
  m.br = br->status == OpenedFile::Status::kOk;
  m.gz = gz->status == OpenedFile::Status::kOk;
  return m;
}

// Picks identity, "<file>.br" or "<file>.gz" by Accept-Encoding (RFC 9110 §12.5.3). A coding not
// listed takes the q of "*"; identity wins only when listed with a higher q than the best coding;
// br wins ties. Vary whenever a sibling exists. Which siblings exist comes from Siblings(), so a
// file without siblings costs no failed opens while its memo is fresh; a sibling that was deleted
// after the memo was made is served as absent (the memo is dropped and the original sent).
Representation ChooseRepresentation(const RuleContext& ctx, const StaticRoot& root,
                                    StaticRootMemo& memo, OpenedFile original) {
  const StaticHeaders* headers = ctx.headers;
  Representation rep;
  if (root.is_file) {
    rep.file = std::move(original);
    return rep;
  }
  std::string accept;
  AcceptEncoding ae;
  const bool has_accept = JoinedHeader(headers, "Accept-Encoding", &accept) > 0;
  if (has_accept) ae = ParseAcceptEncoding(accept);
  auto q = [&](int listed) {
    return !has_accept ? 0 : (listed >= 0 ? listed : (ae.any >= 0 ? ae.any : 0));
  };
  const int q_br = q(ae.br);
  const int q_gz = q(ae.gzip);
  // Whether a coding whose q is the best among the existing siblings is sent.
  auto wins = [&](int best) { return best > 0 && !(ae.identity >= 0 && ae.identity > best); };

  OpenedFile br, gz;
  const SiblingMemo& m = Siblings(ctx, root, memo, original, &br, &gz);
  rep.vary = m.br || m.gz;
  // br wins unless gzip exists with a higher q; the chosen coding must also beat identity.
  const bool use_gz = m.gz && (!m.br || q_br < q_gz);
  const bool pick = use_gz ? wins(q_gz) : (m.br && wins(q_br));
  if (!pick) {
    rep.file = std::move(original);
    return rep;
  }
  OpenedFile& probed = use_gz ? gz : br;
  OpenedFile chosen;
  if (probed.status == OpenedFile::Status::kOk) {
    chosen = std::move(probed);
  } else {  // known from the memo: open it now
    chosen = OpenSibling(ctx, root, original.rel, use_gz ? ".gz" : ".br");
  }
  if (chosen.status != OpenedFile::Status::kOk) {
    memo.siblings.erase(original.rel);
    rep.file = std::move(original);
    return rep;
  }
  rep.file = std::move(chosen);
  rep.coding = use_gz ? "gzip" : "br";
  return rep;
}

// The root of `entry` for this request. A canonical dir (the TS layer passes realpath()s) is
// resolved once and remembered in the entry's memo; any other dir is resolved per request, since
// the symlinks in it may be retargeted. OpenUnderRoot copes with a memo gone stale (see
// StaticRootMemo). False when the root does not exist now.
bool RootFor(const StaticPathEntry& entry, StaticRoot* root) {
  StaticRootMemo& memo = entry.root_memo;
  if (memo.valid && memo.canonical) {
    root->real = memo.real;
    root->is_file = memo.is_file;
  } else {
    if (!ResolveRoot(entry.dir, root)) return false;
    memo.valid = true;
    memo.canonical = root->real == entry.dir;
    memo.is_file = root->is_file;
    memo.real = root->real;
  }
  root->dir = &entry.dir;
  return true;
}

StaticResult MissingOr(const StaticPathEntry& entry, OpenedFile::Status status, bool head) {
  switch (status) {
    case OpenedFile::Status::kForbidden:
      return Error(403, head);
    case OpenedFile::Status::kError:
      return Error(500, head);
    default:
      return entry.fallthrough ? NotStatic() : Error(404, head);
  }
}

// 301 to `path` + "/" (see step 8 in static_files.h). `target` is the raw request-target: its
// query is kept, with every byte that RFC 3986 does not allow in a query percent-encoded (a
// backslash, quotes, '<', '>', controls, bytes above 0x7e). The entry's configured
// headers go along (so a CORS header also reaches a cross-origin fetch that follows the redirect).
StaticResult Redirect(const StaticPathEntry& entry, const std::string& path, std::string_view target,
                      bool head) {
  StaticResult r = Error(301, head);
  r.headers = entry.headers;
  std::string location = PercentEncodePath(path);
  location.push_back('/');
  const size_t q = target.find('?');
  if (q != std::string_view::npos) {
    for (char ch : target.substr(q)) {
      const unsigned char c = static_cast<unsigned char>(ch);
      // RFC 3986 query characters (and '%', already an escape) as sent; anything else encoded.
      const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                        strchr("-._~!$&'()*+,;=:@/?%", c) != nullptr;
      if (c != 0 && keep) {
        location.push_back(ch);
      } else {
        location.push_back('%');
        location.push_back("0123456789ABCDEF"[c >> 4]);
        location.push_back("0123456789ABCDEF"[c & 0xf]);
      }
    }
  }
  r.headers.emplace_back("Location", std::move(location));
  return r;
}

// Most names a listing shows; the rest are counted ("N more not shown").
constexpr size_t kListingMax = 10000;

// The HTML listing of the directory at `dir_rel` (resolved, under the root) that the request
// asked for as `rel` (under the entry) / `path` (the URL). Every name must pass the rules a
// request for it would (RulesForRel, and CheckResolved where a symlink lands elsewhere).
StaticResult Listing(const RuleContext& ctx, const StaticRoot& root, const std::string& dir_rel,
                     std::string_view rel, const std::string& path, bool head) {
  const StaticPathEntry& entry = *ctx.entry;
  OpenedFile dir = OpenUnderRoot(root, dir_rel, /*keep_directory=*/true);
  if (dir.status != OpenedFile::Status::kDirectory) {
    return MissingOr(entry, dir.status == OpenedFile::Status::kOk ? OpenedFile::Status::kMissing : dir.status, head);
  }
  std::vector<ListedName> names;
  size_t more = 0;
  if (!ListDirectory(root, std::move(dir), kListingMax, &names, &more)) {
    return MissingOr(entry, OpenedFile::Status::kError, head);
  }
  std::vector<ListedName> shown;
  shown.reserve(names.size());
  for (ListedName& n : names) {
    std::string asked = rel.empty() ? n.name : std::string(rel) + "/" + n.name;
    if (RulesForRel(*ctx.config, entry, asked, ctx.headers) != RuleVerdict::kPass) continue;
    if (CheckResolved(*ctx.config, entry, asked, n.rel, ctx.headers) != RuleVerdict::kPass) continue;
    shown.push_back(std::move(n));
  }
  StaticResult r;
  r.kind = Kind::kRespond;
  r.status = 200;
  r.head_only = head;
  r.headers = entry.headers;
  if (!HasHeader(entry.headers, "Content-Type")) r.headers.emplace_back("Content-Type", "text/html; charset=utf-8");
  if (!HasHeader(entry.headers, "Cache-Control")) r.headers.emplace_back("Cache-Control", "no-cache");
  // The parent only below the entry's own key: above it, another static path (or none) decides.
  r.body = ListingHtml(path, &shown, more, /*parent_link=*/!rel.empty());
  r.length = r.body.size();
  return r;
}

// Builds the 200/206/304/412/416 answer for an opened representation.
StaticResult Respond(const StaticPathEntry& entry, Representation rep, std::string_view type,
                     const StaticHeaders* headers, bool head) {
  const platform::FileStat& st = rep.file.st;
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  const int64_t mtime = static_cast<int64_t>(st.st_mtime);
  const std::string* user_etag = FindHeader(entry.headers, "ETag");
  std::string etag = user_etag != nullptr ? std::string() : MakeEtag(st, rep.coding);
  std::string_view tag = user_etag != nullptr ? std::string_view(*user_etag) : etag;

  // Preconditions in RFC 9110 §13.2.2 order.
  std::string list;
  int64_t date = 0;
  const std::string* v = nullptr;
  if (JoinedHeader(headers, "If-Match", &list) > 0) {
    if (!EtagListMatchesStrong(list, tag)) return Error(412, head);
  } else if ((v = SingleHeader(headers, "If-Unmodified-Since")) && ParseHttpDate(*v, &date)) {
    if (mtime > date) return Error(412, head);
  }
  bool not_modified = false;
  if (JoinedHeader(headers, "If-None-Match", &list) > 0) {
    not_modified = EtagListMatchesWeak(list, tag);
  } else if ((v = SingleHeader(headers, "If-Modified-Since")) && ParseHttpDate(*v, &date)) {
    not_modified = mtime <= date;  // whole seconds, as Last-Modified
  }

  StaticResult r;
  r.kind = Kind::kRespond;
  r.head_only = head;
  if (not_modified) {
    r.status = 304;
    for (const auto& h : entry.headers) {
      if (KeptOn304(h.first)) r.headers.push_back(h);
    }
    if (user_etag == nullptr) r.headers.emplace_back("ETag", std::move(etag));
    if (rep.vary) r.headers.emplace_back("Vary", "Accept-Encoding");
    return r;  // rep.file closes here
  }

  // Range applies to GET only (RFC 9110 §14.2) and to the chosen representation.
  ByteRange range;
  if (!head && (v = SingleHeader(headers, "Range")) != nullptr) range = ParseRange(*v, size);
  if (range.kind != ByteRange::Kind::kIgnore) {
    if (const std::string* ir = SingleHeader(headers, "If-Range")) {
      bool fresh;
      if (!ir->empty() && (ir->front() == '"' || ir->compare(0, 2, "W/") == 0)) {
        fresh = EtagListMatchesStrong(*ir, tag) && ir->find(',') == std::string::npos;
      } else {
        fresh = ParseHttpDate(*ir, &date) && date == mtime;
      }
      if (!fresh) range.kind = ByteRange::Kind::kIgnore;
    }
  }
  if (range.kind == ByteRange::Kind::kUnsatisfiable) {
    StaticResult e = Error(416, head);
    e.headers.emplace_back("Content-Range", "bytes */" + std::to_string(size));
    return e;
  }

  r.headers.reserve(entry.headers.size() + 8);
  r.headers.insert(r.headers.end(), entry.headers.begin(), entry.headers.end());
  if (!HasHeader(entry.headers, "Content-Type")) {
    std::string ct(type);
    if (type == "text/html" && !entry.html_charset.empty()) ct += "; charset=" + entry.html_charset;
    r.headers.emplace_back("Content-Type", std::move(ct));
  }
  if (!HasHeader(entry.headers, "Last-Modified")) {
    r.headers.emplace_back("Last-Modified", FormatHttpDate(mtime));
  }
  if (user_etag == nullptr) r.headers.emplace_back("ETag", std::move(etag));
  r.headers.emplace_back("Accept-Ranges", "bytes");
  if (rep.vary) r.headers.emplace_back("Vary", "Accept-Encoding");
  if (!rep.coding.empty()) r.headers.emplace_back("Content-Encoding", std::string(rep.coding));
  if (range.kind == ByteRange::Kind::kSatisfiable) {
    r.status = 206;
    r.offset = range.first;
    r.length = range.length;
    r.headers.emplace_back("Content-Range", "bytes " + std::to_string(range.first) + "-" +
                                                std::to_string(range.first + range.length - 1) +
                                                "/" + std::to_string(size));
  } else {
    r.status = 200;
    r.length = size;
  }
  // The fd keeps O_NONBLOCK (opened so, lest a FIFO block the open): only regular files get here,
  // and Linux ignores O_NONBLOCK for reads, pread and sendfile from them (a saved fcntl per file).
  if (!head) r.fd = rep.file.fd.Release();
  return r;
}

}  // namespace

StaticResult ServeStatic(const StaticConfig& config, const StaticRequest& req) {
  const StaticHeaders* headers = req.headers;

  // 1. WebSocket handshakes belong to the app (httpuv #215); other Upgrade values are ignored.
  std::string upgrade;
  if (JoinedHeader(headers, "Upgrade", &upgrade) > 0 && util::ListHasToken(upgrade, "websocket")) {
    return NotStatic();
  }

  // 2. The one normalised path of this request (decoded once; empty and "." segments dropped;
  //    "..", NUL, '\\', bad escapes and bad UTF-8 make it !ok). Everything below reads `np`.
  std::string_view raw;
  if (!TargetPath(req.target, &raw)) return NotStatic();
  raw = raw.substr(0, raw.find('?'));
  NormalizedPath np;
  NormalizeRequestPath(raw, &np);
  const std::string& path = np.path;

  // 3. Longest exact match serves; then every excluded or validated static path that matches
  //    case-insensitively and is not overridden by a longer exact match applies (ApplyRules).
  //    A refused path (!np.ok) is matched by its segments before the first bad one.
  const StaticPathEntry* entry = Match(config, path);
  if (entry == nullptr || entry->excluded) return NotStatic();
  const RuleVerdict verdict = ApplyRules(config, path, entry->path.size(), entry, headers);
  if (verdict == RuleVerdict::kExcluded) return NotStatic();

  const bool head = req.method == "HEAD";
  // 4. Validation precedes everything else, fallthrough included (httpuv's test).
  if (verdict == RuleVerdict::kForbidden) return Error(403, head);
  // 5. Methods: only GET and HEAD; anything else is 405 with Allow (R httpuv answered 400).
  if (req.method != "GET" && !head) {
    StaticResult r = Error(405, false);
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  // 6. A static GET carries no body (httpuv #247/#248); the unread body forces a close.
  std::string framing;
  if ((JoinedHeader(headers, "Content-Length", &framing) > 0 && framing != "0") ||
      JoinedHeader(headers, "Transfer-Encoding", &framing) > 0) {
    StaticResult r = Error(400, head);
    r.close_connection = true;
    return r;
  }
  // 7. Path rules (NormalizeRequestPath): a refused path → 400; dotfiles below the static path
  //    (not in its key) → 404.
  if (!np.ok) return entry->fallthrough ? NotStatic() : Error(400, head);
  const std::string_view rel = RelUnder(*entry, path);
  if (HasHiddenSegment(rel)) return entry->fallthrough ? NotStatic() : Error(404, head);

  // 8. Resolve and open `rel` under the root; where the open resolved to another name (symlink,
  //    stored case), that name must pass the rules too (CheckResolved).
  const RuleContext ctx{&config, entry, headers};
  StaticRoot root;
  if (!RootFor(*entry, &root)) return MissingOr(*entry, OpenedFile::Status::kMissing, head);
  OpenedFile file = OpenUnderRoot(root, rel);
  if (rel.empty() && file.rel.empty() &&
      ((file.status == OpenedFile::Status::kDirectory && root.is_file) ||
       (file.status == OpenedFile::Status::kOk && !root.is_file))) {
    // The root itself changed type since the memo was made (a file became a directory or the
    // reverse): forget the memo and decide as for a new entry.
    entry->root_memo.Clear();
    file = OpenedFile();
    if (!RootFor(*entry, &root)) return MissingOr(*entry, OpenedFile::Status::kMissing, head);
    file = OpenUnderRoot(root, rel);
  }
  bool via_index = false;
  std::string asked_index;  // the URL's name for a directory's index.html, relative to the root
  std::string dir_rel;      // a directory asked for: its resolved path under the root
  bool is_dir = false;
  // Opens the entry's index.html `under` (a resolved directory; "" = the root) as `file`.
  auto open_index = [&](const std::string& under, std::string asked) {
    file = OpenUnderRoot(root, under.empty() ? "index.html" : under + "/index.html");
    via_index = true;
    asked_index = std::move(asked);
    if (file.status == OpenedFile::Status::kDirectory) file.status = OpenedFile::Status::kMissing;
  };
  if (file.status == OpenedFile::Status::kDirectory) {
    // "/dir" → "/dir/" (the query kept), so the page's relative links resolve under it.
    if (entry->redirect_directories && !np.trailing_slash && path != "/") {
      return Redirect(*entry, path, req.target, head);
    }
    is_dir = true;
    dir_rel = std::move(file.rel);
    file = OpenedFile();
    if (entry->indexhtml) {
      open_index(dir_rel, rel.empty() ? std::string("index.html") : std::string(rel) + "/index.html");
    }
  }
  // The name the open resolved to must pass the rules too; an excluded index.html is absent.
  auto check_resolved = [&]() -> int {
    if (file.status != OpenedFile::Status::kOk) return 0;
    const RuleVerdict v = CheckResolved(config, *entry, via_index ? std::string_view(asked_index) : rel,
                                        file.rel, headers);
    if (v == RuleVerdict::kForbidden) return 403;
    if (v == RuleVerdict::kExcluded) file = OpenedFile();
    return 0;
  };
  if (check_resolved() == 403) return Error(403, head);
  if (is_dir && file.status == OpenedFile::Status::kMissing && entry->directory_listing) {
    return Listing(ctx, root, dir_rel, rel, path, head);
  }
  // A single-page app: a path with no file (and no '.' in its last segment) gets index.html.
  if (file.status == OpenedFile::Status::kMissing && entry->spa_fallback && !root.is_file &&
      path.find('.', path.rfind('/')) == std::string::npos) {
    open_index("", "index.html");
    if (check_resolved() == 403) return Error(403, head);
  }
  if (file.status != OpenedFile::Status::kOk) return MissingOr(*entry, file.status, head);
  // "file.txt/" names a directory that does not exist (POSIX ENOTDIR): 404, never the file.
  if (np.trailing_slash && !via_index) return MissingOr(*entry, OpenedFile::Status::kMissing, head);

  // The type comes from the name as requested (the URL's last segment, index.html, or the
  // configured file), not from where a symlink points.
  std::string_view name = via_index ? std::string_view("index.html")
                                    : (root.is_file ? std::string_view(root.real) : rel);
  std::string_view type = MimeTypeForFileName(name);

  // 9–10. Representation, preconditions, range.
  Representation rep = ChooseRepresentation(ctx, root, entry->root_memo, std::move(file));
  return Respond(*entry, std::move(rep), type, headers, head);
}

}  // namespace statics
}  // namespace httpuv
