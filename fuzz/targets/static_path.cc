// libFuzzer harness for the static-file engine (src-native/static/static_files.cc and
// static_resolve.cc) against a fixed temporary tree with symlinks that stay inside the root,
// leave it, point at a sibling "www-secret", loop, or name dotfiles. Built with ASan + UBSan by fuzz/build.sh.
//
// Input: byte 0 = flags (bit 0: force the O_NOFOLLOW fallback instead of openat2; bits 1-2:
// method), then the request-target up to the first '\n', then "Name: value" header lines.
// Invariants (no file outside the root ever reaches a client):
//  - an fd is returned only for a regular file that physically lives under the root (its
//    device/inode is one of the tree's regular files under www/, or the single-file entry);
//  - the range to send lies inside the file; a generated body never holds the secret marker;
//  - no fd is leaked (the next free descriptor is the same after every call);
//  - statuses stay in the set the engine documents.
#include <dirent.h>
#include <fcntl.h>
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

using httpuv::statics::StaticConfig;
using httpuv::statics::StaticHeaders;
using httpuv::statics::StaticPathEntry;
using httpuv::statics::StaticRequest;
using httpuv::statics::StaticResult;

using fuzz_tree::Link;
using fuzz_tree::Write;

std::string g_tmp;
StaticConfig g_config;
std::set<fuzz_tree::FileId> g_allowed;
int g_free_fd = -1;
bool g_has_openat2 = false;

void BuildTree() {
  g_tmp = fuzz_tree::MakeRoot("httpuv-fuzz-static");
  const std::string t = g_tmp;
  for (const char* d : {"/www", "/www/sub", "/www/sub/deeper", "/www/noindex", "/www/.well-known",
                        "/www/.git", "/outside", "/www-secret"}) {
    mkdir((t + d).c_str(), 0755);
  }
  const std::string secret = "SECRET-MARKER\n";
  Write(t + "/www/index.html", "<html>root index</html>\n");
  Write(t + "/www/data.txt", "0123456789abcdefghij");
  Write(t + "/www/sub/index.html", "<html>sub</html>\n");
  Write(t + "/www/sub/a.txt", "a\n");
  Write(t + "/www/sub/deeper/b.txt", "b\n");
  Write(t + "/www/noindex/c.txt", "c\n");
  Write(t + "/www/.hidden", "hidden\n");
  Write(t + "/www/.well-known/acme.txt", "acme\n");
  Write(t + "/www/.git/config", "[core]\n");
  Write(t + "/www/caf\xc3\xa9.txt", "cafe\n");
  Write(t + "/www/file with space.txt", "space\n");
  Write(t + "/www/do..ts.txt", "dots\n");
  Write(t + "/www/app.js", "console.log(1);\n");
  Write(t + "/www/app.js.gz", "GZ");
  Write(t + "/www/app.js.br", "BR");
  Write(t + "/www/empty.txt", "");
  Write(t + "/www/evil.txt", "evil\n");
  Write(t + "/secret.txt", secret);
  Write(t + "/outside/secret.txt", secret);
  Write(t + "/outside/index.html", secret);
  Write(t + "/www-secret/secret.txt", secret);
  Write(t + "/single.txt", "single file\n");
  Link("index.html", t + "/www/link-in");
  Link("sub", t + "/www/link-dir");
  Link("../outside", t + "/www/link-out");
  Link("../outside/secret.txt", t + "/www/link-file");
  Link("../www-secret/secret.txt", t + "/www/link-sibling");
  Link("../www-secret", t + "/www/link-sibdir");
  Link(".hidden", t + "/www/link-dot");
  Link("../outside/secret.txt", t + "/www/evil.txt.gz");
  Link("../outside/secret.txt", t + "/www/evil.txt.br");
  Link("loop", t + "/www/loop");
  Link("/etc/passwd", t + "/www/abs-link");
  Link("../../outside", t + "/www/sub/up-out");
  mkfifo((t + "/www/fifo").c_str(), 0644);

  fuzz_tree::Collect(t + "/www", &g_allowed);
  struct stat st;
  if (stat((t + "/single.txt").c_str(), &st) == 0) g_allowed.insert({st.st_dev, st.st_ino});

  auto entry = [&](const char* path, const std::string& dir) {
    StaticPathEntry e;
    e.path = path;
    e.dir = dir;
    return e;
  };
  g_config.entries.push_back(entry("/", t + "/www"));
  StaticPathEntry ft = entry("/ft", t + "/www");
  ft.fallthrough = true;
  g_config.entries.push_back(ft);
  StaticPathEntry noidx = entry("/noidx", t + "/www");
  noidx.indexhtml = false;
  noidx.html_charset = "";
  noidx.headers = {{"Cache-Control", "no-store"}, {"ETag", "\"fixed\""}};
  g_config.entries.push_back(noidx);
  g_config.entries.push_back(entry("/one", t + "/single.txt"));
  g_config.entries.push_back(entry("/sub-root", t + "/www/sub"));
  StaticPathEntry ex = entry("/ex", t + "/www");
  ex.excluded = true;
  g_config.entries.push_back(ex);
  StaticPathEntry val = entry("/v", t + "/www");
  val.validation = {{"X-Token", "abc"}};
  g_config.entries.push_back(val);
  g_config.entries.push_back(entry("/missing", t + "/does-not-exist"));
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
  static const char* kMethods[] = {"GET", "HEAD", "POST", "OPTIONS"};
  std::string rest(reinterpret_cast<const char*>(data + 1), size - 1);
  size_t nl = rest.find('\n');
  std::string target = rest.substr(0, nl);
  StaticHeaders headers;
  while (nl != std::string::npos) {
    size_t start = nl + 1;
    nl = rest.find('\n', start);
    std::string line = rest.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    size_t v = colon + 1;
    while (v < line.size() && line[v] == ' ') v++;
    headers.emplace_back(line.substr(0, colon), line.substr(v));
  }

  httpuv::statics::SetOpenat2ForTesting((flags & 1) == 0 && g_has_openat2);
  StaticRequest req;
  req.method = kMethods[(flags >> 1) & 3];
  req.target = target;
  req.headers = &headers;
  StaticResult r = httpuv::statics::ServeStatic(g_config, req);

  if (r.kind == StaticResult::Kind::kNotStatic) {
    FUZZ_CHECK(r.fd < 0, "fd returned with kNotStatic");
  } else {
    int s = r.status;
    FUZZ_CHECK(s == 200 || s == 206 || s == 304 || s == 400 || s == 403 || s == 404 ||
                   s == 405 || s == 412 || s == 416 || s == 500,
               "unexpected status");
    FUZZ_CHECK(r.body.find("SECRET-MARKER") == std::string::npos, "secret in a generated body");
    if (r.fd >= 0) {
      struct stat st;
      FUZZ_CHECK(fstat(r.fd, &st) == 0, "returned fd is not open");
      FUZZ_CHECK(S_ISREG(st.st_mode), "returned fd is not a regular file");
      if (g_allowed.count({st.st_dev, st.st_ino}) == 0) {
        fprintf(stderr, "fd for a file outside the root: target=%s dev=%lu ino=%lu\n",
                target.c_str(), static_cast<unsigned long>(st.st_dev),
                static_cast<unsigned long>(st.st_ino));
        abort();
      }
      FUZZ_CHECK(r.offset + r.length <= static_cast<uint64_t>(st.st_size),
                 "range past the end of the file");
      FUZZ_CHECK(r.offset <= r.offset + r.length, "range overflows");
      FUZZ_CHECK(!r.head_only, "fd returned for HEAD");
      close(r.fd);
    } else if (!r.head_only) {
      FUZZ_CHECK(r.length == r.body.size(), "Content-Length differs from the generated body");
    }
  }
  if (fuzz_tree::NextFreeFd() != g_free_fd) {
    // Something new is open. libFuzzer itself opens pipes to llvm-symbolizer when it prints
    // NEW_FUNC lines, so only a descriptor into our tree counts as a leak.
    if (fuzz_tree::LeakedTreeFd()) {
      fprintf(stderr, "fd leak after target=%s\n", target.c_str());
      abort();
    }
    g_free_fd = fuzz_tree::NextFreeFd();
  }
  return 0;
}
