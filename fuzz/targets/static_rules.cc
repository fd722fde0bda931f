// libFuzzer harness for static-path RULE matching (excluded and validated paths): ServeStatic
// (src-native/static/static_files.cc + static_resolve.cc) with excluded and validated static paths
// over one root, fed request-targets built from the pieces that fooled raw-path matching: '/',
// '.', '..', "%2f", "%2e", "%5c", case changes, percent-encoded letters, prefixes of the
// configured rules, absolute-form, queries. Built with ASan + UBSan by fuzz/build.sh; run with
// `npm run fuzz -- static_rules <seconds>` (needs apt-get install -y clang-14 libclang-rt-14-dev
// llvm-14). Runs on the fuzzer's thread, as ServeStatic would on the I/O thread.
//
// Finding: a GET answered with an fd whose (device, inode) is a file physically under an excluded
// directory, an excluded single file, or (without exactly one correct X-Token header) the
// validated directory, including the .br/.gz siblings of those files. The tree holds symlinks
// that reach those files under other names (a case twin "PRIVATE" → private, links from pub/,
// precompressed siblings linked into private/ and guarded/): they must not get through either.
// Also checked: HEAD decides like GET (same status; 206 vs 200 aside), nothing but 200 without
// conditional headers, no fd leak.
//
// Input: byte 0 = flags (bits 0-1: token header none / correct / wrong / correct twice; bits 2-3:
// Accept-Encoding none / "gzip, br" / "br" / "gzip"; bit 4: O_NOFOLLOW fallback instead of
// openat2; bit 5: raw mode: the rest is the target as is; bit 6: every path with the directory
// options of issue 18 on (redirectDirectories, directoryListing, spaFallback; indexhtml off).
// Then a 301's Location must be one path on this host (one leading '/', visible ASCII, no
// backslash), and every link of a listing, served in turn, must be a file or directory the rules
// let through: a protected file behind a listed link is a finding like a direct one). Otherwise every further byte picks a
// piece from kPieces (b & 0x3f); with b & 0x40 the piece's letters are upper-cased, with b & 0x80
// the next byte is a mask flipping the case of its first 8 letters.
#include <dirent.h>
#include <fcntl.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string>
#include <utility>

#include "fuzz_check.h"
#include "fuzz_tree.h"
#include "static/static_files.h"
#include "static/static_resolve.h"

namespace {

using httpuv::statics::NormalizeStaticKey;
using httpuv::statics::StaticConfig;
using httpuv::statics::StaticHeaders;
using httpuv::statics::StaticPathEntry;
using httpuv::statics::StaticRequest;
using httpuv::statics::StaticResult;

using fuzz_tree::Collect;
using fuzz_tree::FileId;
using fuzz_tree::Link;
using fuzz_tree::Write;

std::string g_tmp;
StaticConfig g_config;
StaticConfig g_config_dirs;  // g_config with the directory options on (flags bit 6)
std::set<FileId> g_excluded;  // never served
std::set<FileId> g_guarded;   // served only with the token
int g_free_fd = -1;
bool g_has_openat2 = false;

const char* const kPieces[] = {
    "/", "/", "/", ".", "..", "%2f", "%2F", "%2e", "%2E", "%5c", "%5C", "\\", "%00", "%25", "?",
    "?x=/private", "#", ";", "private", "priv", "ate", "privatefoo", "%70rivate", "%70%72%69",
    "secret.txt", "secret", ".txt", ".gz", ".br", "index.html", "guarded", "%67uarded", "g.txt",
    "pub", "excluded.txt", "secret-dir", "x.txt", "link-private", "link-guarded", "to-excluded.txt",
    "b.txt", "a.txt", "sub", "deep.txt", "open", "ok.txt", "http://h", "HTTP://h:80", "http://h/",
    "%C5%BF", "\xC5\xBF", "%E2%84%AA", "%2e%2e", "..%2f", "%2e/", "//", "/./", "/../", "%20",
    "~", "x", "files", "f.txt", "%ZZ",
};
constexpr size_t kPieceCount = sizeof(kPieces) / sizeof(kPieces[0]);

void AddFile(const std::string& p, std::set<FileId>* out) {
  struct stat st;
  if (lstat(p.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) { perror(p.c_str()); abort(); }
  out->insert({st.st_dev, st.st_ino});
}

void BuildTree() {
  g_tmp = fuzz_tree::MakeRoot("httpuv-fuzz-rules");
  const std::string w = g_tmp + "/www";
  for (const char* d : {"", "/pub", "/pub/secret-dir", "/private", "/private/sub", "/private/open",
                        "/guarded", "/privatefoo"}) {
    mkdir((w + d).c_str(), 0755);
  }
  mkdir((g_tmp + "/files").c_str(), 0755);
  Write(w + "/index.html", "public index\n");
  Write(w + "/pub/a.txt", "public a\n");
  Write(w + "/pub/a.txt.gz", "public a gz\n");
  Write(w + "/pub/a.txt.br", "public a br\n");
  Write(w + "/pub/b.txt", "public b\n");
  Write(w + "/pub/excluded.txt", "excluded file\n");
  Write(w + "/pub/secret-dir/x.txt", "excluded dir\n");
  Write(w + "/privatefoo/ok.txt", "public privatefoo\n");
  Write(w + "/private/secret.txt", "secret\n");
  Write(w + "/private/secret.txt.gz", "secret gz\n");
  Write(w + "/private/secret.txt.br", "secret br\n");
  Write(w + "/private/index.html", "secret index\n");
  Write(w + "/private/sub/deep.txt", "secret deep\n");
  Write(w + "/private/open/ok.txt", "re-allowed\n");
  Write(w + "/guarded/g.txt", "guarded\n");
  Write(w + "/guarded/g.txt.gz", "guarded gz\n");
  Write(w + "/guarded/g.txt.br", "guarded br\n");
  Write(w + "/guarded/index.html", "guarded index\n");
  Write(g_tmp + "/files/f.txt", "public f\n");
  Link("private", w + "/PRIVATE");  // what a case-insensitive file system does with "PRIVATE"
  Link("guarded", w + "/Guarded");
  Link("../private", w + "/pub/link-private");
  Link("../guarded", w + "/pub/link-guarded");
  Link("excluded.txt", w + "/pub/to-excluded.txt");
  Link("private/secret.txt", w + "/secret-alias.txt");
  Link("../private/secret.txt.gz", w + "/pub/b.txt.gz");
  Link("../guarded/g.txt.br", w + "/pub/b.txt.br");
  Link("sub", w + "/private/link-sub");

  // Protected: everything under private/ except private/open/ (re-allowed by its own entry),
  // pub/excluded.txt, pub/secret-dir/; guarded/ needs the token.
  std::set<FileId> open_files;
  Collect(w + "/private", &g_excluded);
  Collect(w + "/private/open", &open_files);
  for (const FileId& id : open_files) g_excluded.erase(id);
  AddFile(w + "/pub/excluded.txt", &g_excluded);
  Collect(w + "/pub/secret-dir", &g_excluded);
  Collect(w + "/guarded", &g_guarded);

  auto entry = [](const char* key, const std::string& dir) {
    StaticPathEntry e;
    e.path = NormalizeStaticKey(key);  // as static_from_js.cc does
    e.dir = dir;
    e.excluded = dir.empty();
    return e;
  };
  g_config.entries.push_back(entry("/", w));
  g_config.entries.push_back(entry("/private", ""));
  g_config.entries.push_back(entry("/private/open/", w + "/private/open"));
  StaticPathEntry guarded = entry("/guarded", w + "/guarded");
  guarded.validation = {{"x-token", "let-me-in"}};
  g_config.entries.push_back(guarded);
  g_config.entries.push_back(entry("/pub/excluded.txt", ""));
  g_config.entries.push_back(entry("//pub/./secret-dir/", ""));
  g_config.entries.push_back(entry("/files/", g_tmp + "/files"));
  StaticPathEntry ft = entry("/privatefoo", w + "/privatefoo");
  ft.fallthrough = true;
  g_config.entries.push_back(ft);
  g_config_dirs = g_config;  // copies start with empty root memos
  for (StaticPathEntry& e : g_config_dirs.entries) {
    e.redirect_directories = true;
    e.directory_listing = true;
    e.spa_fallback = true;
    e.indexhtml = false;
  }
}

std::string BuildTarget(const uint8_t* data, size_t size) {
  std::string t;
  for (size_t i = 0; i < size; i++) {
    const uint8_t b = data[i];
    std::string piece = kPieces[(b & 0x3f) % kPieceCount];
    uint8_t mask = 0;
    if ((b & 0x80) && i + 1 < size) mask = data[++i];
    if (b & 0x40) mask = 0xff;
    int letter = 0;
    for (char& c : piece) {
      const bool lower = c >= 'a' && c <= 'z';
      const bool upper = c >= 'A' && c <= 'Z';
      if (!lower && !upper) continue;
      if (letter < 8 && (mask >> letter) & 1) c = static_cast<char>(lower ? c - 32 : c + 32);
      letter++;
    }
    t += piece;
  }
  return t;
}

StaticResult Serve(const StaticConfig& config, const std::string& target, const char* method,
                   const StaticHeaders& headers) {
  StaticRequest req;
  req.method = method;
  req.target = target;
  req.headers = &headers;
  return httpuv::statics::ServeStatic(config, req);
}

const std::string* FindHeader(const StaticResult& r, const char* name) {
  for (const auto& h : r.headers) {
    if (strcasecmp(h.first.c_str(), name) == 0) return &h.second;
  }
  return nullptr;
}

bool IsListing(const StaticResult& r) {
  return r.kind == StaticResult::Kind::kRespond && r.status == 200 && r.fd < 0 &&
         r.body.compare(0, 15, "<!DOCTYPE html>") == 0;
}

// Aborts when `fd` is a protected file for this request.
void CheckFd(int fd, bool token_ok, const std::string& target, uint8_t flags) {
  struct stat st;
  FUZZ_CHECK(fstat(fd, &st) == 0, "returned fd is not open");
  const FileId id{st.st_dev, st.st_ino};
  if (g_excluded.count(id) != 0 || (!token_ok && g_guarded.count(id) != 0)) {
    fprintf(stderr, "FINDING: target=\"%s\" flags=0x%02x reached a protected file (ino %lu)\n",
            target.c_str(), flags, static_cast<unsigned long>(st.st_ino));
    abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  BuildTree();
  g_has_openat2 = httpuv::statics::SetOpenat2ForTesting(true);
  httpuv::statics::SetOpenat2ForTesting(g_has_openat2);
  g_free_fd = fuzz_tree::NextFreeFd();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t flags = data[0];
  std::string target = (flags & 0x20)
                           ? std::string(reinterpret_cast<const char*>(data + 1), size - 1)
                           : BuildTarget(data + 1, size - 1);
  if (target.empty() || target.size() > 4096) return 0;
  if (target[0] != '/' && target[0] != 'h' && target[0] != 'H') target.insert(0, "/");

  StaticHeaders headers;
  const int token = flags & 3;
  if (token == 1 || token == 3) headers.emplace_back("X-Token", "let-me-in");
  if (token == 2) headers.emplace_back("x-token", "let-me-out");
  if (token == 3) headers.emplace_back("X-TOKEN", "let-me-in");
  static const char* kEncodings[] = {nullptr, "gzip, br", "br", "gzip"};
  if (const char* enc = kEncodings[(flags >> 2) & 3]) headers.emplace_back("Accept-Encoding", enc);
  const bool token_ok = token == 1;

  httpuv::statics::SetOpenat2ForTesting((flags & 0x10) == 0 && g_has_openat2);
  const bool dirs = (flags & 0x40) != 0;
  const StaticConfig& config = dirs ? g_config_dirs : g_config;
  StaticResult get = Serve(config, target, "GET", headers);
  StaticResult head = Serve(config, target, "HEAD", headers);

  FUZZ_CHECK(get.kind == head.kind, "HEAD and GET decide differently (static or not)");
  FUZZ_CHECK(head.fd < 0, "fd returned for HEAD");
  if (get.kind == StaticResult::Kind::kRespond) {
    const int s = get.status;
    FUZZ_CHECK(s == 200 || s == 400 || s == 403 || s == 404 || s == 500 || (dirs && s == 301),
               "unexpected status");
    FUZZ_CHECK(head.status == s, "HEAD and GET statuses differ");
    FUZZ_CHECK((s == 200) == (get.fd >= 0 || (dirs && IsListing(get))),
               "200 without an fd (or a listing) or an fd without 200");
    if (s == 301) {
      const std::string* loc = FindHeader(get, "Location");
      FUZZ_CHECK(loc != nullptr && loc->size() >= 2 && (*loc)[0] == '/' && (*loc)[1] != '/',
                 "a Location that is not one path on this host");
      for (char c : *loc) {
        FUZZ_CHECK(c > 0x20 && c < 0x7f && c != '\\', "a Location byte outside visible ASCII, or a backslash");
      }
    }
    if (dirs && IsListing(get)) {
      // Every listed link, served with the same headers, is something the rules let through.
      size_t at = 0;
      while ((at = get.body.find("<a href=\"", at)) != std::string::npos) {
        at += 9;
        const size_t end = get.body.find('"', at);
        FUZZ_CHECK(end != std::string::npos, "an unterminated href");
        const std::string href = get.body.substr(at, end - at);
        FUZZ_CHECK(!href.empty() && href[0] == '/' && (href.size() == 1 || href[1] != '/'), "an href that leaves the site");
        StaticResult linked = Serve(config, href, "GET", headers);
        FUZZ_CHECK(linked.kind == StaticResult::Kind::kRespond &&
                       linked.status == 200,
                   "a listed link that the rules refuse (or that the app answers)");
        if (linked.fd >= 0) {
          CheckFd(linked.fd, token_ok, href, flags);
          close(linked.fd);
        }
      }
    }
  } else {
    FUZZ_CHECK(get.fd < 0, "fd returned with kNotStatic");
  }
  if (get.fd >= 0) {
    CheckFd(get.fd, token_ok, target, flags);
    close(get.fd);
  }
  if (fuzz_tree::NextFreeFd() != g_free_fd) {
    if (fuzz_tree::LeakedTreeFd()) {
      fprintf(stderr, "fd leak after target=%s\n", target.c_str());
      abort();
    }
    g_free_fd = fuzz_tree::NextFreeFd();
  }
  return 0;
}
