// Standalone unit tests of the pure WebSocket layer: util/{sha1,base64,utf8} and
// ws/{handshake,frame_parser,frame_writer,permessage_deflate}. Frames are fed whole, one byte at a
// time, at every split point and in random chunks; every protocol error is asserted by its close
// code (reliability-plan §2.4 rows, Autobahn 1–7 shapes), handshakes by status and headers (§2.5).
// Runs on the test's main thread; no uv.h, no napi.h. Built by scripts/test-native-pure.sh.
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <iostream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "util/base64.h"
#include "util/sha1.h"
#include "util/utf8.h"
#include "ws/frame_parser.h"
#include "ws/frame_writer.h"
#include "ws/handshake.h"
#include "ws/permessage_deflate.h"

using namespace httpuv;      // NOLINT(build/namespaces): test file
using namespace httpuv::ws;  // NOLINT(build/namespaces)

// ---- a tiny test harness ------------------------------------------------------------------------

namespace {

int g_checks = 0;
int g_failures = 0;
const char* g_current = "";

struct TestCase {
  const char* name;
  void (*fn)();
};
std::vector<TestCase>& Registry() {
  static std::vector<TestCase> tests;
  return tests;
}
struct Registrar {
  Registrar(const char* name, void (*fn)()) { Registry().push_back({name, fn}); }
};

std::string Printable(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    }
    if (out.size() > 300) return out + "...(" + std::to_string(s.size()) + " bytes)";
  }
  return out + "\"";
}
std::string Printable(const char* s) { return Printable(std::string(s)); }
template <typename T>
std::string Printable(const T& v) {
  std::ostringstream o;
  o << v;
  return o.str();
}

void Report(const char* file, int line, const std::string& what) {
  ++g_failures;
  std::cerr << file << ":" << line << ": [" << g_current << "] " << what << "\n";
}

}  // namespace

#define TEST(name)                                        \
  void Test_##name();                                     \
  static Registrar registrar_##name(#name, &Test_##name); \
  void Test_##name()

#define EXPECT_TRUE(cond)                                                     \
  do {                                                                        \
    ++g_checks;                                                               \
    if (!(cond)) Report(__FILE__, __LINE__, "EXPECT_TRUE(" #cond ") failed"); \
  } while (0)

#define EXPECT_EQ(a, b)                                                                 \
  do {                                                                                  \
    ++g_checks;                                                                         \
    const auto va_ = (a);                                                               \
    const auto vb_ = (b);                                                               \
    if (!(va_ == vb_)) {                                                                \
      Report(__FILE__, __LINE__,                                                        \
             "EXPECT_EQ(" #a ", " #b "): " + Printable(va_) + " != " + Printable(vb_)); \
    }                                                                                   \
  } while (0)

// ---- helpers ------------------------------------------------------------------------------------

namespace {

std::string Hex(const char* hex) {
  std::string out;
  int hi = -1;
  for (const char* p = hex; *p; ++p) {
    int v;
    if (*p >= '0' && *p <= '9')
      v = *p - '0';
    else if (*p >= 'a' && *p <= 'f')
      v = *p - 'a' + 10;
    else if (*p >= 'A' && *p <= 'F')
      v = *p - 'A' + 10;
    else
      continue;
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<char>(hi * 16 + v));
      hi = -1;
    }
  }
  return out;
}

std::string ToHex(const uint8_t* p, size_t n) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out.push_back(d[p[i] >> 4]);
    out.push_back(d[p[i] & 15]);
  }
  return out;
}
std::string ToHex(const std::string& s) {
  return ToHex(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

constexpr uint8_t kFin = 0x80;
constexpr uint8_t kRsv1 = 0x40;
constexpr uint32_t kKey = 0x37fa213d;  // RFC 6455 §5.7's masking key

// A client frame: first byte as given, MASK set (unless masked = false), shortest length.
std::string ClientFrame(uint8_t b0, const std::string& payload, bool masked = true,
                        uint32_t key = kKey) {
  std::string f(1, static_cast<char>(b0));
  uint8_t m = masked ? 0x80 : 0;
  size_t n = payload.size();
  if (n <= 125) {
    f.push_back(static_cast<char>(m | n));
  } else if (n <= 0xFFFF) {
    f.push_back(static_cast<char>(m | 126));
    f.push_back(static_cast<char>(n >> 8));
    f.push_back(static_cast<char>(n));
  } else {
    f.push_back(static_cast<char>(m | 127));
    for (int i = 0; i < 8; ++i) f.push_back(static_cast<char>(uint64_t{n} >> (56 - 8 * i)));
  }
  uint8_t k[4] = {uint8_t(key >> 24), uint8_t(key >> 16), uint8_t(key >> 8), uint8_t(key)};
  if (masked) f.append(reinterpret_cast<const char*>(k), 4);
  for (size_t i = 0; i < n; ++i) {
    f.push_back(masked ? static_cast<char>(payload[i] ^ k[i & 3]) : payload[i]);
  }
  return f;
}

// Records events as a compact log: "text:Hello bin:3 ping:x pong: close:1000:bye error:1002".
struct RecordingSink : FrameSink {
  std::string log;
  std::vector<std::string> messages;
  std::vector<bool> binary;
  void Add(const std::string& s) { log += (log.empty() ? "" : " ") + s; }
  void OnMessage(bool is_binary, std::string&& payload) override {
    if (is_binary || payload.size() > 40) {
      Add(std::string(is_binary ? "bin:" : "text#") + std::to_string(payload.size()));
    } else {
      Add("text:" + payload);
    }
    messages.push_back(std::move(payload));
    binary.push_back(is_binary);
  }
  void OnPing(std::string&& p) override { Add("ping:" + p); }
  void OnPong(std::string&& p) override { Add("pong:" + p); }
  void OnClose(int code, std::string&& reason) override {
    Add("close:" + std::to_string(code) + ":" + reason);
  }
  void OnProtocolError(int code, const char* reason) override {
    EXPECT_TRUE(reason != nullptr && std::strlen(reason) > 0 && std::strlen(reason) <= 123);
    Add("error:" + std::to_string(code));
  }
};

// A parser with its own inflater (when `deflate` is given), fed in a chosen way.
struct Harness {
  explicit Harness(uint64_t max = kDefaultMaxMessageSize, const DeflateParams* deflate = nullptr)
      : parser(max, deflate != nullptr) {
    if (deflate != nullptr) {
      pmd.reset(new PerMessageDeflate(*deflate));
      parser.SetInflater(pmd.get());
    }
  }
  size_t Feed(const std::string& s) { return parser.Consume(s.data(), s.size(), sink); }
  FrameParser parser;
  std::unique_ptr<PerMessageDeflate> pmd;
  RecordingSink sink;
};

enum class Split { kWhole, kBytes, kChop997, kRandom };

struct RunResult {
  std::string log;
  std::vector<std::string> messages;
  size_t consumed = 0;
  ParseError error = kErrNone;
};

RunResult Run(const std::string& in, Split split, uint64_t max = kDefaultMaxMessageSize,
              const DeflateParams* deflate = nullptr, size_t split_at = 0) {
  Harness h(max, deflate);
  RunResult r;
  std::mt19937 rng(static_cast<uint32_t>(in.size() * 2654435761u));
  size_t i = 0;
  while (i < in.size()) {
    size_t n;
    switch (split) {
      case Split::kWhole:
        n = split_at != 0 && i < split_at ? split_at : in.size() - i;
        break;
      case Split::kBytes:
        n = 1;
        break;
      case Split::kChop997:
        n = 997;
        break;
      default:
        n = 1 + rng() % 300;
        break;
    }
    if (n > in.size() - i) n = in.size() - i;
    r.consumed += h.parser.Consume(in.data() + i, n, h.sink);
    i += n;
  }
  r.log = h.sink.log;
  r.messages = h.sink.messages;
  r.error = h.parser.error();
  return r;
}

// Feeds `in` every way (whole, byte-wise, every 2-way split for short inputs, 997-byte chops,
// random chunks) and expects the same event log each time.
void ExpectLog(const std::string& in, const std::string& expected,
               uint64_t max = kDefaultMaxMessageSize, const DeflateParams* deflate = nullptr) {
  EXPECT_EQ(Run(in, Split::kWhole, max, deflate).log, expected);
  EXPECT_EQ(Run(in, Split::kBytes, max, deflate).log, expected);
  EXPECT_EQ(Run(in, Split::kChop997, max, deflate).log, expected);
  EXPECT_EQ(Run(in, Split::kRandom, max, deflate).log, expected);
  if (in.size() <= 200) {
    for (size_t at = 1; at < in.size(); ++at) {
      std::string got = Run(in, Split::kWhole, max, deflate, at).log;
      if (got != expected) {
        EXPECT_EQ(got + " (split at " + std::to_string(at) + ")", expected);
        break;
      }
    }
  }
}

DeflateParams Deflate(bool snct = false, bool cnct = false, int sbits = 15, int cbits = 15) {
  DeflateParams p;
  p.enabled = true;
  p.server_no_context_takeover = snct;
  p.client_no_context_takeover = cnct;
  p.server_max_window_bits = sbits;
  p.client_max_window_bits = cbits;
  return p;
}

// The client's compressor: a PerMessageDeflate whose "server" side is the client's.
struct ClientCompressor {
  explicit ClientCompressor(bool no_context_takeover = false, int bits = 15)
      : pmd(Deflate(no_context_takeover, false, bits, 15)) {}
  std::string Compress(const std::string& s) {
    std::string out;
    EXPECT_TRUE(pmd.Compress(s, &out));
    return out;
  }
  PerMessageDeflate pmd;
};

// Independent raw inflate (plain zlib, no code under test) of a message with its tail restored.
std::string RawInflate(const std::string& compressed, int window_bits, z_stream* keep = nullptr) {
  z_stream local{};
  z_stream* z = keep != nullptr ? keep : &local;
  if (keep == nullptr || keep->state == nullptr) {
    *z = z_stream{};
    if (inflateInit2(z, -window_bits) != Z_OK) return "<init failed>";
  }
  std::string in = compressed + Hex("00 00 ff ff");
  std::string out;
  z->next_in = reinterpret_cast<Bytef*>(&in[0]);
  z->avail_in = static_cast<uInt>(in.size());
  char buf[4096];
  do {
    z->next_out = reinterpret_cast<Bytef*>(buf);
    z->avail_out = sizeof(buf);
    int rc = inflate(z, Z_SYNC_FLUSH);
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      out = "<inflate error " + std::to_string(rc) + ">";
      break;
    }
    out.append(buf, sizeof(buf) - z->avail_out);
  } while (z->avail_out == 0);
  if (keep == nullptr) inflateEnd(z);
  return out;
}

// Deterministic, moderately compressible text.
std::string SampleText(size_t n, uint32_t seed = 1) {
  static const char* words[] = {"alpha",   "beta",   "gamma", "delta", "websocket",    "frame",
                                "deflate", "httpuv", "node",  "κόσμε", "\xe2\x82\xac", "\n"};
  std::mt19937 rng(seed);
  std::string s;
  while (s.size() < n) {
    s += words[rng() % 12];
    s += ' ';
  }
  s.resize(n);
  while (!util::IsValidUtf8(s.data(), s.size())) s.pop_back();  // do not end mid-character
  return s;
}

}  // namespace

// ---- SHA-1 and base64 ---------------------------------------------------------------------------

namespace {
std::string Sha1Hex(const std::string& s) {
  util::Sha1Digest d = util::Sha1Of(s);
  return ToHex(d.data(), d.size());
}
}  // namespace

TEST(sha1_fips_vectors) {
  EXPECT_EQ(Sha1Hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(Sha1Hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(Sha1Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  EXPECT_EQ(Sha1Hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmno"
                    "pqklmnopqrlmnopqrsmnopqrstnopqrstu"),
            "a49b2446a02c645bf419f995b67091253a04a259");
  EXPECT_EQ(Sha1Hex("The quick brown fox jumps over the lazy dog"),
            "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12");
}

TEST(sha1_million_a_streamed) {
  util::Sha1 h;
  std::string chunk(997, 'a');
  size_t left = 1000000;
  while (left != 0) {
    size_t n = left < chunk.size() ? left : chunk.size();
    h.Update(reinterpret_cast<const uint8_t*>(chunk.data()), n);
    left -= n;
  }
  util::Sha1Digest d = h.Final();
  EXPECT_EQ(ToHex(d.data(), d.size()), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

TEST(sha1_padding_boundaries) {
  // Expected values from Python's hashlib for bytes (i*7+3) & 0xff.
  struct Row {
    size_t n;
    const char* hex;
  } rows[] = {{55, "ddf57317ef34bfee3b6df83d359098930eb278bc"},
              {56, "a0d492bb0fc889d0eca3bc137066ab6f4f74f369"},
              {63, "c55856749bef509bdfe6bfebfc7bf4e793e82132"},
              {64, "bede92be29c3874e1b54ddc77988d606fc857a8e"},
              {65, "b05a80522b053d6dc7e0a517d0e70212c7dad11f"},
              {119, "504e27376a6e0f0dba8295b85cb25dc4dfa17d23"},
              {120, "82134b02fb3f702491be9bed581eeab59334acb2"},
              {128, "a09133e6730ffe899efb70204cb5646cd5dc24ee"}};
  for (const Row& r : rows) {
    std::string s;
    for (size_t i = 0; i < r.n; ++i) s.push_back(static_cast<char>((i * 7 + 3) & 0xFF));
    EXPECT_EQ(Sha1Hex(s), r.hex);
    // The same bytes in uneven pieces.
    util::Sha1 h;
    for (size_t i = 0; i < s.size(); i += 13) {
      h.Update(reinterpret_cast<const uint8_t*>(s.data()) + i, std::min<size_t>(13, s.size() - i));
    }
    util::Sha1Digest d = h.Final();
    EXPECT_EQ(ToHex(d.data(), d.size()), r.hex);
  }
}

TEST(base64_rfc4648_vectors) {
  const char* plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
  const char* coded[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(util::Base64Encode(std::string(plain[i])), coded[i]);
    std::string back;
    EXPECT_TRUE(util::Base64Decode(coded[i], &back));
    EXPECT_EQ(back, plain[i]);
    EXPECT_EQ(util::Base64DecodedLength(coded[i]), static_cast<long>(std::strlen(plain[i])));
  }
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  std::string back;
  EXPECT_TRUE(util::Base64Decode(util::Base64Encode(all), &back));
  EXPECT_EQ(back, all);
  EXPECT_EQ(util::Base64Encode(Hex("fb ff bf")), "+/+/");
}

TEST(base64_strict_decode_rejects) {
  const char* bad[] = {"Zg=",  "Zg",    "Zm9v!A==", "Zh==",   "Zm9=", "Z===", "====",
                       "=Zg=", "Zm 9v", "Zg==Zg==", "Zm9v\n", "Zg=a", "A"};
  for (const char* b : bad) {
    std::string out = "x";
    EXPECT_TRUE(!util::Base64Decode(b, &out));
    EXPECT_EQ(out, "");
    EXPECT_EQ(util::Base64DecodedLength(b), -1L);
  }
  EXPECT_EQ(util::Base64DecodedLength("dGhlIHNhbXBsZSBub25jZQ=="), 16L);
  EXPECT_EQ(util::Base64DecodedLength("AAAAAAAAAAA="), 8L);
}

// ---- UTF-8 --------------------------------------------------------------------------------------

namespace {

// Feeds one byte at a time; returns the index of the byte Feed() rejected, or -1.
int FailIndex(const std::string& s) {
  util::Utf8Validator v;
  for (size_t i = 0; i < s.size(); ++i) {
    if (!v.Feed(s.data() + i, 1)) return static_cast<int>(i);
  }
  return -1;
}

// Reference decoder used only to cross-check the validator on exhaustive inputs.
bool ReferenceValid(const uint8_t* p, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint8_t b = p[i];
    int len;
    uint32_t cp;
    if (b < 0x80) {
      len = 1;
      cp = b;
    } else if ((b & 0xE0) == 0xC0) {
      len = 2;
      cp = b & 0x1F;
    } else if ((b & 0xF0) == 0xE0) {
      len = 3;
      cp = b & 0x0F;
    } else if ((b & 0xF8) == 0xF0) {
      len = 4;
      cp = b & 0x07;
    } else
      return false;
    if (i + len > n) return false;
    for (int k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    static const uint32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

}  // namespace

TEST(utf8_valid_table_all_splits) {
  const char* valid[] = {
      "",
      "41 42 43",
      "ce ba e1 bd b9 cf 83 ce bc ce b5",  // κόσμε (Autobahn 6.2)
      "00",
      "c2 80",
      "e0 a0 80",
      "f0 90 80 80",  // first of each length
      "7f",
      "df bf",
      "ef bf bf",
      "f4 8f bf bf",  // last of each length
      "ed 9f bf",
      "ee 80 80",
      "ef bf bd",  // around the surrogates, U+FFFD
      "ef bf be",
      "ef b7 90",
      "f0 9f bf bf",                    // non-characters are valid UTF-8
      "f0 9f 98 80 e2 82 ac 41 c3 a9",  // 😀 € A é
  };
  for (const char* h : valid) {
    std::string s = Hex(h);
    EXPECT_TRUE(util::IsValidUtf8(s.data(), s.size()));
    EXPECT_EQ(FailIndex(s), -1);
    for (size_t at = 0; at <= s.size(); ++at) {  // every 2-chunk split
      util::Utf8Validator v;
      EXPECT_TRUE(v.Feed(s.data(), at));
      EXPECT_TRUE(v.Feed(s.data() + at, s.size() - at));
      EXPECT_TRUE(v.Complete());
    }
  }
}

TEST(utf8_invalid_table_fails_fast) {
  struct Row {
    const char* hex;
    int fail_at;  // index of the first byte that must be rejected; -1 = only incomplete
  } rows[] = {
      {"80", 0},
      {"bf", 0},
      {"41 80 bf", 1},  // lone continuation bytes
      {"c0 af", 0},
      {"c1 bf", 0},  // overlong 2-byte leads
      {"e0 80 af", 1},
      {"e0 9f bf", 1},  // overlong 3-byte
      {"f0 80 80 af", 1},
      {"f0 8f bf bf", 1},  // overlong 4-byte
      {"c0 80", 0},        // overlong NUL
      {"ed a0 80", 1},
      {"ed bf bf", 1},
      {"ed a0 80 ed b0 80", 1},  // UTF-16 surrogates
      {"f4 90 80 80", 1},
      {"f5 80 80 80", 0},
      {"f7 bf bf bf", 0},  // > U+10FFFF
      {"f8 88 80 80 80", 0},
      {"fc 84 80 80 80 80", 0},  // 5- and 6-byte forms
      {"fe", 0},
      {"ff", 0},
      {"fe fe ff ff", 0},  // impossible bytes
      {"c2 20", 1},
      {"e2 82 41", 2},
      {"f0 9f 98 20", 3},  // truncated, then ASCII
      {"c2 c2 80", 1},     // lonely start before a start
      // Autobahn 6.4.1 shape: κόσμε, then F4 90 80 80, then more text: fail at 0x90.
      {"ce ba e1 bd b9 cf 83 ce bc ce b5 f4 90 80 80 65 64 69 74 65 64", 12},
      {"c2", -1},
      {"e2 82", -1},
      {"f0 9f 98", -1},
      {"41 f4 8f bf", -1},  // end mid-character
  };
  for (const Row& r : rows) {
    std::string s = Hex(r.hex);
    EXPECT_TRUE(!util::IsValidUtf8(s.data(), s.size()));
    EXPECT_EQ(FailIndex(s), r.fail_at);
    util::Utf8Validator v;
    bool fed = v.Feed(s.data(), s.size());
    EXPECT_EQ(fed, r.fail_at < 0);
    EXPECT_TRUE(!v.Complete());
  }
}

TEST(utf8_state_carried_and_sticky) {
  util::Utf8Validator v;
  std::string euro = Hex("e2 82 ac");
  EXPECT_TRUE(v.Feed(euro.data(), 1));
  EXPECT_TRUE(!v.Complete());
  EXPECT_TRUE(v.Feed(euro.data() + 1, 1));
  EXPECT_TRUE(v.Feed(euro.data() + 2, 1));
  EXPECT_TRUE(v.Complete());
  std::string bad = Hex("ff");
  EXPECT_TRUE(!v.Feed(bad.data(), 1));
  EXPECT_TRUE(v.failed());
  EXPECT_TRUE(!v.Feed("a", 1));  // sticky
  EXPECT_TRUE(!v.Complete());
  v.Reset();
  EXPECT_TRUE(v.Feed("a", 1));
  EXPECT_TRUE(v.Complete());
  // Long ASCII runs take the 8-byte fast path; an error right after one is still found.
  std::string s(1000, 'x');
  s += Hex("ed a0 80");
  EXPECT_EQ(FailIndex(s), 1001);
  util::Utf8Validator w;
  EXPECT_TRUE(!w.Feed(s.data(), s.size()));
}

TEST(utf8_exhaustive_against_reference) {
  // Every code point, encoded; surrogates encoded naively must be rejected.
  for (uint32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    uint8_t b[4];
    size_t n;
    if (cp < 0x80) {
      b[0] = cp;
      n = 1;
    } else if (cp < 0x800) {
      b[0] = 0xC0 | (cp >> 6);
      b[1] = 0x80 | (cp & 63);
      n = 2;
    } else if (cp < 0x10000) {
      b[0] = 0xE0 | (cp >> 12);
      b[1] = 0x80 | ((cp >> 6) & 63);
      b[2] = 0x80 | (cp & 63);
      n = 3;
    } else {
      b[0] = 0xF0 | (cp >> 18);
      b[1] = 0x80 | ((cp >> 12) & 63);
      b[2] = 0x80 | ((cp >> 6) & 63);
      b[3] = 0x80 | (cp & 63);
      n = 4;
    }
    bool expect = !(cp >= 0xD800 && cp <= 0xDFFF);
    if (util::IsValidUtf8(b, n) != expect) {
      EXPECT_EQ(cp, 0xFFFFFFFFu);
      break;
    }
  }
  // Every 1- and 2-byte sequence, and many random 3- to 6-byte ones, against the reference.
  int mismatches = 0;
  for (uint32_t x = 0; x < 65536; ++x) {
    uint8_t b[2] = {uint8_t(x >> 8), uint8_t(x)};
    if (util::IsValidUtf8(b, 1) != ReferenceValid(b, 1)) ++mismatches;
    if (util::IsValidUtf8(b, 2) != ReferenceValid(b, 2)) ++mismatches;
  }
  std::mt19937 rng(42);
  for (int i = 0; i < 300000; ++i) {
    uint8_t b[6];
    size_t n = 3 + rng() % 4;
    for (size_t k = 0; k < n; ++k) {
      // Bias towards bytes that matter: leads E0–F4 and continuations 80–BF.
      uint32_t r = rng();
      b[k] = (k == 0) ? uint8_t(0xC0 + r % 0x40) : uint8_t((r & 1) ? 0x80 + (r >> 1) % 0x40 : r);
    }
    if (util::IsValidUtf8(b, n) != ReferenceValid(b, n)) ++mismatches;
  }
  EXPECT_EQ(mismatches, 0);
}

// ---- frame writer -------------------------------------------------------------------------------

TEST(writer_headers_all_length_forms) {
  EXPECT_EQ(ToHex(FrameHeader(kOpText, 0)), "8100");
  EXPECT_EQ(ToHex(FrameHeader(kOpText, 5)), "8105");
  EXPECT_EQ(ToHex(FrameHeader(kOpBinary, 125)), "827d");
  EXPECT_EQ(ToHex(FrameHeader(kOpBinary, 126)), "827e007e");
  EXPECT_EQ(ToHex(FrameHeader(kOpBinary, 256)), "827e0100");  // RFC 6455 §5.7
  EXPECT_EQ(ToHex(FrameHeader(kOpBinary, 65535)), "827effff");
  EXPECT_EQ(ToHex(FrameHeader(kOpBinary, 65536)), "827f0000000000010000");  // RFC 6455 §5.7
  EXPECT_EQ(ToHex(FrameHeader(kOpBinary, 0x123456789aull)), "827f000000123456789a");
  EXPECT_EQ(ToHex(FrameHeader(kOpText, 7, true)), "c107");          // RSV1 (compressed)
  EXPECT_EQ(ToHex(FrameHeader(kOpText, 3, false, false)), "0103");  // first fragment
  EXPECT_EQ(ToHex(FrameHeader(kOpContinuation, 2)), "8002");
  EXPECT_EQ(ToHex(FrameHeader(kOpPing, 0)), "8900");
  EXPECT_EQ(ToHex(FrameHeader(kOpPong, 0)), "8a00");
  uint8_t buf[kMaxFrameHeaderSize];
  EXPECT_EQ(WriteFrameHeader(buf, kOpText, 125), size_t{2});
  EXPECT_EQ(WriteFrameHeader(buf, kOpText, 126), size_t{4});
  EXPECT_EQ(WriteFrameHeader(buf, kOpText, 65536), size_t{10});
}

TEST(writer_rfc_examples_and_one_buffer) {
  // RFC 6455 §5.7: unmasked "Hello", unmasked ping "Hello".
  EXPECT_EQ(ToHex(EncodeFrame(kOpText, "Hello")), "810548656c6c6f");
  EXPECT_EQ(ToHex(EncodeFrame(kOpPing, "Hello")), "890548656c6c6f");
  EXPECT_EQ(ToHex(EncodeFrame(kOpText, "Hel", false, false)), "010348656c");
  EXPECT_EQ(ToHex(EncodeFrame(kOpContinuation, "lo")), "80026c6f");
  std::string big(70000, 'z');
  std::string f = EncodeFrame(kOpBinary, big);
  EXPECT_EQ(f.size(), size_t{70010});
  EXPECT_EQ(f.substr(10), big);
  EXPECT_EQ(ToHex(EncodeFrame(kOpText, Hex("f2 48 cd c9 c9 07 00"), true)), "c107f248cdc9c90700");
}

TEST(writer_close_payloads) {
  EXPECT_EQ(ToHex(ClosePayload(1000, "")), "03e8");
  EXPECT_EQ(ToHex(ClosePayload(4000, "bye")), "0fa0627965");  // httpuv's own example
  EXPECT_EQ(ClosePayload(1005, "ignored"), "");
  EXPECT_EQ(ToHex(CloseFrame(1000, "bye")), "880503e8627965");
  EXPECT_EQ(ToHex(CloseFrame(1005, "")), "8800");
  // Reason cut to 123 bytes: ASCII cut exactly; a 2-byte character straddling the cut is dropped.
  std::string ascii(200, 'r');
  EXPECT_EQ(ClosePayload(1001, ascii).size(), size_t{125});
  std::string e_acute = Hex("c3 a9");
  std::string reason = "x";
  for (int i = 0; i < 70; ++i) reason += e_acute;  // 141 bytes; byte 123 would split a char
  std::string p = ClosePayload(1001, reason);
  EXPECT_EQ(p.size(), size_t{2 + 123});
  reason = "";
  for (int i = 0; i < 70; ++i) reason += e_acute;  // cut at 123 lands mid-character → 122
  p = ClosePayload(1001, reason);
  EXPECT_EQ(p.size(), size_t{2 + 122});
  EXPECT_TRUE(util::IsValidUtf8(p.data() + 2, p.size() - 2));
  std::string euro = Hex("e2 82 ac");
  reason = "";
  for (int i = 0; i < 50; ++i) reason += euro;  // 150 bytes, chars end at multiples of 3
  p = ClosePayload(1000, reason);
  EXPECT_EQ(p.size(), size_t{2 + 123});
  EXPECT_TRUE(util::IsValidUtf8(p.data() + 2, p.size() - 2));
}

TEST(writer_close_code_rules) {
  for (int c : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999,
                4000, 4999}) {
    EXPECT_TRUE(IsValidCloseCode(c));
  }
  for (int c : {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535, -1}) {
    EXPECT_TRUE(!IsValidCloseCode(c));
  }
}

// ---- frame parser: valid traffic ----------------------------------------------------------------

TEST(parser_rfc6455_examples) {
  // §5.7 "A single-frame masked text message".
  ExpectLog(Hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"), "text:Hello");
  // §5.7 fragmented text "Hel" + "lo" (masked here: a server only accepts masked frames).
  ExpectLog(ClientFrame(0x01, "Hel") + ClientFrame(0x80, "lo"), "text:Hello");
  // §5.7 ping "Hello" and the masked pong.
  ExpectLog(ClientFrame(0x89, "Hello"), "ping:Hello");
  ExpectLog(Hex("8a 85 37 fa 21 3d 7f 9f 4d 51 58"), "pong:Hello");
  // §5.7 256 bytes and 64 KiB binary messages (16- and 64-bit lengths).
  std::string b256(256, '\x5a'), b64k(65536, '\x01');
  EXPECT_EQ(ClientFrame(0x82, b256).substr(0, 4), Hex("82 fe 01 00"));
  EXPECT_EQ(ClientFrame(0x82, b64k).substr(0, 10), Hex("82 ff 00 00 00 00 00 01 00 00"));
  ExpectLog(ClientFrame(0x82, b256), "bin:256");
  ExpectLog(ClientFrame(0x82, b64k), "bin:65536");
  RunResult r = Run(ClientFrame(0x82, b64k), Split::kBytes);
  EXPECT_EQ(r.messages.size(), size_t{1});
  EXPECT_TRUE(r.messages.size() == 1 && r.messages[0] == b64k);
}

TEST(parser_autobahn_1_lengths) {
  // Autobahn 1.1.x / 1.2.x: the 7/16/64-bit boundaries, text and binary.
  for (size_t n : {0, 125, 126, 127, 128, 65535, 65536}) {
    std::string text(n, '*'), bin;
    for (size_t i = 0; i < n; ++i) bin.push_back(static_cast<char>(i * 31));
    for (Split s : {Split::kWhole, Split::kBytes, Split::kChop997, Split::kRandom}) {
      RunResult t = Run(ClientFrame(0x81, text, true, 0x01020304u + n), s);
      EXPECT_EQ(t.messages.size(), size_t{1});
      EXPECT_TRUE(t.messages.size() == 1 && t.messages[0] == text);
      RunResult b = Run(ClientFrame(0x82, bin, true, 0xdeadbeefu), s);
      EXPECT_TRUE(b.messages.size() == 1 && b.messages[0] == bin);
      EXPECT_EQ(b.error, kErrNone);
    }
  }
}

TEST(parser_pings_pongs_and_interleaving) {
  std::string p125(125, 'p');
  ExpectLog(ClientFrame(0x89, ""), "ping:");
  ExpectLog(ClientFrame(0x89, p125), "ping:" + p125);  // Autobahn 2.4
  ExpectLog(ClientFrame(0x8a, "x") + ClientFrame(0x81, "Hello"), "pong:x text:Hello");
  // Autobahn 5.6 / ws oracle: text FIN=0, ping, continuation → the pong comes first.
  ExpectLog(ClientFrame(0x01, "frag") + ClientFrame(0x89, "p") + ClientFrame(0x80, "ment"),
            "ping:p text:fragment");
  // Many fragments (some empty) with control frames between them.
  std::string in = ClientFrame(0x01, "");
  std::string want;
  for (int i = 0; i < 50; ++i) {
    in += ClientFrame(0x00, std::string(1, static_cast<char>('a' + i % 26)));
    if (i % 10 == 0) in += ClientFrame(0x8a, "");
  }
  in += ClientFrame(0x80, "");
  for (int i = 0; i < 50; ++i) want.push_back(static_cast<char>('a' + i % 26));
  ExpectLog(in, "pong: pong: pong: pong: pong: text#50");
  RunResult r = Run(in, Split::kBytes);
  EXPECT_TRUE(r.messages.size() == 1 && r.messages[0] == want);
  // Ten pings in one buffer (Autobahn 2.10), and binary after text keeps types apart.
  std::string ten;
  for (int i = 0; i < 10; ++i) ten += ClientFrame(0x89, "ping" + std::to_string(i));
  ExpectLog(ten,
            "ping:ping0 ping:ping1 ping:ping2 ping:ping3 ping:ping4 ping:ping5 ping:ping6 "
            "ping:ping7 ping:ping8 ping:ping9");
  ExpectLog(ClientFrame(0x81, "t") + ClientFrame(0x82, "bb"), "text:t bin:2");
}

TEST(parser_thousands_of_frames_in_one_buffer) {
  std::string in;
  for (int i = 0; i < 10000; ++i) in += ClientFrame(0x81, std::to_string(i), true, 0x11111111u * i);
  RunResult r = Run(in, Split::kWhole);
  EXPECT_EQ(r.messages.size(), size_t{10000});
  EXPECT_TRUE(r.messages.size() == 10000 && r.messages[9999] == "9999");
  EXPECT_EQ(r.consumed, in.size());
}

TEST(parser_utf8_across_fragments) {
  // € split inside the character across two fragments (ws oracle row).
  ExpectLog(ClientFrame(0x01, Hex("e2 82")) + ClientFrame(0x80, Hex("ac")),
            "text:" + Hex("e2 82 ac"));
  // Autobahn 6.2: valid text split at every byte position into two fragments.
  std::string s = Hex("ce ba e1 bd b9 cf 83 ce bc ce b5 f0 9f 98 80");
  for (size_t at = 0; at <= s.size(); ++at) {
    EXPECT_EQ(
        Run(ClientFrame(0x01, s.substr(0, at)) + ClientFrame(0x80, s.substr(at)), Split::kWhole)
            .log,
        "text:" + s);
  }
  // ... and one fragment per byte (Autobahn 6.2.4).
  std::string in = ClientFrame(0x01, s.substr(0, 1));
  for (size_t i = 1; i + 1 < s.size(); ++i) in += ClientFrame(0x00, s.substr(i, 1));
  in += ClientFrame(0x80, s.substr(s.size() - 1));
  ExpectLog(in, "text:" + s);
  // Autobahn 6.1: empty fragments.
  ExpectLog(ClientFrame(0x01, "") + ClientFrame(0x00, "") + ClientFrame(0x80, ""), "text:");
  // Binary frames are never UTF-8 checked.
  ExpectLog(ClientFrame(0x82, Hex("ff fe ed a0 80")), "bin:5");
}

TEST(parser_data_after_close_is_ignored) {
  std::string close = ClientFrame(0x88, Hex("03 e8") + "bye");
  std::string in = close + ClientFrame(0x81, "late") + ClientFrame(0x89, "p");
  RunResult r = Run(in, Split::kWhole);
  EXPECT_EQ(r.log, "close:1000:bye");
  EXPECT_EQ(r.consumed, close.size());
  EXPECT_EQ(Run(in, Split::kBytes).log, "close:1000:bye");
  Harness h;
  h.Feed(close);
  EXPECT_TRUE(h.parser.done());
  EXPECT_EQ(h.Feed(ClientFrame(0x81, "x")), size_t{0});
  EXPECT_EQ(h.sink.log, "close:1000:bye");
}

// ---- frame parser: protocol errors by close code ------------------------------------------------

TEST(parser_ws_oracle_rows) {
  // reliability-plan §2.4, row by row (ws 8.23 answers, ours must match).
  ExpectLog(ClientFrame(0x81, "Hello"), "text:Hello");
  ExpectLog(Hex("81 05 48 65 6c 6c 6f"), "error:1002");  // unmasked (RFC §5.7)
  ExpectLog(ClientFrame(0xc1, "Hello"), "error:1002");   // RSV1, no extension
  ExpectLog(ClientFrame(0xa1, "Hello"), "error:1002");   // RSV2
  ExpectLog(ClientFrame(0x83, ""), "error:1002");        // opcode 3
  ExpectLog(ClientFrame(0x8b, ""), "error:1002");        // opcode 0xB
  ExpectLog(ClientFrame(0x89, std::string(125, 'x')), "ping:" + std::string(125, 'x'));
  ExpectLog(ClientFrame(0x89, std::string(126, 'x')), "error:1002");         // Autobahn 2.5
  ExpectLog(ClientFrame(0x09, "p") + ClientFrame(0x80, "q"), "error:1002");  // fragmented ping
  ExpectLog(ClientFrame(0x80, "x"), "error:1002");                           // nothing to continue
  ExpectLog(ClientFrame(0x01, "a") + ClientFrame(0x81, "b"), "error:1002");  // Autobahn 5.18
  ExpectLog(ClientFrame(0x01, "a") + ClientFrame(0x89, "p") + ClientFrame(0x80, "bcd"),
            "ping:p text:abcd");
  ExpectLog(ClientFrame(0x81, "a" + Hex("ed a0 80") + "b"), "error:1007");
  ExpectLog(ClientFrame(0x01, Hex("e2 82")) + ClientFrame(0x80, Hex("ac")),
            "text:" + Hex("e2 82 ac"));
  ExpectLog(ClientFrame(0x88, ""), "close:1005:");
  ExpectLog(ClientFrame(0x88, Hex("03")), "error:1002");  // 1-byte close payload
  ExpectLog(ClientFrame(0x88, Hex("03 e8") + "bye"), "close:1000:bye");
  ExpectLog(ClientFrame(0x88, Hex("03 ed")), "error:1002");  // 1005 on the wire
  ExpectLog(ClientFrame(0x88, Hex("03 e7")), "error:1002");  // 999
  ExpectLog(ClientFrame(0x88, Hex("03 f8")), "error:1002");  // 1016
  ExpectLog(ClientFrame(0x88, Hex("13 88")), "error:1002");  // 5000
  ExpectLog(ClientFrame(0x88, Hex("0b b8")), "close:3000:");
  ExpectLog(ClientFrame(0x88, Hex("03 e8 ff fe")), "error:1007");  // reason not UTF-8
  ExpectLog(ClientFrame(0x88, Hex("03 e8") + std::string(124, 'r')), "error:1002");  // 126 B
  ExpectLog(Hex("82 ff 80 00 00 00 00 00 00 00 00 00 00 00"), "error:1002");         // length MSB
  ExpectLog(ClientFrame(0x88, Hex("03 e8")) + ClientFrame(0x81, "text"), "close:1000:");
  ExpectLog(ClientFrame(0x8a, "x") + ClientFrame(0x81, "Hello"), "pong:x text:Hello");
  // The named errors behind some of those rows.
  EXPECT_EQ(Run(Hex("81 05 48 65 6c 6c 6f"), Split::kWhole).error, kErrUnmasked);
  EXPECT_EQ(Run(ClientFrame(0x80, "x"), Split::kWhole).error, kErrUnexpectedContinuation);
  EXPECT_EQ(Run(ClientFrame(0x01, "a") + ClientFrame(0x82, "b"), Split::kWhole).error,
            kErrExpectedContinuation);
  EXPECT_EQ(Run(ClientFrame(0x09, "p"), Split::kWhole).error, kErrControlFragmented);
  EXPECT_EQ(Run(ClientFrame(0x89, std::string(126, 'x')), Split::kWhole).error, kErrControlTooLong);
  EXPECT_EQ(Run(ClientFrame(0x88, Hex("03")), Split::kWhole).error, kErrCloseLength);
  EXPECT_EQ(Run(ClientFrame(0x88, Hex("03 e7")), Split::kWhole).error, kErrInvalidCloseCode);
  EXPECT_EQ(Run(ClientFrame(0x88, Hex("03 e8 ff")), Split::kWhole).error, kErrInvalidCloseReason);
  EXPECT_EQ(Run(Hex("82 ff 80 00 00 00 00 00 00 00 00 00 00 00"), Split::kWhole).error,
            kErrLengthMsbSet);
  EXPECT_EQ(CloseCodeFor(kErrTooBigMessage), 1009);
  EXPECT_EQ(CloseCodeFor(kErrInflate), 1007);
  EXPECT_EQ(CloseCodeFor(kErrReservedOpcode), 1002);
}

TEST(parser_autobahn_3_reserved_bits) {
  // 3.1–3.7: RSV 1..7 on text/binary/ping/close; a prior valid message is delivered, nothing after.
  for (int rsv = 1; rsv <= 7; ++rsv) {
    for (uint8_t op : {0x1, 0x2, 0x9, 0x8}) {
      uint8_t b0 = static_cast<uint8_t>(0x80 | (rsv << 4) | op);
      std::string in = ClientFrame(0x81, "Hello") + ClientFrame(b0, op == 0x8 ? "" : "x") +
                       ClientFrame(0x89, "after");
      ExpectLog(in, "text:Hello error:1002");
      EXPECT_EQ(Run(in, Split::kWhole).error, kErrReservedBits);
    }
  }
}

TEST(parser_autobahn_4_reserved_opcodes) {
  for (uint8_t op : {0x3, 0x4, 0x5, 0x6, 0x7, 0xb, 0xc, 0xd, 0xe, 0xf}) {
    std::string in = ClientFrame(0x81, "Hello") +
                     ClientFrame(static_cast<uint8_t>(0x80 | op), "rs") +
                     ClientFrame(0x89, "after");
    ExpectLog(in, "text:Hello error:1002");
    EXPECT_EQ(Run(in, Split::kWhole).error, kErrReservedOpcode);
  }
}

TEST(parser_autobahn_5_fragmentation_errors) {
  ExpectLog(ClientFrame(0x09, "frag1") + ClientFrame(0x80, "frag2"), "error:1002");  // 5.1
  ExpectLog(ClientFrame(0x0a, "frag1") + ClientFrame(0x80, "frag2"), "error:1002");  // 5.2
  ExpectLog(ClientFrame(0x00, "x") + ClientFrame(0x81, "y"), "error:1002");          // 5.9-ish
  ExpectLog(ClientFrame(0x80, "x") + ClientFrame(0x81, "y"), "error:1002");
  // 5.15: fragmented text, then a stray continuation after it completed.
  ExpectLog(ClientFrame(0x01, "a") + ClientFrame(0x80, "b") + ClientFrame(0x00, "c") +
                ClientFrame(0x80, "d"),
            "text:ab error:1002");
  // 5.17-ish: binary start inside a text message.
  ExpectLog(ClientFrame(0x01, "a") + ClientFrame(0x02, "b"), "error:1002");
  // The error fires on the first byte of the offending frame: no more input is needed.
  Harness h;
  h.Feed(ClientFrame(0x01, "a"));
  h.Feed(std::string(1, '\x81'));
  EXPECT_EQ(h.sink.log, "error:1002");
}

TEST(parser_autobahn_7_close_codes) {
  for (int code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000,
                   3999, 4000, 4999}) {
    std::string p = {static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
    ExpectLog(ClientFrame(0x88, p + "ok"), "close:" + std::to_string(code) + ":ok");
  }
  for (int code : {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535}) {
    std::string p = {static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
    ExpectLog(ClientFrame(0x88, p), "error:1002");
  }
  // 7.3.5 / 7.3.6: reason of 123 bytes is fine, 124 is a 126-byte control frame.
  ExpectLog(ClientFrame(0x88, Hex("03 e8") + std::string(123, 'r')),
            "close:1000:" + std::string(123, 'r'));
  ExpectLog(ClientFrame(0x88, Hex("03 e8") + std::string(124, 'r')), "error:1002");
  // 7.5.1: invalid UTF-8 reason.
  ExpectLog(ClientFrame(0x88, Hex("03 e8 ce ba e1 bd b9 cf 83 ce bc ce b5 ed a0 80 65 64")),
            "error:1007");
  // 7.1.2-ish: a close after a message, then another close (ignored).
  ExpectLog(
      ClientFrame(0x81, "m") + ClientFrame(0x88, Hex("03 e8")) + ClientFrame(0x88, Hex("03 e9")),
      "text:m close:1000:");
}

TEST(parser_utf8_fail_fast) {
  // Autobahn 6.4.1 shape: part 1 valid (FIN=0), part 2 holds F4 90 80 80 (FIN=0): the error must
  // come with part 2, before part 3 is sent.
  Harness h;
  h.Feed(ClientFrame(0x01, Hex("ce ba e1 bd b9 cf 83 ce bc ce b5")));
  EXPECT_EQ(h.sink.log, "");
  h.Feed(ClientFrame(0x00, Hex("f4 90 80 80")));
  EXPECT_EQ(h.sink.log, "error:1007");
  EXPECT_EQ(h.parser.error(), kErrInvalidUtf8);
  // Inside one frame: the error fires at the bad byte while the rest of the payload is missing.
  Harness h2;
  std::string f = ClientFrame(0x81, "abc" + Hex("c0 af") + std::string(1000, 'z'));
  h2.Feed(f.substr(0, 4 + 4 + 4));  // header (4) + mask (4) + "abc" + 0xC0
  EXPECT_EQ(h2.sink.log, "error:1007");
  // A message that ends inside a character.
  ExpectLog(ClientFrame(0x81, Hex("e2 82")), "error:1007");
  ExpectLog(ClientFrame(0x01, "ok") + ClientFrame(0x80, Hex("f0 9f 98")), "error:1007");
}

TEST(parser_message_size_limit) {
  const uint64_t kMax = 1000;
  ExpectLog(ClientFrame(0x82, std::string(1000, 'a')), "bin:1000", kMax);
  ExpectLog(ClientFrame(0x82, std::string(1001, 'a')), "error:1009", kMax);
  // Across fragments: 600 + 400 fits, 600 + 401 does not.
  ExpectLog(ClientFrame(0x02, std::string(600, 'a')) + ClientFrame(0x80, std::string(400, 'b')),
            "bin:1000", kMax);
  ExpectLog(ClientFrame(0x02, std::string(600, 'a')) + ClientFrame(0x80, std::string(401, 'b')),
            "error:1009", kMax);
  // The counter restarts for each message (control frames in between do not count).
  ExpectLog(ClientFrame(0x02, std::string(600, 'a')) + ClientFrame(0x89, "p") +
                ClientFrame(0x80, std::string(400, 'b')) +
                ClientFrame(0x82, std::string(1000, 'c')),
            "ping:p bin:1000 bin:1000", kMax);
  // Refused from the header alone, before any payload byte is sent or buffered (ws oracle:
  // 2 MiB message with a 1 MiB limit → 1009).
  Harness h(1 << 20);
  std::string header = ClientFrame(0x82, std::string(2 << 20, 'x')).substr(0, 14);
  EXPECT_EQ(h.Feed(header), header.size());
  EXPECT_EQ(h.sink.log, "error:1009");
  EXPECT_EQ(h.parser.error(), kErrTooBigMessage);
  EXPECT_EQ(h.parser.buffered(), size_t{0});
  // A second fragment whose header pushes the total past the limit fails at its header.
  Harness h2(kMax);
  h2.Feed(ClientFrame(0x02, std::string(900, 'a')));
  std::string second = ClientFrame(0x80, std::string(200, 'b'));
  h2.Feed(second.substr(0, 8));
  EXPECT_EQ(h2.sink.log, "error:1009");
  // A 63-bit length just under the MSB is a size error, not a crash.
  ExpectLog(Hex("82 ff 7f ff ff ff ff ff ff ff 00 00 00 00"), "error:1009");
  // 0 = no limit.
  ExpectLog(ClientFrame(0x82, std::string(5000, 'a')), "bin:5000", 0);
}

// ---- permessage-deflate -------------------------------------------------------------------------

TEST(deflate_rfc7692_examples_through_parser) {
  DeflateParams p = Deflate();
  // §7.2.3.1: "Hello" in one compressed frame, and the same split into two fragments.
  ExpectLog(ClientFrame(0xc1, Hex("f2 48 cd c9 c9 07 00")), "text:Hello", kDefaultMaxMessageSize,
            &p);
  ExpectLog(ClientFrame(0x41, Hex("f2 48 cd")) + ClientFrame(0x80, Hex("c9 c9 07 00")),
            "text:Hello", kDefaultMaxMessageSize, &p);
  // §7.2.3.2: the second "Hello" refers back into the shared window.
  ExpectLog(
      ClientFrame(0xc1, Hex("f2 48 cd c9 c9 07 00")) + ClientFrame(0xc1, Hex("f2 00 11 00 00")),
      "text:Hello text:Hello", kDefaultMaxMessageSize, &p);
  // §7.2.3.3: a stored (uncompressed) block.
  ExpectLog(ClientFrame(0xc1, Hex("00 05 00 fa ff 48 65 6c 6c 6f 00")), "text:Hello",
            kDefaultMaxMessageSize, &p);
  // §7.2.3.4: BFINAL set (the peer ended its deflate stream); a message after it still works.
  ExpectLog(ClientFrame(0xc1, Hex("f3 48 cd c9 c9 07 00 00")) +
                ClientFrame(0xc1, Hex("f2 48 cd c9 c9 07 00")),
            "text:Hello text:Hello", kDefaultMaxMessageSize, &p);
  // §7.2.3.5: two deflate blocks in one message.
  ExpectLog(ClientFrame(0xc1, Hex("f2 48 05 00 00 00 ff ff ca c9 c9 07 00")), "text:Hello",
            kDefaultMaxMessageSize, &p);
  // §7.2.3.6-style empty message, and uncompressed messages mixed in (RSV1 clear).
  ExpectLog(
      ClientFrame(0xc1, Hex("00")) + ClientFrame(0x81, "plain") + ClientFrame(0xc2, Hex("00")),
      "text: text:plain bin:0", kDefaultMaxMessageSize, &p);
}

TEST(deflate_parser_rsv1_rules) {
  DeflateParams p = Deflate();
  // RSV1 on a continuation, on a ping, RSV2 even with deflate, RSV1 without negotiation.
  ExpectLog(ClientFrame(0x41, Hex("f2 48 cd")) + ClientFrame(0xc0, Hex("c9 c9 07 00")),
            "error:1002", kDefaultMaxMessageSize, &p);
  ExpectLog(ClientFrame(0xc9, ""), "error:1002", kDefaultMaxMessageSize, &p);
  ExpectLog(ClientFrame(0xa1, "x"), "error:1002", kDefaultMaxMessageSize, &p);
  ExpectLog(ClientFrame(0xc1, Hex("f2 48 cd c9 c9 07 00")), "error:1002");
  // Corrupt data → 1007 (ws answers 1007 for inflate errors); compressed invalid UTF-8 → 1007.
  ExpectLog(ClientFrame(0xc1, Hex("ff ff ff ff ff ff")), "error:1007", kDefaultMaxMessageSize, &p);
  EXPECT_EQ(
      Run(ClientFrame(0xc1, Hex("ff ff ff ff")), Split::kWhole, kDefaultMaxMessageSize, &p).error,
      kErrInflate);
  ClientCompressor c;
  ExpectLog(ClientFrame(0xc1, c.Compress("ok" + Hex("ed a0 80"))), "error:1007",
            kDefaultMaxMessageSize, &p);
  ClientCompressor c2;
  EXPECT_EQ(
      Run(ClientFrame(0xc1, c2.Compress(Hex("ff"))), Split::kWhole, kDefaultMaxMessageSize, &p)
          .error,
      kErrInvalidUtf8);
}

TEST(deflate_parser_context_takeover_streams) {
  // Client with context takeover: several messages that reference earlier ones.
  DeflateParams p = Deflate();
  ClientCompressor c;
  std::string in, want;
  std::vector<std::string> texts;
  for (int i = 0; i < 5; ++i) texts.push_back(SampleText(3000 + i * 100, 7));  // similar texts
  for (const std::string& t : texts) in += ClientFrame(0xc1, c.Compress(t));
  for (Split s : {Split::kWhole, Split::kBytes, Split::kRandom}) {
    RunResult r = Run(in, s, kDefaultMaxMessageSize, &p);
    EXPECT_EQ(r.error, kErrNone);
    EXPECT_TRUE(r.messages == texts);
  }
  // Fragmented compressed message: compressed bytes cut into 7-byte frames.
  ClientCompressor c3;
  std::string z = c3.Compress(texts[0]);
  std::string frag = ClientFrame(0x41, z.substr(0, 7));
  for (size_t i = 7; i < z.size(); i += 7) {
    frag += ClientFrame(i + 7 >= z.size() ? 0x80 : 0x00, z.substr(i, 7));
  }
  RunResult r = Run(frag, Split::kBytes, kDefaultMaxMessageSize, &p);
  EXPECT_TRUE(r.messages.size() == 1 && r.messages[0] == texts[0]);
  // client_no_context_takeover: the client resets per message; our inflater is freed after each.
  DeflateParams pn = Deflate(false, true);
  Harness h(kDefaultMaxMessageSize, &pn);
  for (const std::string& t : texts) {
    ClientCompressor fresh;
    h.Feed(ClientFrame(0xc1, fresh.Compress(t)));
    EXPECT_EQ(h.pmd->MemoryInUse(), size_t{0});
  }
  EXPECT_TRUE(h.sink.messages == texts);
}

TEST(deflate_bomb_stopped_at_limit) {
  // 20 MiB of zeros compresses to ~20 KB; with a 1 MiB limit the parser must stop with 1009
  // holding at most the limit (+1 byte), never the 20 MiB.
  const uint64_t kMax = 1 << 20;
  ClientCompressor c;
  std::string bomb = c.Compress(std::string(20 << 20, '\0'));
  EXPECT_TRUE(bomb.size() < 64 * 1024);
  DeflateParams p = Deflate();
  for (Split s : {Split::kWhole, Split::kChop997}) {
    Harness h(kMax, &p);
    std::string in = ClientFrame(0xc2, bomb);
    for (size_t i = 0; i < in.size() && !h.parser.done();
         i += (s == Split::kWhole ? in.size() : 997)) {
      h.parser.Consume(in.data() + i,
                       std::min<size_t>(in.size() - i, s == Split::kWhole ? in.size() : 997),
                       h.sink);
      EXPECT_TRUE(h.parser.buffered() <= kMax + 1);
    }
    EXPECT_EQ(h.sink.log, "error:1009");
    EXPECT_EQ(h.parser.error(), kErrTooBigMessage);
  }
  // The whole-message API: stops at limit + 1 byte and allocates no more than that.
  PerMessageDeflate server(Deflate());
  std::string out;
  EXPECT_TRUE(server.Decompress(bomb, kMax, &out) == PerMessageDeflate::InflateResult::kTooBig);
  EXPECT_TRUE(out.size() <= kMax + 1);
  EXPECT_TRUE(out.capacity() <= kMax + 64);
  // Exactly at the limit is fine.
  ClientCompressor c2;
  std::string exact = c2.Compress(std::string(kMax, 'a'));
  PerMessageDeflate server2(Deflate());
  EXPECT_TRUE(server2.Decompress(exact, kMax, &out) == PerMessageDeflate::InflateResult::kOk);
  EXPECT_EQ(out.size(), size_t{kMax});
  ExpectLog(ClientFrame(0xc2, exact), "bin:1048576", kMax, &p);
}

TEST(deflate_compress_known_bytes_and_takeover) {
  // Our compressor reproduces RFC 7692 §7.2.3.1 and §7.2.3.2 with zlib's defaults.
  PerMessageDeflate pmd(Deflate());
  std::string z;
  EXPECT_TRUE(pmd.Compress(std::string("Hello"), &z));
  EXPECT_EQ(ToHex(z), "f248cdc9c90700");
  EXPECT_TRUE(pmd.Compress(std::string("Hello"), &z));
  EXPECT_EQ(ToHex(z), "f200110000");
  // Empty message: a single 0x00 (§7.2.3.6), both fresh and mid-stream.
  EXPECT_TRUE(pmd.Compress(std::string(), &z));
  EXPECT_EQ(ToHex(z), "00");
  // Context takeover on: the repeat costs far less. Off: identical output each time, and the
  // compressor holds no memory between messages.
  std::string text = SampleText(4000, 3);
  PerMessageDeflate on(Deflate(false)), off(Deflate(true));
  std::string a1, a2, b1, b2;
  EXPECT_TRUE(on.Compress(text, &a1));
  EXPECT_TRUE(on.Compress(text, &a2));
  EXPECT_TRUE(a2.size() * 4 < a1.size());
  EXPECT_TRUE(on.MemoryInUse() > 200 * 1024);
  EXPECT_TRUE(off.Compress(text, &b1));
  EXPECT_EQ(off.MemoryInUse(), size_t{0});
  EXPECT_TRUE(off.Compress(text, &b2));
  EXPECT_EQ(b1, b2);
  EXPECT_EQ(b1, a1);
  // A client with context takeover decodes our stream (independent zlib inflate).
  z_stream client{};
  EXPECT_EQ(RawInflate(a1, 15, &client), text);
  EXPECT_EQ(RawInflate(a2, 15, &client), text);
  inflateEnd(&client);
  EXPECT_EQ(RawInflate(b2, 15), text);
}

TEST(deflate_window_bits_and_memory) {
  // server_max_window_bits=9: the output must decode with a 512-byte window (independent zlib).
  std::string text = SampleText(100000, 5);
  for (int bits : {9, 10, 12, 15}) {
    PerMessageDeflate pmd(Deflate(false, false, bits));
    std::string z;
    EXPECT_TRUE(pmd.Compress(text, &z));
    EXPECT_EQ(RawInflate(z, bits) == text, true);
    EXPECT_EQ(pmd.deflate_window_bits(), bits);
    EXPECT_EQ(pmd.deflate_mem_level(), std::min(8, std::max(1, bits - 7)));
    std::printf("    deflate memory at window %2d, memLevel %d: %zu bytes\n", bits,
                pmd.deflate_mem_level(), pmd.MemoryInUse());
    EXPECT_TRUE(pmd.MemoryInUse() <=
                (size_t{1} << (bits + 2)) + (size_t{1} << (pmd.deflate_mem_level() + 9)) + 8192);
  }
  // 8 is never handed to zlib (it refuses raw windowBits 8): 9 is used.
  PerMessageDeflate eight(Deflate(false, false, 8, 8));
  EXPECT_EQ(eight.deflate_window_bits(), 9);
  EXPECT_EQ(eight.inflate_window_bits(), 9);
  std::string z;
  EXPECT_TRUE(eight.Compress(text, &z));
  // Inflate memory: ~ 2^bits + state, created on first use, kept with takeover.
  PerMessageDeflate in15(Deflate());
  EXPECT_EQ(in15.MemoryInUse(), size_t{0});
  ClientCompressor c;
  std::string out;
  EXPECT_TRUE(in15.Decompress(c.Compress(text), 1 << 20, &out) ==
              PerMessageDeflate::InflateResult::kOk);
  EXPECT_TRUE(out == text);
  std::printf("    inflate memory at window 15: %zu bytes\n", in15.MemoryInUse());
  EXPECT_TRUE(in15.MemoryInUse() >= 32768 && in15.MemoryInUse() <= 48 * 1024);
  // A client compressing with a 9-bit window decodes with ours (client_max_window_bits=9).
  PerMessageDeflate in9(Deflate(false, false, 15, 9));
  ClientCompressor c9(false, 9);
  EXPECT_TRUE(in9.Decompress(c9.Compress(text), 1 << 20, &out) ==
              PerMessageDeflate::InflateResult::kOk);
  EXPECT_TRUE(out == text);
}

TEST(deflate_round_trip_sizes_and_data) {
  // Round trips over sizes and data shapes (Autobahn 12/13 style, generated data), both takeover
  // modes, through our compressor and our (streaming) decompressor.
  std::mt19937 rng(9);
  for (bool nct : {false, true}) {
    PerMessageDeflate server(Deflate(nct, nct));
    PerMessageDeflate client(Deflate(nct, nct));  // symmetric params: fine for a loopback test
    for (size_t n : {0, 1, 16, 64, 256, 1024, 4096, 32768, 131072}) {
      for (int kind = 0; kind < 3; ++kind) {
        std::string data;
        if (kind == 0) data = SampleText(n, static_cast<uint32_t>(n));
        if (kind == 1)
          for (size_t i = 0; i < n; ++i) data.push_back(static_cast<char>(rng()));
        if (kind == 2) data = std::string(n, 'A');
        std::string z, back;
        EXPECT_TRUE(server.Compress(data, &z));
        EXPECT_TRUE(client.Decompress(z, 1 << 20, &back) == PerMessageDeflate::InflateResult::kOk);
        if (back != data) {
          EXPECT_EQ(ToHex(back).substr(0, 40), ToHex(data).substr(0, 40));
          break;
        }
      }
    }
  }
}

// ---- handshake ----------------------------------------------------------------------------------

namespace {

Headers ValidHeaders() {
  return {{"Host", "127.0.0.1:8080"},
          {"Upgrade", "websocket"},
          {"Connection", "Upgrade"},
          {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
          {"Sec-WebSocket-Version", "13"}};
}

Headers With(Headers h, const std::string& name, const std::string& value) {
  h.emplace_back(name, value);
  return h;
}

Headers Without(Headers h, const std::string& name) {
  Headers out;
  for (auto& kv : h) {
    if (kv.first != name) out.push_back(kv);
  }
  return out;
}

HandshakeResult Eval(const Headers& h, const HandshakeOptions& o = HandshakeOptions(),
                     const std::string& method = "GET", int minor = 1) {
  return EvaluateHandshake(method, 1, minor, h, o);
}

std::string FindHeader(const Headers& h, const std::string& name) {
  for (auto& kv : h) {
    if (kv.first == name) return kv.second;
  }
  return "<absent>";
}

// The negotiated Sec-WebSocket-Extensions value for one offer header ("" = declined, "400").
std::string Negotiate(const std::string& offer, HandshakeOptions o = HandshakeOptions()) {
  HandshakeResult r = Eval(With(ValidHeaders(), "Sec-WebSocket-Extensions", offer), o);
  if (!r.ok) return std::to_string(r.status);
  EXPECT_EQ(r.deflate.enabled, !r.extensions.empty());
  return r.extensions;
}

}  // namespace

TEST(handshake_accept_key_rfc_sample) {
  EXPECT_EQ(AcceptKey("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  HandshakeResult r = Eval(ValidHeaders());
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.status, 101);
  EXPECT_EQ(r.accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  EXPECT_EQ(r.protocol, "");
  EXPECT_EQ(r.extensions, "");
  EXPECT_TRUE(!r.deflate.enabled);
  EXPECT_EQ(BuildAcceptResponse(r, "Sun, 06 Nov 1994 08:49:37 GMT"),
            "HTTP/1.1 101 Switching Protocols\r\n"
            "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            "Upgrade: websocket\r\n"
            "Connection: Upgrade\r\n"
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
            "\r\n");
  // No Content-Length, ever; Date optional.
  EXPECT_EQ(BuildAcceptResponse(r, "").find("Content-Length"), std::string::npos);
  EXPECT_EQ(BuildAcceptResponse(r, "").substr(0, 54),
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n");
  HandshakeResult bad = Eval(Without(ValidHeaders(), "Sec-WebSocket-Key"));
  EXPECT_EQ(BuildAcceptResponse(bad, "x"), "");
}

TEST(handshake_is_upgrade_detection) {
  EXPECT_TRUE(IsWebSocketUpgrade(ValidHeaders()));
  EXPECT_TRUE(
      IsWebSocketUpgrade({{"UPGRADE", "WebSocket"}, {"connection", "keep-alive, Upgrade"}}));
  EXPECT_TRUE(
      IsWebSocketUpgrade({{"upgrade", "websocket"}, {"Connection", "close, Upgrade"}}));  // #153
  EXPECT_TRUE(IsWebSocketUpgrade({{"Upgrade", "h2c"},
                                  {"Upgrade", " websocket "},
                                  {"Connection", "x"},
                                  {"Connection", "upgrade"}}));
  EXPECT_TRUE(!IsWebSocketUpgrade({{"Upgrade", "websocket"}, {"Connection", "keep-alive"}}));
  EXPECT_TRUE(!IsWebSocketUpgrade({{"Upgrade", "h2c"}, {"Connection", "Upgrade"}}));
  EXPECT_TRUE(!IsWebSocketUpgrade({{"Upgrade", "websockets"}, {"Connection", "Upgrade"}}));
  EXPECT_TRUE(!IsWebSocketUpgrade({{"Connection", "Upgrade"}}));
  EXPECT_TRUE(!IsWebSocketUpgrade({{"Upgrade", "websocket"}, {"Connection", "upgraded"}}));
  EXPECT_TRUE(!IsWebSocketUpgrade({}));
}

TEST(handshake_ws_oracle_rows) {
  // reliability-plan §2.5, "Required" column.
  HandshakeResult r = Eval(ValidHeaders(), HandshakeOptions(), "POST");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(FindHeader(r.error_headers, "Allow"), "GET");
  EXPECT_EQ(Eval(ValidHeaders(), HandshakeOptions(), "GET", 0).status, 400);  // HTTP/1.0
  EXPECT_EQ(EvaluateHandshake("GET", 2, 0, ValidHeaders(), HandshakeOptions()).status, 101);
  Headers foo = Without(ValidHeaders(), "Upgrade");
  EXPECT_EQ(Eval(With(foo, "Upgrade", "foo")).status, 400);
  r = Eval(With(Without(ValidHeaders(), "Connection"), "Connection", "keep-alive"));
  EXPECT_EQ(r.status, 426);
  EXPECT_EQ(FindHeader(r.error_headers, "Upgrade"), "websocket");
  EXPECT_EQ(Eval(Without(ValidHeaders(), "Sec-WebSocket-Key")).status, 400);
  EXPECT_EQ(
      Eval(With(Without(ValidHeaders(), "Sec-WebSocket-Key"), "Sec-WebSocket-Key", "AAAAAAAAAAA="))
          .status,
      400);  // 8-byte key
  for (const char* v : {"12", "8", "14", "", "13, 8", "abc"}) {
    r = Eval(With(Without(ValidHeaders(), "Sec-WebSocket-Version"), "Sec-WebSocket-Version", v));
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(FindHeader(r.error_headers, "Sec-WebSocket-Version"), "13");
  }
  r = Eval(Without(ValidHeaders(), "Sec-WebSocket-Version"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(FindHeader(r.error_headers, "Sec-WebSocket-Version"), "13");
  EXPECT_EQ(Eval(With(ValidHeaders(), "Sec-WebSocket-Protocol", "foo;bar")).status, 400);
  EXPECT_EQ(Negotiate("permessage-deflate; server_max_window_bits=16"), "");
  EXPECT_EQ(Negotiate("permessage-deflate; client_max_window_bits"), "permessage-deflate");
  EXPECT_EQ(Negotiate("permessage-deflate; server_max_window_bits=8"), "");
  for (const HandshakeResult& x : {Eval(ValidHeaders(), HandshakeOptions(), "POST"),
                                   Eval(Without(ValidHeaders(), "Sec-WebSocket-Key"))}) {
    EXPECT_TRUE(!x.ok);
    EXPECT_TRUE(!x.error.empty());
  }
}

TEST(handshake_headers_as_received) {
  // Any case, padding, repeated Upgrade/Connection lines.
  Headers h = {{"upgrade", "WebSocket"},
               {"CONNECTION", "keep-alive"},
               {"connection", "Upgrade"},
               {"sec-websocket-key", "  dGhlIHNhbXBsZSBub25jZQ==\t"},
               {"SEC-WEBSOCKET-VERSION", " 13 "}};
  HandshakeResult r = Eval(h);
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  // Two keys or two versions are ambiguous → 400.
  EXPECT_EQ(Eval(With(ValidHeaders(), "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")).status,
            400);
  EXPECT_EQ(Eval(With(ValidHeaders(), "Sec-WebSocket-Version", "13")).status, 400);
  // Key shape: 22 base64 characters + "==".
  for (const char* k :
       {"dGhlIHNhbXBsZSBub25jZQ=", "dGhlIHNhbXBsZSBub25jZQ===", "dGhlIHNhbXBsZSBub25jZ!==",
        "dGhlIHNhbXBsZSBub25jZQAA", "dGhlIHNhbXBsZSBub25j ZQ=="}) {
    EXPECT_EQ(
        Eval(With(Without(ValidHeaders(), "Sec-WebSocket-Key"), "Sec-WebSocket-Key", k)).status,
        400);
  }
  EXPECT_EQ(Eval(With(Without(ValidHeaders(), "Sec-WebSocket-Key"), "Sec-WebSocket-Key",
                      "AAAAAAAAAAAAAAAAAAAAAA=="))
                .status,
            101);
}

TEST(handshake_subprotocols) {
  HandshakeOptions o;
  o.protocols = {"superchat"};
  HandshakeResult r = Eval(With(ValidHeaders(), "Sec-WebSocket-Protocol", "chat, superchat"), o);
  EXPECT_EQ(r.protocol, "superchat");  // check 44
  EXPECT_EQ(FindHeader(r.response_headers, "Sec-WebSocket-Protocol"), "superchat");
  EXPECT_TRUE(BuildAcceptResponse(r, "").find("Sec-WebSocket-Protocol: superchat\r\n") !=
              std::string::npos);
  // No supported list → no header, still 101.
  r = Eval(With(ValidHeaders(), "Sec-WebSocket-Protocol", "chat, superchat"));
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.protocol, "");
  EXPECT_EQ(FindHeader(r.response_headers, "Sec-WebSocket-Protocol"), "<absent>");
  // None in common → no header. The client's preference order wins.
  o.protocols = {"x"};
  EXPECT_EQ(Eval(With(ValidHeaders(), "Sec-WebSocket-Protocol", "chat"), o).protocol, "");
  o.protocols = {"b", "a"};
  EXPECT_EQ(Eval(With(ValidHeaders(), "Sec-WebSocket-Protocol", "a, b"), o).protocol, "a");
  // Repeated header lines are one list; names are case-sensitive.
  Headers h =
      With(With(ValidHeaders(), "Sec-WebSocket-Protocol", "A"), "sec-websocket-protocol", "b");
  EXPECT_EQ(Eval(h, o).protocol, "b");
  // Malformed lists → 400 (ws): bad token, empty element, duplicate.
  for (const char* bad : {"foo;bar", "chat,,x", "chat, chat", "", "a b", "\"quoted\""}) {
    EXPECT_EQ(Eval(With(ValidHeaders(), "Sec-WebSocket-Protocol", bad), o).status, 400);
  }
}

TEST(handshake_permessage_deflate_rows) {
  EXPECT_EQ(Negotiate("permessage-deflate"), "permessage-deflate");
  EXPECT_EQ(Negotiate("permessage-deflate; client_no_context_takeover"),
            "permessage-deflate; client_no_context_takeover");
  EXPECT_EQ(Negotiate("permessage-deflate; server_no_context_takeover"),
            "permessage-deflate; server_no_context_takeover");
  EXPECT_EQ(Negotiate("permessage-deflate; client_max_window_bits=9"),
            "permessage-deflate; client_max_window_bits=9");
  EXPECT_EQ(Negotiate("permessage-deflate; client_max_window_bits=15"),
            "permessage-deflate; client_max_window_bits=15");
  EXPECT_EQ(Negotiate("permessage-deflate; server_max_window_bits=9"),
            "permessage-deflate; server_max_window_bits=9");
  EXPECT_EQ(Negotiate("permessage-deflate; server_max_window_bits=9; client_max_window_bits=9"),
            "permessage-deflate; server_max_window_bits=9; client_max_window_bits=9");
  EXPECT_EQ(Negotiate("permessage-deflate; server_max_window_bits=15; client_max_window_bits=15"),
            "permessage-deflate; server_max_window_bits=15; client_max_window_bits=15");
  EXPECT_EQ(Negotiate("permessage-deflate; server_max_window_bits=\"10\""),
            "permessage-deflate; server_max_window_bits=10");
  EXPECT_EQ(Negotiate("PerMessage-Deflate ;  Client_Max_Window_Bits"), "permessage-deflate");
  // A list of offers: the first acceptable one wins (Autobahn 13.7 shape).
  EXPECT_EQ(Negotiate("permessage-deflate; client_no_context_takeover; client_max_window_bits, "
                      "permessage-deflate; client_max_window_bits, permessage-deflate"),
            "permessage-deflate; client_no_context_takeover");
  EXPECT_EQ(Negotiate("permessage-deflate; server_max_window_bits=8, permessage-deflate; "
                      "server_max_window_bits=10"),
            "permessage-deflate; server_max_window_bits=10");
  EXPECT_EQ(Negotiate("x-webkit-deflate-frame, permessage-deflate; foo, permessage-deflate"),
            "permessage-deflate");
  // Semantically invalid offers are declined (RFC 7692 §5), not fatal.
  for (const char* offer :
       {"permessage-deflate; server_max_window_bits=16",
        "permessage-deflate; server_max_window_bits=7",
        "permessage-deflate; server_max_window_bits=010",
        "permessage-deflate; server_max_window_bits",
        "permessage-deflate; server_max_window_bits=a",
        "permessage-deflate; client_max_window_bits=16",
        "permessage-deflate; server_no_context_takeover=1",
        "permessage-deflate; client_no_context_takeover; client_no_context_takeover",
        "permessage-deflate; client_max_window_bits; client_max_window_bits=10",
        "permessage-deflate; unknown", "permessage-deflate; server_max_window_bits=8",
        "x-webkit-deflate-frame"}) {
    EXPECT_EQ(Negotiate(offer), "");
  }
  // Syntax errors → 400 (ws).
  for (const char* offer : {"permessage-deflate;", "permessage-deflate; =1", ", permessage-deflate",
                            "permessage-deflate,", "permessage-deflate; a=\"1 2\"",
                            "permessage-deflate; a=", "permessage deflate",
                            "permessage-deflate; a=\"unterminated", "", "permessage-deflate;; a"}) {
    EXPECT_EQ(Negotiate(offer), "400");
  }
  // Negotiated parameters reach DeflateParams.
  HandshakeResult r = Eval(With(ValidHeaders(), "Sec-WebSocket-Extensions",
                                "permessage-deflate; server_no_context_takeover; "
                                "client_no_context_takeover; server_max_window_bits=10; "
                                "client_max_window_bits=11"));
  EXPECT_TRUE(r.deflate.enabled && r.deflate.server_no_context_takeover &&
              r.deflate.client_no_context_takeover);
  EXPECT_EQ(r.deflate.server_max_window_bits, 10);
  EXPECT_EQ(r.deflate.client_max_window_bits, 11);
  EXPECT_EQ(FindHeader(r.response_headers, "Sec-WebSocket-Extensions"), r.extensions);
  r = Eval(With(ValidHeaders(), "Sec-WebSocket-Extensions",
                "permessage-deflate; client_max_window_bits"));
  EXPECT_EQ(r.deflate.client_max_window_bits, 15);
  EXPECT_EQ(r.deflate.server_max_window_bits, 15);
  // Two header lines form one list.
  Headers two = With(With(ValidHeaders(), "Sec-WebSocket-Extensions", "foo"),
                     "sec-websocket-extensions", "permessage-deflate");
  EXPECT_EQ(Eval(two).extensions, "permessage-deflate");
  // Options: deflate off ignores the header entirely (even a malformed one); forced
  // server_no_context_takeover is added to the answer.
  HandshakeOptions off;
  off.enable_deflate = false;
  EXPECT_EQ(Negotiate("permessage-deflate", off), "");
  EXPECT_EQ(Negotiate("permessage-deflate;;;", off), "");
  HandshakeOptions snct;
  snct.server_no_context_takeover = true;
  EXPECT_EQ(Negotiate("permessage-deflate", snct),
            "permessage-deflate; server_no_context_takeover");
}

TEST(handshake_parse_extensions_and_hostile_input) {
  std::vector<ExtensionOffer> offers;
  EXPECT_TRUE(ParseExtensions("a; b; c=1; d=\"x\\yz\", e", &offers));
  EXPECT_EQ(offers.size(), size_t{2});
  if (offers.size() == 2) {
    EXPECT_EQ(offers[0].name, "a");
    EXPECT_EQ(offers[0].params.size(), size_t{3});
    EXPECT_TRUE(!offers[0].params[0].has_value);
    EXPECT_TRUE(offers[0].params[1].has_value);
    EXPECT_EQ(offers[0].params[1].value, "1");
    EXPECT_EQ(offers[0].params[2].value, "xyz");  // quoted-pair unescaped
    EXPECT_EQ(offers[1].name, "e");
  }
  // Check 45: a 7 KiB extension header with 500 parameters, and 1000 offers — linear, fast.
  std::string big = "permessage-deflate";
  for (int i = 0; i < 500; ++i) big += "; p" + std::to_string(i) + "=v";
  std::string many;
  for (int i = 0; i < 1000; ++i) many += (i ? ", " : "") + std::string("permessage-deflate; x");
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(Negotiate(big), "");
  EXPECT_EQ(Negotiate(many), "");
  EXPECT_EQ(Negotiate(std::string(100000, ';')), "400");
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_TRUE(ms < 50);
  std::printf("    hostile extension headers parsed in %.2f ms\n", ms);
}

// ---- writer ↔ parser round trip -----------------------------------------------------------------

TEST(writer_frames_parse_back_when_masked) {
  // Server frames are unmasked; mask them as a client would and the parser must get them back.
  auto mask = [](const std::string& server_frame) {
    size_t len7 = static_cast<uint8_t>(server_frame[1]) & 0x7F;
    size_t hdr = len7 == 126 ? 4 : len7 == 127 ? 10 : 2;
    std::string f = server_frame.substr(0, hdr);
    f[1] = static_cast<char>(f[1] | 0x80);
    f += Hex("01 02 03 04");
    for (size_t i = hdr; i < server_frame.size(); ++i) {
      f.push_back(static_cast<char>(server_frame[i] ^ (1 + ((i - hdr) & 3))));
    }
    return f;
  };
  std::string in =
      mask(EncodeFrame(kOpText, "Hello")) + mask(EncodeFrame(kOpBinary, std::string(70000, 'b'))) +
      mask(EncodeFrame(kOpText, "frag-", false, false)) + mask(EncodeFrame(kOpPing, "p")) +
      mask(EncodeFrame(kOpContinuation, "ment")) + mask(CloseFrame(1001, "going"));
  ExpectLog(in, "text:Hello bin:70000 ping:p text:frag-ment close:1001:going");
}

// ---- main ---------------------------------------------------------------------------------------

int main() {
  int failed_tests = 0;
  for (const TestCase& t : Registry()) {
    g_current = t.name;
    int before = g_failures;
    auto t0 = std::chrono::steady_clock::now();
    t.fn();
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    bool ok = g_failures == before;
    if (!ok) ++failed_tests;
    std::printf("%s %s (%.0f ms)\n", ok ? "ok  " : "FAIL", t.name, ms);
  }
  std::printf("\n%zu tests, %d checks, %d failed checks, %d failed tests\n", Registry().size(),
              g_checks, g_failures, failed_tests);
  return g_failures == 0 ? 0 : 1;
}
