// Standalone tests of the streamed-response encoder (src-native/http/stream_encoder.cc): chunked
// coding, the enforced Content-Length, close-delimited bodies and gzip with a sync flush per
// chunk (each chunk decodes on arrival). Runs on the test's main thread; no uv.h, no napi.h.
// Built and run under ASan + UBSan by scripts/test-stream-pure.sh (and so by `npm test`).
#include <zlib.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "check.h"
#include "http/stream_encoder.h"

int g_checks = 0;
int g_failures = 0;

namespace {

using httpuv::AppendChunk;
using httpuv::GzipStream;
using httpuv::StreamEncoder;
using Framing = StreamEncoder::Framing;
using Result = StreamEncoder::Result;

struct TestCase {
  const char* name;
  void (*fn)();
};
std::vector<TestCase>& Registry() {
  static std::vector<TestCase> r;
  return r;
}
struct Reg {
  Reg(const char* n, void (*f)()) { Registry().push_back({n, f}); }
};
#define TEST(name)                     \
  void test_##name();                  \
  Reg reg_##name(#name, test_##name);  \
  void test_##name()

// Decodes a chunked body; false if malformed. `complete` tells whether the last chunk was seen.
bool Dechunk(const std::string& in, std::string* out, bool* complete) {
  size_t at = 0;
  *complete = false;
  while (at < in.size()) {
    size_t crlf = in.find("\r\n", at);
    if (crlf == std::string::npos) return false;
    size_t n = std::stoul(in.substr(at, crlf - at), nullptr, 16);
    at = crlf + 2;
    if (n == 0) {
      *complete = in.compare(at, std::string::npos, "\r\n") == 0;
      return *complete;
    }
    if (at + n + 2 > in.size() || in.compare(at + n, 2, "\r\n") != 0) return false;
    out->append(in, at, n);
    at += n + 2;
  }
  return true;
}

// Inflates gzip bytes that may be a prefix of a member (flushed): what decodes so far.
std::string Gunzip(const std::string& in, bool* ended) {
  z_stream zs{};
  inflateInit2(&zs, 15 + 16);
  std::string out;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  char buf[4096];
  int rc = Z_OK;
  do {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof(buf);
    rc = inflate(&zs, Z_SYNC_FLUSH);
    out.append(buf, sizeof(buf) - zs.avail_out);
  } while (rc == Z_OK && (zs.avail_in > 0 || zs.avail_out == 0));
  *ended = rc == Z_STREAM_END;
  inflateEnd(&zs);
  return out;
}

TEST(append_chunk_hex_sizes) {
  std::string out;
  AppendChunk(&out, "hello", 5);
  CHECK_EQ(out, std::string("5\r\nhello\r\n"));
  out.clear();
  std::string big(0x1a2b, 'x');
  AppendChunk(&out, big.data(), big.size());
  CHECK_EQ(out.substr(0, 6), std::string("1a2b\r\n"));
  CHECK_EQ(out.size(), big.size() + 8);
  out.clear();
  AppendChunk(&out, "", 0);  // never a zero-size chunk: that would end the message
  CHECK(out.empty());
}

TEST(chunked_round_trip) {
  StreamEncoder enc(Framing::kChunked, 0, false);
  std::string wire;
  const char* parts[] = {"data: one\n\n", "", "data: two\n\n", "x"};
  for (const char* p : parts) CHECK(enc.Chunk(p, std::char_traits<char>::length(p), &wire) == Result::kOk);
  std::string body;
  bool complete = true;
  CHECK(Dechunk(wire, &body, &complete));
  CHECK(!complete);  // no end yet: a cut here is a truncated message
  CHECK(enc.End(&wire) == Result::kOk);
  body.clear();
  CHECK(Dechunk(wire, &body, &complete));
  CHECK(complete);
  CHECK_EQ(body, std::string("data: one\n\ndata: two\n\nx"));
  CHECK_EQ(wire.substr(wire.size() - 5), std::string(httpuv::kLastChunk));
}

TEST(length_enforced) {
  StreamEncoder enc(Framing::kLength, 10, false);
  std::string wire;
  CHECK(enc.Chunk("12345", 5, &wire) == Result::kOk);
  CHECK_EQ(enc.remaining(), 5u);
  CHECK(enc.End(&wire) == Result::kTooShort);
  CHECK(enc.Chunk("123456", 6, &wire) == Result::kTooLong);
  CHECK_EQ(wire, std::string("12345"));  // nothing of the refused chunk
  CHECK(enc.Chunk("67890", 5, &wire) == Result::kOk);
  CHECK(enc.End(&wire) == Result::kOk);
  CHECK_EQ(wire, std::string("1234567890"));
  CHECK(enc.Chunk("x", 1, &wire) == Result::kTooLong);
  StreamEncoder gz(Framing::kLength, 3, true);  // gzip never applies to a declared length
  std::string w2;
  CHECK(gz.Chunk("abc", 3, &w2) == Result::kOk);
  CHECK_EQ(w2, std::string("abc"));
}

TEST(close_delimited_raw) {
  StreamEncoder enc(Framing::kClose, 0, false);
  std::string wire;
  CHECK(enc.Chunk("ab", 2, &wire) == Result::kOk);
  CHECK(enc.Chunk("cd", 2, &wire) == Result::kOk);
  CHECK(enc.End(&wire) == Result::kOk);
  CHECK_EQ(wire, std::string("abcd"));
}

TEST(gzip_each_chunk_decodes_on_arrival) {
  StreamEncoder enc(Framing::kChunked, 0, true);
  std::string wire;
  std::string expect;
  for (int i = 0; i < 50; i++) {
    std::string ev = "data: event " + std::to_string(i) + "\n\n";
    expect += ev;
    CHECK(enc.Chunk(ev.data(), ev.size(), &wire) == Result::kOk);
    std::string z;
    bool complete = false;
    CHECK(Dechunk(wire, &z, &complete));
    bool ended = true;
    CHECK_EQ(Gunzip(z, &ended), expect);  // everything so far, before the end
    CHECK(!ended);
  }
  CHECK(enc.End(&wire) == Result::kOk);
  std::string z;
  bool complete = false;
  CHECK(Dechunk(wire, &z, &complete));
  CHECK(complete);
  bool ended = false;
  CHECK_EQ(Gunzip(z, &ended), expect);
  CHECK(ended);
}

TEST(gzip_large_chunk_and_close_framing) {
  StreamEncoder enc(Framing::kClose, 0, true);
  std::string big;
  for (int i = 0; i < 200000; i++) big += static_cast<char>('a' + (i * 7919) % 26);
  std::string wire;
  CHECK(enc.Chunk(big.data(), big.size(), &wire) == Result::kOk);
  CHECK(enc.Chunk(big.data(), big.size(), &wire) == Result::kOk);
  CHECK(enc.End(&wire) == Result::kOk);
  bool ended = false;
  CHECK_EQ(Gunzip(wire, &ended), big + big);
  CHECK(ended);
}

TEST(gzip_stream_empty_body) {
  GzipStream g;
  CHECK(g.ok());
  std::string out;
  CHECK(g.Write("", 0, &out));
  CHECK(out.empty());
  CHECK(g.Finish(&out));
  bool ended = false;
  CHECK_EQ(Gunzip(out, &ended), std::string());
  CHECK(ended);
}

}  // namespace

int main() {
  int failed_tests = 0;
  for (const TestCase& t : Registry()) {
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
