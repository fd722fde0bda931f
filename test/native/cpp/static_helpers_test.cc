// Tests of the static-file engine's pure helpers: HTTP dates, Range, entity-tag lists,
// Accept-Encoding, the generated MIME table, target paths, percent-decoding, UTF-8, the
// subpath rules, and the src-native/util/ text helpers the engine shares with HTTP and WebSocket. Linked into static_files_test by scripts/test-static-pure.sh.
// No file system, no napi.h, no uv.h.
#include <ctime>
#include <string>
#include <string_view>

#include "static/mime_types.h"
#include "static/static_negotiation.h"
#include "static/static_resolve.h"
#include "util/ascii.h"
#include "util/reason_phrase.h"
#include "util/utf8.h"
#include "native/cpp/check.h"

using namespace httpuv::statics;  // NOLINT(build/namespaces): test file

namespace {
// Whole-string strict UTF-8, as the path rules apply it to each decoded segment.
bool IsValidUtf8(std::string_view s) { return httpuv::util::IsValidUtf8(s.data(), s.size()); }
}  // namespace

// ---- negotiation helpers ------------------------------------------------------------------------

void TestNegotiation() {
  int64_t t = 0;
  CHECK(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT", &t));
  CHECK_EQ(t, 784111777);
  CHECK_EQ(FormatHttpDate(784111777), std::string("Sun, 06 Nov 1994 08:49:37 GMT"));
  CHECK_EQ(FormatHttpDate(0), std::string("Thu, 01 Jan 1970 00:00:00 GMT"));
  // The hand-written formatter agrees with strftime over years 1970..9999 and round-trips.
  for (int64_t u = 0, step = 1; u < 253402300800; u += step, step = step * 3 + 7919) {
    time_t tt = static_cast<time_t>(u);
    struct tm tm;
    gmtime_r(&tt, &tm);
    char ref[64];
    strftime(ref, sizeof(ref), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    CHECK_EQ(FormatHttpDate(u), std::string(ref));
    int64_t back = -1;
    CHECK(ParseHttpDate(FormatHttpDate(u), &back) && back == u);
  }
  CHECK_EQ(FormatHttpDate(253402300799), std::string("Fri, 31 Dec 9999 23:59:59 GMT"));
  CHECK(ParseHttpDate("Mon, 01 Jan 2038 12:00:00 GMT", &t));
  CHECK(!ParseHttpDate("Mon, 01 Jan 2038 12:100:00 GMT", &t));
  CHECK(!ParseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT", &t));
  CHECK(!ParseHttpDate("Sun Nov  6 08:49:37 1994", &t));
  CHECK(!ParseHttpDate("Sun, 06 Foo 1994 08:49:37 GMT", &t));
  CHECK(!ParseHttpDate("Sun, 06 Nov 1994 24:49:37 GMT", &t));

  ByteRange r = ParseRange("bytes=0-0", 20);
  CHECK(r.kind == ByteRange::Kind::kSatisfiable && r.first == 0 && r.length == 1);
  r = ParseRange("bytes=-1", 20);
  CHECK(r.kind == ByteRange::Kind::kSatisfiable && r.first == 19 && r.length == 1);
  r = ParseRange("bytes=-50", 20);
  CHECK(r.kind == ByteRange::Kind::kSatisfiable && r.first == 0 && r.length == 20);
  r = ParseRange("BYTES = 5-", 20);
  CHECK(r.kind == ByteRange::Kind::kSatisfiable && r.first == 5 && r.length == 15);
  CHECK(ParseRange("bytes=5-2", 20).kind == ByteRange::Kind::kIgnore);
  r = ParseRange("bytes=0-18446744073709551616", 20);
  CHECK(r.kind == ByteRange::Kind::kSatisfiable && r.length == 20);
  CHECK(ParseRange("bytes=18446744073709551616-", 20).kind == ByteRange::Kind::kUnsatisfiable);
  CHECK(ParseRange("bytes=-0", 20).kind == ByteRange::Kind::kUnsatisfiable);
  CHECK(ParseRange("bytes=20-", 20).kind == ByteRange::Kind::kUnsatisfiable);
  CHECK(ParseRange("bytes=0-", 0).kind == ByteRange::Kind::kUnsatisfiable);
  CHECK(ParseRange("bytes=-5", 0).kind == ByteRange::Kind::kUnsatisfiable);
  CHECK(ParseRange("bytes=0-1,3-4", 20).kind == ByteRange::Kind::kIgnore);
  CHECK(ParseRange("items=0-1", 20).kind == ByteRange::Kind::kIgnore);
  CHECK(ParseRange("bytes=a-b", 20).kind == ByteRange::Kind::kIgnore);
  CHECK(ParseRange("bytes=-", 20).kind == ByteRange::Kind::kIgnore);
  CHECK(ParseRange("bytes=1", 20).kind == ByteRange::Kind::kIgnore);

  CHECK(EtagListMatchesWeak("*", "\"a\""));
  CHECK(EtagListMatchesWeak("\"x\", \"a\"", "\"a\""));
  CHECK(EtagListMatchesWeak("W/\"a\"", "\"a\""));
  CHECK(EtagListMatchesWeak("\"a\"", "W/\"a\""));
  CHECK(!EtagListMatchesWeak("\"b\"", "\"a\""));
  CHECK(!EtagListMatchesWeak("a", "\"a\""));  // unquoted: not an entity-tag
  CHECK(EtagListMatchesWeak("\"x,y\", \"a\"", "\"a\""));
  CHECK(EtagListMatchesStrong("\"a\"", "\"a\""));
  CHECK(!EtagListMatchesStrong("W/\"a\"", "\"a\""));
  CHECK(!EtagListMatchesStrong("\"a\"", "W/\"a\""));

  AcceptEncoding ae = ParseAcceptEncoding("gzip, deflate, br;q=0.5, *;q=0.1");
  CHECK_EQ(ae.gzip, 1000);
  CHECK_EQ(ae.br, 500);
  CHECK_EQ(ae.any, 100);
  CHECK_EQ(ae.identity, -1);
  ae = ParseAcceptEncoding("x-gzip;q=0.250, identity;q=0, br;q=2");
  CHECK_EQ(ae.gzip, 250);
  CHECK_EQ(ae.identity, 0);
  CHECK_EQ(ae.br, -1);  // q=2 is malformed: element skipped
  ae = ParseAcceptEncoding("BR;Q=1.000");
  CHECK_EQ(ae.br, 1000);
}

void TestMime() {
  CHECK_EQ(LookupMimeByExtension("html").type, std::string_view("text/html"));
  CHECK_EQ(LookupMimeByExtension("HTML").type, std::string_view("text/html"));
  CHECK_EQ(LookupMimeByExtension("js").type, std::string_view("text/javascript"));
  CHECK_EQ(LookupMimeByExtension("mjs").type, std::string_view("text/javascript"));
  CHECK_EQ(LookupMimeByExtension("css").type, std::string_view("text/css"));
  CHECK_EQ(LookupMimeByExtension("json").type, std::string_view("application/json"));
  CHECK_EQ(LookupMimeByExtension("csv").type, std::string_view("text/csv"));
  CHECK_EQ(LookupMimeByExtension("txt").type, std::string_view("text/plain"));
  CHECK_EQ(LookupMimeByExtension("svg").type, std::string_view("image/svg+xml"));
  CHECK_EQ(LookupMimeByExtension("wasm").type, std::string_view("application/wasm"));
  CHECK_EQ(LookupMimeByExtension("woff2").type, std::string_view("font/woff2"));
  CHECK_EQ(LookupMimeByExtension("mp4").type, std::string_view("video/mp4"));
  CHECK_EQ(LookupMimeByExtension("xml").type, std::string_view("application/xml"));
  CHECK_EQ(LookupMimeByExtension("ico").type, std::string_view("image/vnd.microsoft.icon"));
  CHECK(LookupMimeByExtension("js").compressible);
  CHECK(!LookupMimeByExtension("png").compressible);
  CHECK(LookupMimeByExtension("nosuchext").type.empty());
  CHECK(LookupMimeByExtension("").type.empty());
  CHECK_EQ(MimeTypeForFileName("dir.d/file"), kDefaultMimeType);
  CHECK_EQ(MimeTypeForFileName("a/b/c.CSV"), std::string_view("text/csv"));
  CHECK_EQ(MimeTypeForFileName("html"), kDefaultMimeType);  // httpuv quirk not kept
  CHECK(IsCompressibleType("text/html; charset=utf-8"));
  CHECK(IsCompressibleType("Application/JSON"));
  CHECK(IsCompressibleType("application/x-unknown+json"));
  CHECK(IsCompressibleType("text/x-unknown"));
  CHECK(!IsCompressibleType("image/png"));
  CHECK(IsCompressibleType("application/octet-stream"));  // mime-db's flag, kept as data
  CHECK(!IsCompressibleType(""));
}

void TestResolveHelpers() {
  std::string_view p;
  CHECK(TargetPath("/a?b", &p) && p == "/a?b");
  CHECK(TargetPath("http://h:1/x/y?z", &p) && p == "/x/y?z");
  CHECK(TargetPath("HTTPS://h", &p) && p == "/");
  CHECK(TargetPath("http://h?q", &p) && p == "/");
  CHECK(!TargetPath("*", &p));
  CHECK(!TargetPath("h:443", &p));
  std::string d;
  CHECK(PercentDecode("/a%20b%2F%5c", &d) && d == "/a b/\\");
  CHECK(PercentDecode("%252e", &d) && d == "%2e");
  CHECK(!PercentDecode("%ZZ", &d));
  CHECK(!PercentDecode("%2", &d));
  CHECK(!PercentDecode("%", &d));
  CHECK(IsValidUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  CHECK(!IsValidUtf8("\xc0\xae"));
  CHECK(!IsValidUtf8("\xc0\xaf"));
  CHECK(!IsValidUtf8("\xe0\x80\xae"));
  CHECK(!IsValidUtf8("\x80"));
  CHECK(!IsValidUtf8("\xed\xa0\x80"));  // surrogate
  CHECK(!IsValidUtf8("\xf4\x90\x80\x80"));  // > U+10FFFF
  CHECK(!IsValidUtf8("\xe2\x82"));
  CHECK(!PercentDecode("/a%41/%zz/b", &d) && d == "/aA/");  // the decoded prefix is kept

  // NormalizeRequestPath: the one path both lookups (rule and file) read.
  auto norm = [](std::string_view raw) {
    NormalizedPath np;
    NormalizeRequestPath(raw, &np);
    return np;
  };
  struct Row {
    std::string_view raw;
    std::string_view path;
    bool ok;
    bool trailing;
  };
  const Row rows[] = {
      {"/", "/", true, false},
      {"//", "/", true, false},
      {"/./", "/", true, false},
      {"/private/secret.txt", "/private/secret.txt", true, false},
      {"//private/secret.txt", "/private/secret.txt", true, false},
      {"///private//secret.txt", "/private/secret.txt", true, false},
      {"/./private/./secret.txt", "/private/secret.txt", true, false},
      {"/%2e/private/secret.txt", "/private/secret.txt", true, false},
      {"/%2E%2fprivate", "/private", true, false},
      {"/%70rivate/x", "/private/x", true, false},
      {"/private%2fsecret.txt", "/private/secret.txt", true, false},
      {"/private%2F%2Fsecret.txt", "/private/secret.txt", true, false},
      {"/private/", "/private", true, true},
      {"/private/.", "/private", true, true},
      {"/private/%2e", "/private", true, true},
      {"/private//", "/private", true, true},
      {"/%252e/x", "/%2e/x", true, false},  // decoded once
      {"/a..b/..c/c..", "/a..b/..c/c..", true, false},
      {"/caf%C3%A9", "/caf\xc3\xa9", true, false},
      {"/pub/../private/x", "/pub", false, false},
      {"/pub/%2e%2e/private/x", "/pub", false, false},
      {"/pub/..%2fprivate", "/pub", false, false},
      {"/..", "/", false, false},
      {"/a/b/..", "/a/b", false, false},
      {"/a/%ZZ/b", "/a", false, false},
      {"/a/b%", "/a", false, false},
      {"/a/b%2", "/a", false, false},
      {"/a/x%00y/b", "/a", false, false},
      {"/a/x\\y", "/a", false, false},
      {"/a/x%5cy", "/a", false, false},
      {"/a/%c0%ae%c0%ae/b", "/a", false, false},
      {"/a/%80", "/a", false, false},
      {"/a//./b/%2e%2e/", "/a/b", false, false},
  };
  for (const Row& row : rows) {
    NormalizedPath np = norm(row.raw);
    if (np.path != row.path || np.ok != row.ok || np.trailing_slash != row.trailing) {
      ++g_failures;
      std::cerr << "NormalizeRequestPath(" << row.raw << ") = " << np.path << " ok=" << np.ok
                << " trailing=" << np.trailing_slash << "\n";
    }
    ++g_checks;
    // Idempotent on what it accepts (unless a '%' was decoded into it: decoding is done once).
    if (np.ok && np.path.find('%') == std::string::npos) CHECK_EQ(norm(np.path).path, np.path);
  }
  CHECK(norm(std::string_view("/a\0b", 4)).ok == false);

  // Keys: the same normal form (no decoding; ".." left for the TS layer to refuse).
  CHECK_EQ(NormalizeStaticKey(""), std::string("/"));
  CHECK_EQ(NormalizeStaticKey("//"), std::string("/"));
  CHECK_EQ(NormalizeStaticKey("private"), std::string("/private"));
  CHECK_EQ(NormalizeStaticKey("/private/"), std::string("/private"));
  CHECK_EQ(NormalizeStaticKey("//a/./b//"), std::string("/a/b"));
  CHECK_EQ(NormalizeStaticKey("/%2e/a"), std::string("/%2e/a"));

  // Case-insensitive key match on segment boundaries.
  CHECK(KeyMatchesFolded("/", "/anything"));
  CHECK(KeyMatchesFolded("/private", "/private"));
  CHECK(KeyMatchesFolded("/private", "/PRIVATE/x"));
  CHECK(KeyMatchesFolded("/Private", "/pRIVATE"));
  CHECK(KeyMatchesFolded("/a/b", "/A/B/c"));
  CHECK(!KeyMatchesFolded("/private", "/privatefoo"));
  CHECK(!KeyMatchesFolded("/private", "/privat"));
  CHECK(!KeyMatchesFolded("/private", "/"));
  CHECK(!KeyMatchesFolded("/a/b", "/a"));
  CHECK(KeyMatchesFolded("/secret", "/\xc5\xbf" "ecret/x"));     // U+017F LONG S
  CHECK(KeyMatchesFolded("/key", "/\xe2\x84\xaa" "EY"));         // U+212A KELVIN SIGN
  CHECK(KeyMatchesFolded("/\xe2\x84\xaa" "ey", "/KEY"));
  CHECK(!KeyMatchesFolded("/f\xc3\xbc", "/f\xc3\x9c"));  // other non-ASCII: exact bytes
  CHECK(!KeyMatchesFolded("/s", "/\xc5"));                 // truncated sequence: no match, no overread
}

// ---- util/ text helpers (one copy each, shared with http/ and ws/) -----------------------------

void TestUtilText() {
  using httpuv::util::EqualsIgnoreCase;
  using httpuv::util::ListHasToken;
  using httpuv::util::ReasonPhrase;
  CHECK(EqualsIgnoreCase("Content-Length", "content-LENGTH"));
  CHECK(EqualsIgnoreCase("", ""));
  CHECK(!EqualsIgnoreCase("ETag", "ETags"));
  CHECK(!EqualsIgnoreCase("a", "b"));
  CHECK(!EqualsIgnoreCase("\xc3\xa9", "\xc3\x89"));  // ASCII only: no Unicode case folding
  CHECK(!EqualsIgnoreCase("[", "{"));                  // '[' + 32 is '{', but neither is a letter
  CHECK(ListHasToken("keep-alive, Upgrade", "upgrade"));
  CHECK(ListHasToken(" \tclose\t ", "close"));
  CHECK(ListHasToken("a,,b", "b"));
  CHECK(!ListHasToken("closed, x-close", "close"));
  CHECK(!ListHasToken("", "close"));
  CHECK(!ListHasToken("gzip;q=1", "gzip"));  // parameters are part of the element
  CHECK_EQ(std::string(ReasonPhrase(404)), std::string("Not Found"));
  CHECK_EQ(std::string(ReasonPhrase(416)), std::string("Range Not Satisfiable"));
  CHECK_EQ(std::string(ReasonPhrase(299)), std::string("Unknown"));
}
