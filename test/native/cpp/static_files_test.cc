// Standalone test driver for the static-file engine: ServeStatic against the fixture tree that
// scripts/test-static-pure.sh creates and passes as argv[1] (built under ASan/UBSan). This part
// holds matching, options, methods and path safety, plus main(), which also runs the tests of
// static_files_fs_test.cc and static_helpers_test.cc. Exits non-zero on any failure.
// One extra thread (the symlink swap race); no napi.h, no uv.h.
#include "native/cpp/static_test_support.h"

int g_checks = 0;
int g_failures = 0;

namespace {

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

// redirectDirectories, directoryListing, spaFallback (issue 18: the CLI's options).
bool HasHref(const Res& r, const std::string& href) {
  return r.data.find("href=\"" + href + "\"") != std::string::npos;
}

void TestDirectoryOptions() {
  StaticPathEntry rd = Entry("/", Www());
  rd.redirect_directories = true;
  StaticConfig c = Config({rd});
  Res x = Run(c, "/sub");
  CHECK_EQ(x.status(), 301);
  CHECK_EQ(x.Hs("Location"), std::string("/sub/"));
  CHECK_EQ(Run(c, "/sub?a=b&c=%20").Hs("Location"), std::string("/sub/?a=b&c=%20"));
  CHECK_EQ(Run(c, "/sub", {}, "HEAD").status(), 301);
  // Never a scheme-relative Location: the normalised path has one leading '/'.
  for (const char* t : {"//sub", "///sub", "/%2f/sub", "/%2F%2Fsub", "/./sub", "http://h//sub"}) {
    CHECK_EQ(Run(c, t).Hs("Location"), std::string("/sub/"));
  }
  CHECK_EQ(Run(c, "/sub/").status(), 200);
  CHECK_EQ(Run(c, "/").status(), 200);
  CHECK_EQ(Run(c, "/data.txt").status(), 200);
  CHECK_EQ(Run(c, "/link-out").status(), 404);  // a directory outside the root is not revealed
  CHECK_EQ(Run(c, "/.git").status(), 404);
  CHECK_EQ(PercentEncodePath("/a b/%/\xc3\xa9\"<>&'?#"), std::string("/a%20b/%25/%C3%A9%22%3C%3E%26%27%3F%23"));

  StaticPathEntry ls = Entry("/", Www());
  ls.directory_listing = true;
  ls.indexhtml = false;
  StaticPathEntry priv = Entry("/private", "");
  priv.excluded = true;
  StaticPathEntry guarded = Entry("/guarded", Www() + "/guarded");
  guarded.validation = {{"X-Key", "k"}};
  c = Config({ls, priv, guarded});
  x = Run(c, "/");
  CHECK_EQ(x.status(), 200);
  CHECK_EQ(x.Hs("Content-Type"), std::string("text/html; charset=utf-8"));
  for (const char* shown : {"/data.txt", "/sub/", "/noindex/", "/file%20with%20space.txt", "/caf%C3%A9.txt",
                            "/link-in", "/.well-known/", "/index.html"}) {
    CHECK(HasHref(x, shown));
  }
  for (const char* hidden : {"/.hidden", "/.git/", "/link-out/", "/link-file", "/link-sibling", "/link-dot",
                             "/private/", "/PRIVATE/", "/link-private/", "/guarded/", "/fifo", "/evil.txt.gz",
                             "/pub-b.txt.gz", "/pub-b.txt.br"}) {
    CHECK(!HasHref(x, hidden));
  }
  CHECK(!HasHref(x, "/../"));  // no parent link at "/"
  CHECK(HasHref(Run(c, "/", {{"X-Key", "k"}}), "/guarded/"));
  x = Run(c, "/sub/");
  CHECK(HasHref(x, "/") && HasHref(x, "/sub/a.txt") && HasHref(x, "/sub/index.html"));
  CHECK_EQ(Run(c, "/link-out/").status(), 404);
  // Under a prefix: no parent link at the key itself (the parent belongs to another path).
  StaticPathEntry docs = Entry("/docs", Www());
  docs.directory_listing = true;
  docs.indexhtml = false;
  c = Config({docs, priv});
  x = Run(c, "/docs/");
  CHECK(!HasHref(x, "/") && HasHref(x, "/docs/sub/"));
  CHECK(HasHref(Run(c, "/docs/sub/"), "/docs/"));

  StaticPathEntry spa = Entry("/", Www());
  spa.spa_fallback = true;
  c = Config({spa, priv});
  x = Run(c, "/app/route");
  CHECK_EQ(x.status(), 200);
  CHECK_EQ(x.data, std::string("<html>root index</html>\n"));
  CHECK_EQ(Run(c, "/missing.js").status(), 404);
  CHECK_EQ(Run(c, "/noindex").status(), 200);  // a directory without index.html
  CHECK(Run(c, "/private/nothing").NotStatic());
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

// ---- path safety: the traversal corpus and httpuv's tests ---------------------------------------

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

// Rules and files are looked up on the one normalised path.
void TestRules() {
  StaticPathEntry ex = Entry("/private", "");
  ex.excluded = true;
  StaticPathEntry val = Entry("/guarded", Www() + "/guarded");
  val.validation = {{"x-token", "ok"}};
  StaticConfig c = Config({Entry("/", Www()), ex, val});
  const StaticHeaders token = {{"X-Token", "ok"}};
  for (const char* t : {"/private/secret.txt", "//private/secret.txt", "/./private/secret.txt",
                        "/%2e/private/secret.txt", "/%70rivate/secret.txt", "/private%2fsecret.txt",
                        "/%2fprivate/secret.txt", "http://h//private/secret.txt", "/private/",
                        "/private", "//private/.", "/private/secret.txt?x", "/PRIVATE/secret.txt",
                        "/pRiVaTe/", "/private/../x", "/private/sub/deep.txt"}) {
    for (const char* m : {"GET", "HEAD"}) {
      Res r = Run(c, t, {{"Accept-Encoding", "gzip"}}, m);
      if (!r.NotStatic()) {
        ++g_failures;
        std::cerr << m << " " << t << ": want the app, got " << r.status() << "\n";
      }
      ++g_checks;
    }
  }
  CHECK_EQ(Run(c, "/pub/../private/secret.txt").status(), 400);
  CHECK_EQ(Run(c, "/privatefoo").status(), 404);  // whole segments only: not excluded
  // Names that resolve into the excluded directory.
  CHECK_EQ(Run(c, "/link-private/secret.txt").status(), 404);
  CHECK_EQ(Run(c, "/link-private/").status(), 404);
  CHECK_EQ(Run(c, "/link-private/sub/deep.txt").status(), 404);
  SetOpenat2ForTesting(false);
  CHECK_EQ(Run(c, "/link-private/secret.txt").status(), 404);
  SetOpenat2ForTesting(true);
  // A public file whose .gz sibling links into private/ and .br into guarded/: identity only.
  for (const char* enc : {"gzip", "br", "gzip, br", "br;q=0.1, gzip;q=0.2"}) {
    Res r = Run(c, "/pub-b.txt", {{"Accept-Encoding", enc}});
    CHECK_EQ(r.data, std::string("public b\n"));
    CHECK_EQ(r.Hs("Content-Encoding"), std::string("<absent>"));
  }
  // Even with the token: which siblings exist is remembered per file, not per request, so a
  // sibling that lands under a validated path is never used.
  StaticHeaders tok_br = {{"X-Token", "ok"}, {"Accept-Encoding", "br"}};
  CHECK_EQ(Run(c, "/pub-b.txt", tok_br).Hs("Content-Encoding"), std::string("<absent>"));
  // A sibling that is itself an excluded file is not a representation of its public original.
  StaticPathEntry ex_gz = Entry("/app.js.gz", "");
  ex_gz.excluded = true;
  StaticConfig gz_ex = Config({Entry("/", Www()), ex_gz});
  Res js = Run(gz_ex, "/app.js", {{"Accept-Encoding", "gzip, br"}});
  CHECK_EQ(js.Hs("Content-Encoding"), std::string("br"));
  js = Run(gz_ex, "/app.js", {{"Accept-Encoding", "gzip"}});
  CHECK_EQ(js.Hs("Content-Encoding"), std::string("<absent>"));
  CHECK_EQ(js.data, std::string("console.log(\"identity\");\n"));
  // A validated entry's own siblings are served to requests that passed its validation.
  CHECK_EQ(Run(c, "/guarded/g.txt", {{"X-Token", "ok"}, {"Accept-Encoding", "gzip"}}).data,
           std::string("GUARDED gz\n"));

  // The validated path: every spelling asks for the header.
  for (const char* t : {"/guarded/g.txt", "//guarded/g.txt", "/./guarded/g.txt", "/%67uarded/g.txt",
                        "/guarded%2fg.txt", "http://h//guarded/g.txt", "/GUARDED/g.txt", "/guarded/",
                        "//guarded"}) {
    CHECK_EQ(Run(c, t).status(), 403);
    CHECK_EQ(Run(c, t, {{"X-Token", "no"}}).status(), 403);
    CHECK_EQ(Run(c, t, {{"X-Token", "ok"}, {"X-Token", "ok"}}).status(), 403);
  }
  CHECK_EQ(Run(c, "//guarded/g.txt", token).data, std::string("GUARDED\n"));
  CHECK_EQ(Run(c, "/%67uarded/./g.txt", token).data, std::string("GUARDED\n"));

  // Case: a shorter exact match does not override a longer excluded key that matches only
  // case-insensitively (www/PRIVATE is a symlink to private/, as a case-insensitive file system
  // would resolve it); a longer exact entry does re-allow.
  StaticConfig re = Config({Entry("/", Www()), ex, Entry("/private/open", Www() + "/private/open")});
  CHECK(Run(re, "/PRIVATE/secret.txt").NotStatic());
  CHECK(Run(re, "/PRIVATE/open/ok.txt").NotStatic());
  CHECK(Run(re, "/private/OPEN/ok.txt").NotStatic());
  CHECK_EQ(Run(re, "/private/open/ok.txt").data, std::string("re-allowed\n"));
  CHECK_EQ(Run(re, "//private/./open/ok.txt").data, std::string("re-allowed\n"));
  // Serving keys stay case-sensitive (httpuv): "/STATIC" is not "/static".
  CHECK(Run(Config({Entry("/static", Www())}), "/STATIC/data.txt").NotStatic());
  // Case twins: an excluded key wins over a serving key that differs only in case.
  StaticPathEntry twin = Entry("/Private", Www());
  CHECK(Run(Config({twin, ex}), "/Private/data.txt").NotStatic());
}

}  // namespace

// Runs one test function; prints "ok" or "FAIL" with its name, as the WebSocket driver does.
int g_tests = 0;
int g_failed_tests = 0;
void RunTest(const char* name, void (*fn)(), const char* variant = "") {
  const int before = g_failures;
  fn();
  ++g_tests;
  const bool ok = g_failures == before;
  if (!ok) ++g_failed_tests;
  std::cout << (ok ? "ok   " : "FAIL ") << name << variant << "\n";
}
#define RUN_TEST(fn, ...) RunTest(#fn, fn, ##__VA_ARGS__)

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: static_files_test <fixture-tree>\n";
    return 2;
  }
  g_tree = argv[1];
  const int fds_before = CountOpenFds();
  RUN_TEST(TestNegotiation);
  RUN_TEST(TestMime);
  RUN_TEST(TestResolveHelpers);
  RUN_TEST(TestUtilText);
  RUN_TEST(TestBasicServing);
  RUN_TEST(TestMatching);
  RUN_TEST(TestOptions);
  RUN_TEST(TestDirectoryOptions);
  RUN_TEST(TestValidation);
  RUN_TEST(TestMethodsAndBodies);
  RUN_TEST(TestCorpus);
  RUN_TEST(TestPathRules);
  RUN_TEST(TestRules);
  RUN_TEST(TestConditionals);
  RUN_TEST(TestRanges);
  RUN_TEST(TestPrecompressed);
  RUN_TEST(TestRootMemo);
  RUN_TEST(TestSymlinkSwapRace);
  // Again without openat2, through the realpath + O_NOFOLLOW fallback.
  if (SetOpenat2ForTesting(false)) {
    const char* v = " (without openat2)";
    RUN_TEST(TestBasicServing, v);
    RUN_TEST(TestCorpus, v);
    RUN_TEST(TestPathRules, v);
    RUN_TEST(TestDirectoryOptions, v);
    RUN_TEST(TestPrecompressed, v);
    RUN_TEST(TestRootMemo, v);
    RUN_TEST(TestSymlinkSwapRace, v);
    SetOpenat2ForTesting(true);
  }
  // No fd leaked on any path above.
  const int before = g_failures;
  const int fds_after = CountOpenFds();
  if (fds_before >= 0) CHECK_EQ(fds_after, fds_before);
  ++g_tests;
  if (g_failures != before) ++g_failed_tests;
  std::cout << (g_failures == before ? "ok   " : "FAIL ") << "NoFdLeaked\n";
  std::cout << "\n"
            << g_tests << " tests, " << g_checks << " checks, " << g_failures << " failed checks, "
            << g_failed_tests << " failed tests\n";
  return g_failures == 0 ? 0 : 1;
}
