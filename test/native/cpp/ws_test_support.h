// Shared support for the pure WebSocket layer's standalone C++ tests (ws_pure_*_test.cc): a
// tiny test harness (TEST, EXPECT_*) whose registry and counters are shared by every file, and
// frame/deflate helpers. Runs on the test's main thread; no uv.h, no napi.h.
#ifndef NODE_HTTPUV_TEST_NATIVE_CPP_WS_TEST_SUPPORT_H_
#define NODE_HTTPUV_TEST_NATIVE_CPP_WS_TEST_SUPPORT_H_

#include <zlib/zlib.h>  // deps/zlib, vendored (deps/zlib.gyp)

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

inline int g_checks = 0;
inline int g_failures = 0;
inline const char* g_current = "";

struct TestCase {
  const char* name;
  void (*fn)();
};
inline std::vector<TestCase>& Registry() {
  static std::vector<TestCase> tests;
  return tests;
}
struct Registrar {
  Registrar(const char* name, void (*fn)()) { Registry().push_back({name, fn}); }
};

inline std::string Printable(const std::string& s) {
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
inline std::string Printable(const char* s) { return Printable(std::string(s)); }
template <typename T>
std::string Printable(const T& v) {
  std::ostringstream o;
  o << v;
  return o.str();
}

inline void Report(const char* file, int line, const std::string& what) {
  ++g_failures;
  std::cerr << file << ":" << line << ": [" << g_current << "] " << what << "\n";
}

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

namespace wstest {

inline std::string Hex(const char* hex) {
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

inline std::string ToHex(const uint8_t* p, size_t n) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out.push_back(d[p[i] >> 4]);
    out.push_back(d[p[i] & 15]);
  }
  return out;
}
inline std::string ToHex(const std::string& s) {
  return ToHex(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

constexpr uint8_t kFin = 0x80;
constexpr uint8_t kRsv1 = 0x40;
constexpr uint32_t kKey = 0x37fa213d;  // RFC 6455 §5.7's masking key

// A client frame: first byte as given, MASK set (unless masked = false), shortest length.
inline std::string ClientFrame(uint8_t b0, const std::string& payload, bool masked = true,
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

inline RunResult Run(const std::string& in, Split split, uint64_t max = kDefaultMaxMessageSize,
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
inline void ExpectLog(const std::string& in, const std::string& expected,
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

inline DeflateParams Deflate(bool snct = false, bool cnct = false, int sbits = 15, int cbits = 15) {
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
inline std::string RawInflate(const std::string& compressed, int window_bits, z_stream* keep = nullptr) {
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
inline std::string SampleText(size_t n, uint32_t seed = 1) {
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

}  // namespace wstest

using namespace wstest;  // NOLINT(build/namespaces): test support

#endif  // NODE_HTTPUV_TEST_NATIVE_CPP_WS_TEST_SUPPORT_H_
