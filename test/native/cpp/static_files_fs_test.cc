// Standalone tests of the static-file engine, part 2 (main() is in static_files_test.cc):
// validators, ranges and precompressed siblings, the root memo (roots replaced, retargeted,
// turned into files) and the symlink swap race (one extra thread). No napi.h, no uv.h.
#include "native/cpp/static_test_support.h"

namespace stest {

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

// Swap "race" between a regular file and a link to a secret outside
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

}  // namespace stest
