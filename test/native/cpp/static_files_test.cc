// Standalone test driver for the static-file engine: ServeStatic against the fixture tree that
// scripts/test-static-pure.sh creates and passes as argv[1] (built under ASan/UBSan), plus main(),
// which also runs the helper tests of static_helpers_test.cc. Exits non-zero on any failure.
// One extra thread (the symlink swap race); no napi.h, no uv.h.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "http/static_files.h"
#include "http/static_negotiation.h"
#include "http/static_resolve.h"
#include "native/cpp/check.h"

using namespace httpuv::http;  // NOLINT(build/namespaces): test file

int g_checks = 0;
int g_failures = 0;

namespace {

std::string g_tree;  // fixture root (argv[1])
std::string Www() { return g_tree + "/www"; }

StaticPathEntry Entry(std::string path, std::string dir) {
  StaticPathEntry e;
  e.path = std::move(path);
  e.dir = std::move(dir);
  return e;
}

StaticConfig Config(std::vector<StaticPathEntry> entries) {
  StaticConfig c;
  c.entries = std::move(entries);
  return c;
}

// One decision plus the bytes the connection would send for it.
struct Res {
  StaticResult r;
  std::string data;
  bool had_fd = false;
  bool NotStatic() const { return r.kind == StaticResult::Kind::kNotStatic; }
  int status() const { return NotStatic() ? -1 : r.status; }
  const std::string* H(std::string_view name) const {
    for (const auto& h : r.headers) {
      if (EqualsIgnoreCase(h.first, name)) return &h.second;
    }
    return nullptr;
  }
  std::string Hs(std::string_view name) const {
    const std::string* v = H(name);
    return v ? *v : "<absent>";
  }
  int Count(std::string_view name) const {
    int n = 0;
    for (const auto& h : r.headers) n += EqualsIgnoreCase(h.first, name) ? 1 : 0;
    return n;
  }
};

Res Run(const StaticConfig& config, const std::string& target, const StaticHeaders& headers = {},
        const std::string& method = "GET") {
  StaticRequest req;
  req.method = method;
  req.target = target;
  req.headers = &headers;
  Res out;
  out.r = ServeStatic(config, req);
  if (out.r.fd >= 0) {
    out.had_fd = true;
    // The fd handed to the connection is a regular file (its O_NONBLOCK is then inert).
    struct stat fst;
    CHECK_EQ(fstat(out.r.fd, &fst), 0);
    CHECK(S_ISREG(fst.st_mode));
    out.data.resize(out.r.length);
    ssize_t n = pread(out.r.fd, &out.data[0], out.r.length, static_cast<off_t>(out.r.offset));
    CHECK_EQ(static_cast<uint64_t>(n), out.r.length);
    close(out.r.fd);
    out.r.fd = -1;
  } else if (!out.r.head_only) {
    out.data = out.r.body;
    CHECK_EQ(out.r.length, static_cast<uint64_t>(out.r.body.size()));
  }
  if (out.data.find("SECRET") != std::string::npos) {
    ++g_failures;
    std::cerr << "LEAK: " << target << " returned secret bytes\n";
  }
  return out;
}

int CountOpenFds() {
  DIR* d = opendir("/proc/self/fd");
  if (d == nullptr) return -1;
  int n = 0;
  while (readdir(d) != nullptr) n++;
  closedir(d);
  return n;
}

StaticConfig RootConfig() { return Config({Entry("/", Www())}); }

int64_t MtimeOf(const std::string& path) {
  struct stat st;
  stat(path.c_str(), &st);
  return st.st_mtime;
}

// ---- matching, options, methods -----------------------------------------------------------------

void TestBasicServing() {
  StaticPathEntry root = Entry("/", Www());
  root.headers = {{"Test-Code-Path", "C++"}};
  StaticConfig c = Config({root, Entry("/1", Www())});

  Res r = Run(c, "/");
  CHECK_EQ(r.status(), 200);
  CHECK_EQ(r.data, std::string("<html>root index</html>\n"));
  CHECK_EQ(r.Hs("Content-Type"), std::string("text/html; charset=utf-8"));
  CHECK_EQ(r.Hs("Test-Code-Path"), std::string("C++"));
  CHECK_EQ(r.Hs("Accept-Ranges"), std::string("bytes"));
  CHECK(r.H("ETag") != nullptr && r.H("ETag")->front() == '"' && r.H("ETag")->back() == '"');
  {
    // The ETag layout: "<mtime hex>.<nsec hex>-<size hex>-<%08x of the (dev, ino) hash>".
    struct stat st;
    CHECK_EQ(stat((Www() + "/data.txt").c_str(), &st), 0);
    char prefix[96];
    snprintf(prefix, sizeof(prefix), "\"%llx.%llx-%llx-", static_cast<unsigned long long>(st.st_mtime),
             static_cast<unsigned long long>(st.st_mtim.tv_nsec),
             static_cast<unsigned long long>(st.st_size));
    std::string tag = Run(c, "/data.txt").Hs("ETag");
    CHECK_EQ(tag.substr(0, strlen(prefix)), std::string(prefix));
    CHECK_EQ(tag.size(), strlen(prefix) + 9);
    std::string gz = Run(c, "/app.js", {{"Accept-Encoding", "gzip"}}).Hs("ETag");
    CHECK(gz.size() > 8 && gz.compare(gz.size() - 6, 6, "-gzip\"") == 0);
  }
  CHECK(r.H("Last-Modified") != nullptr);
  CHECK(r.H("Vary") == nullptr && r.H("Content-Encoding") == nullptr);
  CHECK(r.H("Date") == nullptr && r.H("Content-Length") == nullptr);
  CHECK(r.had_fd);
  for (const char* t : {"/1", "/1/", "/1/index.html", "/index.html"}) {
    CHECK_EQ(Run(c, t).data, r.data);
  }
  // A directory without its trailing slash serves its index directly (no redirect).
  CHECK_EQ(Run(c, "/sub").data, std::string("<html>sub index</html>\n"));
  CHECK_EQ(Run(c, "/sub/").data, std::string("<html>sub index</html>\n"));

  r = Run(c, "/data.txt");
  CHECK_EQ(r.status(), 200);
  CHECK_EQ(r.Hs("Content-Type"), std::string("text/plain"));  // only text/html gets a charset
  CHECK_EQ(r.Hs("Last-Modified"), std::string("Mon, 03 Feb 2020 04:05:06 GMT"));
  CHECK_EQ(r.r.length, 20u);
  CHECK_EQ(Run(c, "/page.HTML").Hs("Content-Type"), std::string("text/html; charset=utf-8"));
  CHECK_EQ(Run(c, "/noext").Hs("Content-Type"), std::string("application/octet-stream"));
  CHECK_EQ(Run(c, "/app.js").Hs("Content-Type"), std::string("text/javascript"));
  CHECK_EQ(Run(c, "/file%20with%20space.txt").data, std::string("This is file content.\n"));
  CHECK_EQ(Run(c, "/do..ts.txt").status(), 200);
  CHECK_EQ(Run(c, "/empty.txt").r.length, 0u);

  r = Run(c, "/foo");
  CHECK_EQ(r.status(), 404);
  CHECK_EQ(r.data, std::string("404 Not Found\n"));
  CHECK_EQ(r.r.length, 14u);
  CHECK(r.r.headers.empty());  // error responses carry no configured headers, no Content-Type
  CHECK_EQ(Run(c, "/foo/bar").status(), 404);
  CHECK_EQ(Run(c, "/noindex").status(), 404);  // directory without index.html
  CHECK_EQ(Run(c, "/fifo").status(), 404);     // and the open did not block
  if (geteuid() != 0) CHECK_EQ(Run(c, "/unreadable.txt").status(), 403);
  // Query strings are ignored; absolute-form uses its path.
  CHECK_EQ(Run(c, "/data.txt?x=../../secret.txt").status(), 200);
  CHECK_EQ(Run(c, "http://127.0.0.1:8080/data.txt?q=1").data,
           std::string("0123456789abcdefghij"));
  CHECK_EQ(Run(c, "http://127.0.0.1").data, std::string("<html>root index</html>\n"));
  CHECK(Run(c, "*", {}, "OPTIONS").NotStatic());
  CHECK(Run(c, "127.0.0.1:443", {}, "CONNECT").NotStatic());
}

void TestMatching() {
  // Longest path wins; options never inherit from a parent path.
  StaticPathEntry a = Entry("/a", Www());
  a.indexhtml = false;
  StaticConfig c = Config({Entry("/a/b", Www()), a, Entry("/", Www()), Entry("/a/b/c", Www())});
  CHECK_EQ(Run(c, "/").status(), 200);
  CHECK_EQ(Run(c, "/a/").status(), 404);
  CHECK_EQ(Run(c, "/a").status(), 404);
  CHECK_EQ(Run(c, "/a/b").status(), 200);
  CHECK_EQ(Run(c, "/a/b/c").status(), 200);
  CHECK_EQ(Run(c, "/a/index.html").status(), 200);

  // Whole segments only, case-sensitive; unmatched → the app.
  StaticConfig s = Config({Entry("/static", Www())});
  CHECK_EQ(Run(s, "/static").status(), 200);
  CHECK_EQ(Run(s, "/static/data.txt").status(), 200);
  CHECK(Run(s, "/staticx").NotStatic());
  CHECK(Run(s, "/STATIC/data.txt").NotStatic());
  CHECK(Run(s, "/").NotStatic());
  CHECK_EQ(Run(s, "/static//sub//a.txt").data, std::string("a\n"));  // "//" tolerated

  // Excluded subpaths go to the app; longer static paths under them serve again.
  StaticPathEntry ex = Entry("/sub", Www());
  ex.excluded = true;
  StaticPathEntry file_ex = Entry("/data.txt", "");
  file_ex.excluded = true;
  StaticConfig e = Config({Entry("/", Www()), ex, file_ex, Entry("/sub/inner", Www())});
  CHECK(Run(e, "/sub").NotStatic());
  CHECK(Run(e, "/sub/index.html").NotStatic());
  CHECK(Run(e, "/sub/../secret.txt").NotStatic());  // excluded: no checks at all
  CHECK(Run(e, "/data.txt").NotStatic());
  CHECK_EQ(Run(e, "/sub/inner/data.txt").status(), 200);
  CHECK_EQ(Run(e, "/subx").status(), 404);
  CHECK_EQ(Run(e, "/index.html").status(), 200);

  // Duplicate keys: the first wins.
  StaticPathEntry first = Entry("/d", Www());
  first.headers = {{"X-Which", "first"}};
  StaticPathEntry second = Entry("/d", Www());
  second.headers = {{"X-Which", "second"}};
  CHECK_EQ(Run(Config({first, second}), "/d").Hs("X-Which"), std::string("first"));

  // A single-file entry serves that file at exactly its path.
  StaticConfig one = Config({Entry("/one", g_tree + "/single.txt")});
  Res r = Run(one, "/one");
  CHECK_EQ(r.data, std::string("single file\n"));
  CHECK_EQ(r.Hs("Content-Type"), std::string("text/plain"));
  CHECK_EQ(Run(one, "/one/").status(), 404);
  CHECK_EQ(Run(one, "/one/x").status(), 404);
  // A root that does not exist is a missing file.
  CHECK_EQ(Run(Config({Entry("/", g_tree + "/nope")}), "/").status(), 404);
}

void TestOptions() {
  StaticPathEntry ft = Entry("/", Www());
  ft.indexhtml = false;
  ft.fallthrough = true;
  StaticConfig c = Config({ft});
  CHECK(Run(c, "/").NotStatic());            // directory, no index → the app
  CHECK(Run(c, "/missing.txt").NotStatic());
  CHECK(Run(c, "/..").NotStatic());          // bad path → the app when fallthrough
  CHECK(Run(c, "/sub\\a.txt").NotStatic());
  CHECK(Run(c, "/.hidden").NotStatic());
  CHECK_EQ(Run(c, "/index.html").status(), 200);
  CHECK_EQ(Run(c, "/x", {}, "POST").status(), 405);  // method before fallthrough

  StaticPathEntry cs = Entry("/", Www());
  cs.html_charset = "ISO-8859-1";
  CHECK_EQ(Run(Config({cs}), "/").Hs("Content-Type"), std::string("text/html; charset=ISO-8859-1"));
  cs.html_charset = "";
  CHECK_EQ(Run(Config({cs}), "/").Hs("Content-Type"), std::string("text/html"));

  // Configured headers replace the generated ones of the same name, never duplicate them.
  StaticPathEntry h = Entry("/", Www());
  h.headers = {{"content-type", "text/x-custom"}, {"ETag", "abc"}, {"Cache-Control", "max-age=1"}};
  Res r = Run(Config({h}), "/data.txt");
  CHECK_EQ(r.Count("Content-Type"), 1);
  CHECK_EQ(r.Hs("Content-Type"), std::string("text/x-custom"));
  CHECK_EQ(r.Count("ETag"), 1);
  CHECK_EQ(r.Hs("ETag"), std::string("abc"));
}

void TestValidation() {
  StaticPathEntry v = Entry("/", Www());
  v.validation = {{"Test-Validation", "aaa"}};
  v.headers = {{"Test-Code-Path", "C++"}};
  StaticPathEntry ft = Entry("/fallthrough", Www());
  ft.validation = v.validation;
  ft.fallthrough = true;
  StaticConfig c = Config({v, ft, Entry("/unset", Www())});
  Res r = Run(c, "/");
  CHECK_EQ(r.status(), 403);
  CHECK_EQ(r.data, std::string("403 Forbidden\n"));
  CHECK(r.H("Test-Code-Path") == nullptr);
  r = Run(c, "/", {{"tesT-ValidatioN", "aaa"}});
  CHECK_EQ(r.status(), 200);
  CHECK_EQ(r.Hs("Test-Code-Path"), std::string("C++"));
  CHECK_EQ(Run(c, "/", {{"Test-Validation", "AAA"}}).status(), 403);
  CHECK_EQ(Run(c, "/", {{"Test-Validation", "aa"}}).status(), 403);
  CHECK_EQ(Run(c, "/", {{"Test-Validation", "aaa"}, {"Test-Validation", "aaa"}}).status(), 403);
  CHECK_EQ(Run(c, "/unset").status(), 200);
  CHECK_EQ(Run(c, "/fallthrough/missingfile").status(), 403);  // validation precedes fallthrough
  CHECK(Run(c, "/fallthrough/missingfile", {{"test-validation", "aaa"}}).NotStatic());
  CHECK_EQ(Run(c, "/", {}, "POST").status(), 403);  // validation precedes the method check
}

void TestMethodsAndBodies() {
  StaticConfig c = RootConfig();
  for (const char* m : {"POST", "PUT", "OPTIONS", "DELETE", "get"}) {
    Res r = Run(c, "/index.html", {}, m);
    CHECK_EQ(r.status(), 405);
    CHECK_EQ(r.Hs("Allow"), std::string("GET, HEAD"));
  }
  Res get = Run(c, "/data.txt");
  Res head = Run(c, "/data.txt", {}, "HEAD");
  CHECK_EQ(head.status(), 200);
  CHECK(head.r.head_only && !head.had_fd && head.r.fd == -1);
  CHECK_EQ(head.r.length, 20u);
  CHECK(head.r.headers == get.r.headers);
  Res head404 = Run(c, "/nope", {}, "HEAD");
  CHECK(head404.r.head_only && head404.r.length == 14u && head404.data.empty());

  Res r = Run(c, "/index.html", {{"Content-Length", "5"}});
  CHECK_EQ(r.status(), 400);
  CHECK(r.r.close_connection);
  CHECK_EQ(Run(c, "/index.html", {{"Transfer-Encoding", "chunked"}}).status(), 400);
  r = Run(c, "/index.html", {{"Content-Length", "0"}, {"Upgrade", "h2c"}});
  CHECK_EQ(r.status(), 200);
  CHECK(!r.r.close_connection);
  CHECK(Run(c, "/index.html", {{"Upgrade", "WebSocket"}, {"Connection", "Upgrade"}}).NotStatic());
  CHECK(Run(c, "/index.html", {{"Upgrade", "foo, websocket"}}).NotStatic());
}

// ---- path safety: reliability-plan §4.2 corpus and httpuv's tests ------------------------------

void TestCorpus() {
  StaticConfig c = RootConfig();
  struct Row {
    const char* id;
    std::string target;
    int status;
  };
  const std::vector<Row> rows = {
      {"S01", "/../secret.txt", 400},
      {"S02", "/sub/../../secret.txt", 400},
      {"S03", "/%2e%2e/secret.txt", 400},
      {"S04", "/..%2fsecret.txt", 400},
      {"S05", "/%2e%2e%2fsecret.txt", 400},
      {"S06", "/..%5csecret.txt", 400},
      {"S07", "/..\\secret.txt", 400},
      {"S08", "/%252e%252e/secret.txt", 404},
      {"S09", "/index.html%00.txt", 400},
      {"S10", "/%c0%ae%c0%ae/secret.txt", 400},
      {"S11", "/..%c0%afsecret.txt", 400},
      {"S12", "/link-out/secret.txt", 404},
      {"S13", "/link-file", 404},
      {"S14", "/link-in", 200},
      {"S15", "/.hidden", 404},
      {"S16", "//etc/passwd", 404},
      {"S17", "/./index.html", 200},
      {"S18", "/sub/./../index.html", 400},
      {"S19", "/%2fetc%2fpasswd", 404},
      {"S20", "/index.html/", 404},
      {"S21", "/sub", 200},
      {"S22", "/%ZZ", 400},
      {"S23", "/sub/..", 400},
      {"S24", "/%2e/index.html", 200},
      {"S25", "/caf%C3%A9.txt", 200},
      {"S26", "/cafe%CC%81.txt", 404},
      {"S27", "/index.html?x=../../secret.txt", 200},
      {"S28", "/" + std::string(300, 'a'), 404},
      {"S29", "/" + [] { std::string s; for (int i = 0; i < 2500; i++) s += "a/"; return s; }(),
       404},
      {"S30", "http://127.0.0.1/../secret.txt", 400},
  };
  for (const Row& row : rows) {
    Res r = Run(c, row.target);
    if (r.status() != row.status) {
      ++g_failures;
      std::cerr << row.id << " " << row.target.substr(0, 60) << ": got " << r.status()
                << ", want " << row.status << "\n";
    }
    ++g_checks;
  }
  CHECK_EQ(Run(c, "/link-in").data, std::string("<html>root index</html>\n"));
  CHECK_EQ(Run(c, "/link-in").Hs("Content-Type"), std::string("application/octet-stream"));
  CHECK_EQ(Run(c, "/caf%C3%A9.txt").data, std::string("caf\xc3\xa9\n"));
}

void TestPathRules() {
  StaticConfig c = Config({Entry("/static", Www()), Entry("/secretroot", Www())});
  // httpuv "Paths with ..": a ".." segment is 400; "..foo"/"foo.." are names (404 when absent;
  // "..foo" is also a dotfile).
  for (const char* t : {"/static/..", "/static/../", "/static/../static", "/static/%2E%2E"}) {
    CHECK_EQ(Run(c, t).status(), 400);
  }
  for (const char* t : {"/static/..foo", "/static/foo..", "/static/foo../"}) {
    CHECK_EQ(Run(c, t).status(), 404);
  }
  // Backslash, raw or encoded, under a static path → 400 (httpuv sent these to the app). Where
  // the backslash keeps the path from matching any static path, the app gets it, as in httpuv.
  CHECK(Run(c, "/static\\index.html").NotStatic());
  CHECK(Run(c, "/static%5cindex.html").NotStatic());
  for (const char* t : {"/static/..\\index.html",
                        "/static/..%5cindex.html", "/static/sub\\index.html"}) {
    CHECK_EQ(Run(c, t).status(), 400);
  }
  CHECK_EQ(Run(c, "/static/%80").status(), 400);  // lone continuation byte
  CHECK_EQ(Run(c, "/static/%").status(), 400);
  CHECK_EQ(Run(c, "/static/%2").status(), 400);

  // Dotfiles: hidden, also through a symlink; .well-known is the one exception.
  CHECK_EQ(Run(c, "/static/.hidden").status(), 404);
  CHECK_EQ(Run(c, "/static/%2ehidden").status(), 404);
  CHECK_EQ(Run(c, "/static/.git/config").status(), 404);
  CHECK_EQ(Run(c, "/static/link-dot").status(), 404);
  CHECK_EQ(Run(c, "/static/.well-known/acme.txt").data, std::string("acme\n"));

  // Containment: symlinks that leave the root, including into a sibling whose name extends the
  // root's ("www-secret" vs "www").
  CHECK_EQ(Run(c, "/static/link-sibling").status(), 404);
  CHECK_EQ(Run(c, "/static/link-out").status(), 404);
  CHECK_EQ(Run(c, "/static/link-out/").status(), 404);
  // The configured root is resolved first (symlinks and ".." in it are the admin's choice).
  std::string via_link = g_tree + "/www/link-out/../www";  // realpath: <tree>/www
  CHECK_EQ(Run(Config({Entry("/", via_link)}), "/data.txt").status(), 200);
  CHECK_EQ(Run(Config({Entry("/", g_tree + "/www/")}), "/data.txt").status(), 200);
  CHECK_EQ(Run(Config({Entry("/", g_tree + "/www/sub/..")}), "/link-in").status(), 200);
  // Non-ASCII static path keys match the decoded URL.
  CHECK_EQ(Run(Config({Entry("/f\xc3\xbc", Www())}), "/f%C3%BC").status(), 200);
}

// ---- validators, ranges, precompressed siblings ------------------------------------------------

void TestConditionals() {
  StaticPathEntry e = Entry("/", Www());
  e.headers = {{"Cache-Control", "max-age=12345"}, {"Other", "xyz"}};
  StaticConfig c = Config({e});
  Res full = Run(c, "/data.txt");
  const std::string etag = full.Hs("ETag");
  const int64_t mtime = MtimeOf(Www() + "/data.txt");

  Res r = Run(c, "/data.txt", {{"If-None-Match", etag}});
  CHECK_EQ(r.status(), 304);
  CHECK(!r.had_fd && r.data.empty() && r.r.length == 0);
  CHECK_EQ(r.Hs("ETag"), etag);
  CHECK_EQ(r.Hs("Cache-Control"), std::string("max-age=12345"));
  CHECK(r.H("Other") == nullptr && r.H("Content-Type") == nullptr &&
        r.H("Last-Modified") == nullptr);
  CHECK_EQ(Run(c, "/data.txt", {{"If-None-Match", "\"zz\", " + etag}}).status(), 304);
  CHECK_EQ(Run(c, "/data.txt", {{"If-None-Match", "\"zz\""}, {"If-None-Match", etag}}).status(),
           304);
  CHECK_EQ(Run(c, "/data.txt", {{"If-None-Match", "*"}}).status(), 304);
  CHECK_EQ(Run(c, "/data.txt", {{"If-None-Match", "W/" + etag}}).status(), 304);
  CHECK_EQ(Run(c, "/data.txt", {{"If-None-Match", "\"zz\""}}).status(), 200);
  CHECK_EQ(Run(c, "/data.txt", {{"If-None-Match", etag}}, "HEAD").status(), 304);
  // ETags differ between files.
  CHECK(Run(c, "/index.html").Hs("ETag") != etag);

  // If-Modified-Since: whole seconds, ≤ → 304; ignored when If-None-Match is present.
  CHECK_EQ(Run(c, "/data.txt", {{"If-Modified-Since", FormatHttpDate(mtime)}}).status(), 304);
  CHECK_EQ(Run(c, "/data.txt", {{"If-Modified-Since", FormatHttpDate(mtime + 1)}}).status(), 304);
  r = Run(c, "/data.txt", {{"If-Modified-Since", FormatHttpDate(mtime - 1)}});
  CHECK_EQ(r.status(), 200);
  CHECK(r.r.headers == full.r.headers);
  CHECK_EQ(Run(c, "/data.txt", {{"If-Modified-Since", "Mon, 01 Jan 2038 12:00:00 GMT"}}).status(),
           304);
  CHECK_EQ(Run(c, "/data.txt", {{"If-Modified-Since", "Mon, 01 Jan 2038 12:100:00 GMT"}}).status(),
           200);
  CHECK_EQ(Run(c, "/data.txt", {{"If-None-Match", "\"zz\""},
                                {"If-Modified-Since", FormatHttpDate(mtime + 10)}})
               .status(),
           200);

  // If-Match / If-Unmodified-Since → 412.
  CHECK_EQ(Run(c, "/data.txt", {{"If-Match", "\"zz\""}}).status(), 412);
  CHECK_EQ(Run(c, "/data.txt", {{"If-Match", "W/" + etag}}).status(), 412);
  CHECK_EQ(Run(c, "/data.txt", {{"If-Match", etag}}).status(), 200);
  CHECK_EQ(Run(c, "/data.txt", {{"If-Match", "*"}}).status(), 200);
  CHECK_EQ(Run(c, "/data.txt", {{"If-Unmodified-Since", FormatHttpDate(mtime - 1)}}).status(), 412);
  CHECK_EQ(Run(c, "/data.txt", {{"If-Unmodified-Since", FormatHttpDate(mtime)}}).status(), 200);

  // A configured ETag is the validator (httpuv's test sets "ETag: abc").
  StaticPathEntry u = Entry("/", Www());
  u.headers = {{"ETag", "\"abc\""}};
  CHECK_EQ(Run(Config({u}), "/data.txt", {{"If-None-Match", "\"abc\""}}).status(), 304);
}

void TestRanges() {
  StaticConfig c = RootConfig();
  auto range = [&](const std::string& spec) { return Run(c, "/data.txt", {{"Range", spec}}); };
  Res r = range("bytes=0-0");
  CHECK_EQ(r.status(), 206);
  CHECK_EQ(r.data, std::string("0"));
  CHECK_EQ(r.Hs("Content-Range"), std::string("bytes 0-0/20"));
  r = range("bytes=-1");
  CHECK_EQ(r.status(), 206);
  CHECK_EQ(r.data, std::string("j"));
  CHECK_EQ(r.Hs("Content-Range"), std::string("bytes 19-19/20"));
  r = range("bytes=5-9");
  CHECK_EQ(r.data, std::string("56789"));
  CHECK_EQ(r.r.offset, 5u);
  CHECK_EQ(range("bytes=10-").data, std::string("abcdefghij"));
  CHECK_EQ(range("bytes=5-2").status(), 200);
  r = range("bytes=0-18446744073709551616");
  CHECK_EQ(r.status(), 206);
  CHECK_EQ(r.r.length, 20u);
  r = range("bytes=-0");
  CHECK_EQ(r.status(), 416);
  CHECK_EQ(r.Hs("Content-Range"), std::string("bytes */20"));
  CHECK(!r.had_fd);
  CHECK_EQ(range("bytes=20-").status(), 416);
  std::string bomb = "bytes=";
  for (int i = 0; i < 1000; i++) bomb += "0-0,";
  r = range(bomb);
  CHECK_EQ(r.status(), 200);
  CHECK_EQ(r.r.length, 20u);
  CHECK_EQ(range("bytes=0-1,3-4").status(), 200);
  CHECK_EQ(range("items=0-1").status(), 200);
  r = Run(c, "/empty.txt", {{"Range", "bytes=0-"}});
  CHECK_EQ(r.status(), 416);
  CHECK_EQ(r.Hs("Content-Range"), std::string("bytes */0"));
  CHECK_EQ(Run(c, "/data.txt", {{"Range", "bytes=0-0"}}, "HEAD").status(), 200);  // GET only
  CHECK_EQ(Run(c, "/data.txt", {{"Range", "bytes=0-0"}, {"Range", "bytes=1-1"}}).status(), 200);

  // If-Range: strong ETag or the exact Last-Modified date, else the whole file.
  const std::string etag = Run(c, "/data.txt").Hs("ETag");
  const int64_t mtime = MtimeOf(Www() + "/data.txt");
  auto if_range = [&](const std::string& v) {
    return Run(c, "/data.txt", {{"Range", "bytes=0-0"}, {"If-Range", v}}).status();
  };
  CHECK_EQ(if_range(etag), 206);
  CHECK_EQ(if_range("\"other\""), 200);
  CHECK_EQ(if_range("W/" + etag), 200);
  CHECK_EQ(if_range(FormatHttpDate(mtime)), 206);
  CHECK_EQ(if_range(FormatHttpDate(mtime - 1)), 200);
  CHECK_EQ(if_range("garbage"), 200);
  // 416 is decided after If-Range: a stale If-Range turns it into a 200.
  CHECK_EQ(Run(c, "/data.txt", {{"Range", "bytes=99-"}, {"If-Range", "\"other\""}}).status(), 200);
}

void TestPrecompressed() {
  StaticConfig c = RootConfig();
  auto get = [&](const std::string& ae) {
    return ae.empty() ? Run(c, "/app.js") : Run(c, "/app.js", {{"Accept-Encoding", ae}});
  };
  Res identity = get("");
  CHECK_EQ(identity.data, std::string("console.log(\"identity\");\n"));
  CHECK_EQ(identity.Hs("Vary"), std::string("Accept-Encoding"));  // siblings exist
  CHECK(identity.H("Content-Encoding") == nullptr);

  Res br = get("gzip, deflate, br");
  CHECK_EQ(br.data, std::string("BR-BYTES"));
  CHECK_EQ(br.Hs("Content-Encoding"), std::string("br"));
  CHECK_EQ(br.Hs("Vary"), std::string("Accept-Encoding"));
  CHECK_EQ(br.Hs("Content-Type"), std::string("text/javascript"));
  CHECK_EQ(br.r.length, 8u);
  Res gz = get("gzip");
  CHECK_EQ(gz.data, std::string("GZ-BYTES-OF-APP-JS"));
  CHECK_EQ(gz.Hs("Content-Encoding"), std::string("gzip"));
  CHECK_EQ(gz.Hs("Content-Type"), std::string("text/javascript"));
  CHECK(identity.Hs("ETag") != br.Hs("ETag") && br.Hs("ETag") != gz.Hs("ETag") &&
        identity.Hs("ETag") != gz.Hs("ETag"));
  CHECK(br.Hs("ETag").find("-br\"") != std::string::npos);

  CHECK_EQ(get("br;q=0.5, gzip").Hs("Content-Encoding"), std::string("gzip"));
  CHECK_EQ(get("x-gzip").Hs("Content-Encoding"), std::string("gzip"));
  CHECK_EQ(get("*").Hs("Content-Encoding"), std::string("br"));
  CHECK_EQ(get("*;q=0.5, br;q=0").Hs("Content-Encoding"), std::string("gzip"));
  CHECK(get("br;q=0").H("Content-Encoding") == nullptr);
  CHECK(get("identity;q=1, br;q=0.5").H("Content-Encoding") == nullptr);
  CHECK(get("deflate").H("Content-Encoding") == nullptr);
  // Sibling probes are skipped when they cannot change the answer; the answer must not change.
  CHECK_EQ(get("br;q=0.5, gzip;q=0.8").Hs("Content-Encoding"), std::string("gzip"));
  CHECK_EQ(get("br;q=0.8, gzip;q=0.8").Hs("Content-Encoding"), std::string("br"));
  CHECK_EQ(get("br;q=0.8, gzip;q=0.5").Hs("Content-Encoding"), std::string("br"));
  CHECK(get("identity;q=1, br;q=0.5, gzip;q=0.9").H("Content-Encoding") == nullptr);
  CHECK_EQ(get("identity;q=0.6, br;q=0.5, gzip;q=0.7").Hs("Content-Encoding"),
           std::string("gzip"));
  CHECK_EQ(get("br;q=0, gzip;q=0").Hs("Vary"), std::string("Accept-Encoding"));
  {
    Res css_gz = Run(c, "/style.css", {{"Accept-Encoding", "br;q=0.9, gzip;q=0.1"}});
    CHECK_EQ(css_gz.Hs("Content-Encoding"), std::string("gzip"));  // no .br: gzip's q is enough
    CHECK_EQ(css_gz.data, std::string("GZ-CSS"));
    CHECK(Run(c, "/style.css", {{"Accept-Encoding", "gzip;q=0"}}).H("Content-Encoding") ==
          nullptr);
    CHECK_EQ(Run(c, "/style.css").Hs("Vary"), std::string("Accept-Encoding"));
  }
  CHECK_EQ(Run(c, "/app.js", {{"Accept-Encoding", "gzip"}, {"Accept-Encoding", "br"}})
               .Hs("Content-Encoding"),
           std::string("br"));

  // Range and validators apply to the chosen representation.
  Res part = Run(c, "/app.js", {{"Accept-Encoding", "gzip"}, {"Range", "bytes=0-1"}});
  CHECK_EQ(part.status(), 206);
  CHECK_EQ(part.data, std::string("GZ"));
  CHECK_EQ(part.Hs("Content-Range"), std::string("bytes 0-1/18"));
  CHECK_EQ(Run(c, "/app.js", {{"Accept-Encoding", "gzip"}, {"If-None-Match", gz.Hs("ETag")}})
               .status(),
           304);
  Res n = Run(c, "/app.js", {{"Accept-Encoding", "gzip"}, {"If-None-Match", identity.Hs("ETag")}});
  CHECK_EQ(n.status(), 200);
  Res nm = Run(c, "/app.js", {{"Accept-Encoding", "br"}, {"If-None-Match", br.Hs("ETag")}});
  CHECK_EQ(nm.status(), 304);
  CHECK_EQ(nm.Hs("Vary"), std::string("Accept-Encoding"));
  CHECK(nm.H("Content-Encoding") == nullptr);

  // Only a .gz exists: br asked → identity, still Vary.
  Res css = Run(c, "/style.css", {{"Accept-Encoding", "br"}});
  CHECK_EQ(css.data, std::string("body{}\n"));
  CHECK_EQ(css.Hs("Vary"), std::string("Accept-Encoding"));
  CHECK(Run(c, "/data.txt", {{"Accept-Encoding", "gzip, br"}}).H("Vary") == nullptr);
  // A sibling that escapes the root is not a sibling.
  Res evil = Run(c, "/evil.txt", {{"Accept-Encoding", "gzip"}});
  CHECK_EQ(evil.data, std::string("evil\n"));
  CHECK(evil.H("Vary") == nullptr && evil.H("Content-Encoding") == nullptr);
  // HEAD negotiates too (same headers), without an fd.
  Res head = Run(c, "/app.js", {{"Accept-Encoding", "br"}}, "HEAD");
  CHECK(head.r.headers == br.r.headers && head.r.length == 8u && !head.had_fd);
}

void WriteFile(const std::string& path, const std::string& data) {
  FILE* f = fopen(path.c_str(), "w");
  if (f == nullptr) return;
  fputs(data.c_str(), f);
  fclose(f);
}

// An entry remembers its root (StaticRootMemo) but must answer as if it resolved the root afresh
// on every request: a root replaced, turned into a symlink, retargeted, or changed from a
// directory to a file (and back) is seen by the next request.
void TestRootMemo() {
  const std::string m = g_tree + "/memo";
  mkdir(m.c_str(), 0755);
  const std::string root = m + "/root";
  mkdir(root.c_str(), 0755);
  WriteFile(root + "/a.txt", "one\n");
  StaticConfig c = Config({Entry("/", root)});
  CHECK_EQ(Run(c, "/a.txt").data, std::string("one\n"));
  CHECK_EQ(Run(c, "/a.txt").data, std::string("one\n"));  // from the memo
  // Replaced by rename: the new directory is served.
  const std::string old = m + "/root.old";
  rename(root.c_str(), old.c_str());
  CHECK_EQ(Run(c, "/a.txt").status(), 404);
  mkdir(root.c_str(), 0755);
  WriteFile(root + "/a.txt", "two\n");
  CHECK_EQ(Run(c, "/a.txt").data, std::string("two\n"));
  // The root path becomes a symlink: followed, as realpath(dir) on each request would.
  unlink((root + "/a.txt").c_str());
  rmdir(root.c_str());
  CHECK_EQ(symlink("root.old", root.c_str()), 0);
  CHECK_EQ(Run(c, "/a.txt").data, std::string("one\n"));
  Res index_missing = Run(c, "/");
  CHECK_EQ(index_missing.status(), 404);
  // A configured dir that is not canonical is resolved per request: retargeting is seen.
  const std::string r2 = m + "/r2";
  mkdir(r2.c_str(), 0755);
  WriteFile(r2 + "/a.txt", "three\n");
  const std::string link = m + "/link";
  CHECK_EQ(symlink("root.old", link.c_str()), 0);
  StaticConfig l = Config({Entry("/", link)});
  CHECK_EQ(Run(l, "/a.txt").data, std::string("one\n"));
  unlink(link.c_str());
  CHECK_EQ(symlink("r2", link.c_str()), 0);
  CHECK_EQ(Run(l, "/a.txt").data, std::string("three\n"));
  // A symlink inside a memoized root still goes through the realpath check.
  CHECK_EQ(symlink("a.txt", (r2 + "/b.txt").c_str()), 0);
  CHECK_EQ(symlink("../root.old/a.txt", (r2 + "/out.txt").c_str()), 0);
  StaticConfig r2c = Config({Entry("/", r2)});
  CHECK_EQ(Run(r2c, "/b.txt").data, std::string("three\n"));
  CHECK_EQ(Run(r2c, "/out.txt").status(), 404);
  CHECK_EQ(Run(r2c, "/b.txt").Hs("Content-Type"), std::string("text/plain"));
  // A file entry whose file becomes a directory, and a directory root that becomes a file.
  const std::string f = m + "/f";
  WriteFile(f, "file\n");
  StaticConfig fc = Config({Entry("/f", f)});
  CHECK_EQ(Run(fc, "/f").data, std::string("file\n"));
  unlink(f.c_str());
  mkdir(f.c_str(), 0755);
  WriteFile(f + "/index.html", "<p>dir</p>\n");
  Res became_dir = Run(fc, "/f");
  CHECK_EQ(became_dir.data, std::string("<p>dir</p>\n"));
  CHECK_EQ(became_dir.Hs("Content-Type"), std::string("text/html; charset=utf-8"));
  unlink((f + "/index.html").c_str());
  rmdir(f.c_str());
  WriteFile(f, "file again\n");
  CHECK_EQ(Run(fc, "/f").data, std::string("file again\n"));
  CHECK_EQ(Run(fc, "/f").data, std::string("file again\n"));
  // Copies of an entry (and of a config) start without a memo and work on their own.
  StaticConfig copy = r2c;
  CHECK_EQ(Run(copy, "/a.txt").data, std::string("three\n"));
  // The filesystem root as a static root ("/" + rel, no "//").
  std::string under = g_tree.substr(1) + "/www/data.txt";
  if (!HasHiddenSegment(under)) {
    StaticConfig slash = Config({Entry("/", "/")});
    CHECK_EQ(Run(slash, "/" + under).data, std::string("0123456789abcdefghij"));
  }
  // Clean up for the repeat run without openat2.
  unlink((r2 + "/b.txt").c_str());
  unlink((r2 + "/out.txt").c_str());
  unlink((r2 + "/a.txt").c_str());
  rmdir(r2.c_str());
  unlink(link.c_str());
  unlink(root.c_str());
  unlink((old + "/a.txt").c_str());
  rmdir(old.c_str());
  unlink(f.c_str());
  rmdir(m.c_str());
}

// reliability-plan §8.8 #66: swap "race" between a regular file and a link to a secret outside
// the root while requests run; no response may ever carry the secret (Run() checks every body).
void TestSymlinkSwapRace() {
  const std::string dir = Www();
  const std::string race = dir + "/race.txt";
  FILE* f = fopen((dir + "/race.file").c_str(), "w");
  fputs("plain\n", f);
  fclose(f);
  std::atomic<bool> stop{false};
  std::thread swapper([&] {
    int i = 0;
    while (!stop.load()) {
      const std::string tmp = dir + "/race.tmp";
      unlink(tmp.c_str());
      if (i++ % 2 == 0) {
        (void)!symlink((g_tree + "/outside/secret.txt").c_str(), tmp.c_str());
      } else {
        (void)!link((dir + "/race.file").c_str(), tmp.c_str());
      }
      rename(tmp.c_str(), race.c_str());
    }
  });
  StaticConfig c = RootConfig();
  int served = 0, missing = 0;
  for (int i = 0; i < 5000; i++) {
    Res r = Run(c, "/race.txt");
    if (r.status() == 200) {
      CHECK_EQ(r.data, std::string("plain\n"));
      served++;
    } else {
      CHECK_EQ(r.status(), 404);
      missing++;
    }
  }
  stop.store(true);
  swapper.join();
  unlink(race.c_str());
  unlink((dir + "/race.file").c_str());
  std::cout << "swap race: " << served << " served, " << missing << " refused\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: static_files_test <fixture-tree>\n";
    return 2;
  }
  g_tree = argv[1];
  const int fds_before = CountOpenFds();
  TestNegotiation();
  TestMime();
  TestResolveHelpers();
  TestBasicServing();
  TestMatching();
  TestOptions();
  TestValidation();
  TestMethodsAndBodies();
  TestCorpus();
  TestPathRules();
  TestConditionals();
  TestRanges();
  TestPrecompressed();
  TestRootMemo();
  TestSymlinkSwapRace();
  // Again without openat2, through the realpath + O_NOFOLLOW fallback.
  if (SetOpenat2ForTesting(false)) {
    std::cout << "repeating file tests without openat2\n";
    TestBasicServing();
    TestCorpus();
    TestPathRules();
    TestPrecompressed();
    TestRootMemo();
    TestSymlinkSwapRace();
    SetOpenat2ForTesting(true);
  }
  const int fds_after = CountOpenFds();
  if (fds_before >= 0) CHECK_EQ(fds_after, fds_before);  // no fd leaked on any path
  std::cout << (g_failures == 0 ? "ok" : "FAILED") << ": " << g_checks << " checks, "
            << g_failures << " failures\n";
  return g_failures == 0 ? 0 : 1;
}
