// Standalone unit tests of the WebSocket data path's fast paths (issue 19): the byte kernels
// (util/byte_kernels: unmask + copy + ASCII check, ASCII prefix), the UTF-8 validator's chunked
// fast paths, the frame parser's use of them (masks at every alignment, payloads split across
// frames and reads, invalid sequences at every position, message_ascii()) and the buffer pool.
// Each fast path is compared with a byte-at-a-time reference written here, at every length
// around the vector widths (8, 16, 32 bytes) and every pointer alignment. Runs on the test's main
// thread; no uv.h, no napi.h. Built by scripts/test-native-pure.sh (ASan + UBSan).
#include <algorithm>
#include <random>
#include <thread>
#include <vector>

#include "util/buffer_pool.h"
#include "util/byte_kernels.h"
#include "ws_test_support.h"
#include "../../../fuzz/targets/utf8_reference.h"

namespace {

using wstest::ClientFrame;
using wstest::Hex;
using wstest::kFin;

// Reference UTF-8 check: the byte-at-a-time one the fuzz harnesses use (written independently
// of util/utf8), so the tests and the fuzzers compare against one reference.
long RefFailIndex(const uint8_t* p, size_t n) { return fuzzref::Utf8FailIndex(p, n); }

long RefFailIndex(const std::string& s) {
  return RefFailIndex(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

// Where the incremental validator first fails when fed in pieces of `step` bytes, found by
// replaying the failing piece byte by byte (-2 / -3 when the piece-wise and byte-wise answers
// disagree); s.size() when valid but incomplete, -1 when valid and complete.
long ValidatorFailIndex(const std::string& s, size_t step) {
  util::Utf8Validator v;
  for (size_t i = 0; i < s.size(); i += step) {
    size_t n = std::min(step, s.size() - i);
    if (!v.Feed(s.data() + i, n)) {
      // Replay up to this piece, then byte by byte, to find the exact byte.
      util::Utf8Validator w;
      if (i > 0 && !w.Feed(s.data(), i)) return -2;  // failed earlier than reported
      for (size_t k = 0; k < n; ++k) {
        if (!w.Feed(s.data() + i + k, 1)) return static_cast<long>(i + k);
      }
      return -3;  // the piece failed, its bytes one by one did not
    }
  }
  return v.Complete() ? -1 : static_cast<long>(s.size());
}

std::string Text(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, 'a');
  for (auto& c : s) c = static_cast<char>(0x20 + rng() % 0x5F);
  return s;
}

// A sink that also records what the parser says about each text message's ASCII-ness.
struct AsciiSink : wstest::RecordingSink {
  FrameParser* parser = nullptr;
  std::vector<bool> ascii;
  void OnMessage(bool is_binary, std::string&& payload) override {
    ascii.push_back(parser->message_ascii());
    RecordingSink::OnMessage(is_binary, std::move(payload));
  }
};

struct Parsed {
  std::string log;
  std::vector<std::string> messages;
  std::vector<bool> ascii;
};

// Feeds `wire` in reads of `read` bytes (0: whole).
Parsed Parse(const std::string& wire, size_t read) {
  FrameParser parser;
  AsciiSink sink;
  sink.parser = &parser;
  if (read == 0) read = wire.size() == 0 ? 1 : wire.size();
  for (size_t i = 0; i < wire.size() && !parser.done(); i += read) {
    parser.Consume(wire.data() + i, std::min(read, wire.size() - i), sink);
  }
  return {sink.log, sink.messages, sink.ascii};
}

// `payload` as a text message in frames that end at each of `cuts` (positions inside the
// payload; others are ignored), every frame with its own mask key.
std::string Fragmented(const std::string& payload, std::vector<size_t> cuts, uint32_t key0) {
  std::vector<size_t> ends;
  std::sort(cuts.begin(), cuts.end());
  for (size_t c : cuts) {
    if (c > 0 && c < payload.size() && (ends.empty() || ends.back() != c)) ends.push_back(c);
  }
  ends.push_back(payload.size());
  std::string wire;
  size_t at = 0;
  for (size_t i = 0; i < ends.size(); ++i) {
    bool last = i + 1 == ends.size();
    uint8_t b0 = static_cast<uint8_t>((last ? kFin : 0) | (i == 0 ? kOpText : kOpContinuation));
    uint32_t key = key0 + static_cast<uint32_t>(at) * 2654435761u;
    wire += ClientFrame(b0, payload.substr(at, ends[i] - at), true, key);
    at = ends[i];
  }
  return wire;
}

}  // namespace

TEST(kernels_report_their_implementation) {
  std::string impl = util::ByteKernelsImpl();
  EXPECT_TRUE(impl == "sse2" || impl == "neon" || impl == "scalar");
  std::cerr << "  byte kernels: " << impl << "\n";
}

TEST(unmask_copy_every_length_offset_and_alignment) {
  const uint8_t mask[4] = {0x37, 0xfa, 0x21, 0x3d};
  std::mt19937 rng(19);
  alignas(64) uint8_t src_buf[256 + 32];
  alignas(64) uint8_t dst_buf[256 + 32];
  int bad = 0;
  for (size_t n = 0; n <= 200; ++n) {
    for (uint64_t offset = 0; offset < 8; ++offset) {
      for (size_t align = 0; align < 16; align += (n < 80 ? 1 : 5)) {
        uint8_t* src = src_buf + align;
        uint8_t* dst = dst_buf + (align * 7) % 16;
        // Payload bytes that unmask to ASCII, then one that unmasks to >= 0x80 at each position.
        for (size_t i = 0; i < n; ++i) src[i] = static_cast<uint8_t>((rng() & 0x7F) ^ mask[(offset + i) & 3]);
        for (long high = -1; high < static_cast<long>(n); high += (n < 40 ? 1 : 7)) {
          if (high >= 0) src[high] = static_cast<uint8_t>((0x80 | (rng() & 0x7F)) ^ mask[(offset + high) & 3]);
          std::memset(dst_buf, 0xEE, sizeof dst_buf);
          bool ascii = util::UnmaskCopy(dst, src, n, mask, offset);
          for (size_t i = 0; i < n; ++i) {
            if (dst[i] != static_cast<uint8_t>(src[i] ^ mask[(offset + i) & 3])) ++bad;
          }
          // Nothing written outside [dst, dst + n).
          for (size_t i = 0; i < sizeof dst_buf; ++i) {
            if ((dst_buf + i < dst || dst_buf + i >= dst + n) && dst_buf[i] != 0xEE) ++bad;
          }
          if (ascii != (high < 0)) ++bad;
          if (high >= 0) src[high] = static_cast<uint8_t>((rng() & 0x7F) ^ mask[(offset + high) & 3]);
        }
        // In place gives the same bytes.
        std::vector<uint8_t> expect(src, src + n);
        for (size_t i = 0; i < n; ++i) expect[i] ^= mask[(offset + i) & 3];
        util::UnmaskCopy(src, src, n, mask, offset);
        if (n > 0 && std::memcmp(src, expect.data(), n) != 0) ++bad;
      }
    }
  }
  EXPECT_EQ(bad, 0);
}

TEST(unmask_copy_piecewise_equals_whole) {
  // A payload unmasked in pieces (as reads split it) equals the payload unmasked at once.
  const uint8_t mask[4] = {0x01, 0x80, 0xff, 0x7e};
  std::mt19937 rng(7);
  std::vector<uint8_t> src(5000);
  for (auto& b : src) b = static_cast<uint8_t>(rng());
  std::vector<uint8_t> whole(src.size()), pieces(src.size());
  util::UnmaskCopy(whole.data(), src.data(), src.size(), mask, 0);
  for (int round = 0; round < 200; ++round) {
    size_t at = 0;
    while (at < src.size()) {
      size_t n = std::min<size_t>(src.size() - at, 1 + rng() % 70);
      util::UnmaskCopy(pieces.data() + at, src.data() + at, n, mask, at);
      at += n;
    }
    if (pieces != whole) {
      EXPECT_EQ(round, -1);
      break;
    }
  }
}

TEST(ascii_prefix_every_length_position_and_alignment) {
  alignas(64) uint8_t buf[256 + 16];
  int bad = 0;
  for (size_t n = 0; n <= 160; ++n) {
    for (size_t align = 0; align < 16; ++align) {
      uint8_t* p = buf + align;
      for (size_t i = 0; i < n; ++i) p[i] = static_cast<uint8_t>(i * 37 % 128);
      if (util::AsciiPrefix(p, n) != n || !util::IsAscii(p, n)) ++bad;
      for (size_t high = 0; high < n; ++high) {
        for (uint8_t hb : {uint8_t(0x80), uint8_t(0xC3), uint8_t(0xFF)}) {
          p[high] = hb;
          if (util::AsciiPrefix(p, n) != high || util::IsAscii(p, n)) ++bad;
          // A second high byte later does not change the answer.
          if (high + 9 < n) {
            p[high + 9] = 0x90;
            if (util::AsciiPrefix(p, n) != high) ++bad;
            p[high + 9] = static_cast<uint8_t>((high + 9) * 37 % 128);
          }
        }
        p[high] = static_cast<uint8_t>(high * 37 % 128);
      }
    }
  }
  EXPECT_EQ(bad, 0);
}

TEST(utf8_character_at_every_position_around_vector_widths) {
  const char* chars[] = {"c3 a9", "e2 82 ac", "f0 9f 98 80", "ed 9f bf", "f4 8f bf bf", "c2 80"};
  int bad = 0;
  for (const char* h : chars) {
    std::string c = Hex(h);
    for (size_t len = 0; len <= 70; ++len) {
      for (size_t pos = 0; pos <= len; ++pos) {
        std::string s = Text(len, static_cast<uint32_t>(len));
        s.insert(pos, c);
        if (!util::IsValidUtf8(s.data(), s.size())) ++bad;
        // Every 2-chunk split, including inside the character.
        for (size_t at = 0; at <= s.size(); at += (s.size() > 40 ? 3 : 1)) {
          util::Utf8Validator v;
          if (!v.Feed(s.data(), at) || !v.Feed(s.data() + at, s.size() - at) || !v.Complete()) ++bad;
        }
        // Cut inside the character: valid so far, not complete.
        for (size_t k = 1; k < c.size(); ++k) {
          util::Utf8Validator v;
          if (!v.Feed(s.data(), pos + k) || v.Complete()) ++bad;
        }
      }
    }
  }
  EXPECT_EQ(bad, 0);
}

TEST(utf8_invalid_sequence_at_every_position_fails_at_its_byte) {
  const char* invalid[] = {"80", "bf", "c0 af", "c1 bf", "e0 80 af", "e0 9f bf", "ed a0 80",
                           "f0 8f bf bf", "f4 90 80 80", "f5 80 80 80", "fe", "ff", "c2 41",
                           "e2 82 41", "f0 9f 98 41", "c2 c2 80"};
  int bad = 0;
  for (const char* h : invalid) {
    std::string seq = Hex(h);
    for (size_t len = 0; len <= 70; len += (len < 40 ? 1 : 3)) {
      for (size_t pos = 0; pos <= len; ++pos) {
        std::string s = Text(len, 99 + static_cast<uint32_t>(pos));
        s.insert(pos, seq);
        s += "tail text after the error";
        long expect = RefFailIndex(s);
        if (expect < 0 || expect >= static_cast<long>(s.size())) ++bad;  // the row must be invalid
        if (util::IsValidUtf8(s.data(), s.size())) ++bad;
        for (size_t step : {size_t(1), size_t(3), size_t(16), size_t(17), size_t(32), s.size()}) {
          if (ValidatorFailIndex(s, step) != expect) {
            ++bad;
            if (bad < 5) {
              std::cerr << "  " << h << " at " << pos << " of " << len << ", step " << step << ": "
                        << ValidatorFailIndex(s, step) << " != " << expect << "\n";
            }
          }
        }
      }
    }
  }
  EXPECT_EQ(bad, 0);
}

TEST(utf8_random_against_reference) {
  std::mt19937 rng(1919);
  int bad = 0;
  for (int i = 0; i < 200000; ++i) {
    size_t n = rng() % 80;
    std::string s(n, '\0');
    for (auto& c : s) {
      uint32_t r = rng() % 10;
      // Mostly ASCII with leads and continuations mixed in, so that runs of every length occur.
      c = static_cast<char>(r < 6 ? rng() % 0x80 : r < 8 ? 0x80 + rng() % 0x40 : 0xC0 + rng() % 0x40);
    }
    long expect = RefFailIndex(s);
    bool valid = expect == -1;
    if (util::IsValidUtf8(s.data(), s.size()) != valid) ++bad;
    size_t step = 1 + rng() % 40;
    if (ValidatorFailIndex(s, step) != expect) ++bad;
  }
  EXPECT_EQ(bad, 0);
}

TEST(parser_text_of_every_length_around_vector_widths_and_masks) {
  int bad = 0;
  for (size_t len = 0; len <= 140; ++len) {
    std::string ascii = Text(len, static_cast<uint32_t>(len) + 5);
    std::string accented = ascii;
    if (len > 0) accented.replace(len / 2, 1, Hex("c3 a9"));  // é in the middle
    for (uint32_t key : {0x00000000u, 0x37fa213du, 0xffffffffu, 0x80808080u, 0x7f7f7f7fu}) {
      for (const std::string* msg : {&ascii, &accented}) {
        if (len == 0 && msg == &accented) continue;  // no room for é: the empty text is ASCII
        std::string wire = ClientFrame(kFin | kOpText, *msg, true, key);
        for (size_t read : {size_t(0), size_t(1), size_t(7), size_t(16), size_t(33)}) {
          Parsed p = Parse(wire, read);
          bool want_ascii = msg == &ascii;
          if (p.messages.size() != 1 || p.messages[0] != *msg || p.ascii.size() != 1 ||
              p.ascii[0] != want_ascii) {
            ++bad;
          }
        }
      }
    }
  }
  EXPECT_EQ(bad, 0);
}

TEST(parser_utf8_split_across_frames_and_reads) {
  // A character cut by a frame boundary (every cut inside it) and by a read boundary.
  int bad = 0;
  for (const char* h : {"c3 a9", "e2 82 ac", "f0 9f 98 80"}) {
    std::string c = Hex(h);
    for (size_t pre : {size_t(0), size_t(1), size_t(15), size_t(16), size_t(31), size_t(32), size_t(63)}) {
      std::string msg = Text(pre, 3) + c + Text(40, 4);
      for (size_t k = 1; k < c.size(); ++k) {
        std::string wire = Fragmented(msg, {pre + k}, 0x01020304u);
        for (size_t read : {size_t(0), size_t(1), size_t(5), size_t(17)}) {
          Parsed p = Parse(wire, read);
          if (p.messages.size() != 1 || p.messages[0] != msg || p.ascii[0]) ++bad;
        }
      }
      // An all-ASCII message fragmented around the vector widths is ASCII.
      std::string plain = Text(pre + 50, 8);
      std::string wire = Fragmented(plain, {pre / 2, pre, pre + 17}, 0xdeadbeefu);
      Parsed p = Parse(wire, 13);
      if (p.messages.size() != 1 || p.messages[0] != plain || !p.ascii[0]) ++bad;
    }
  }
  EXPECT_EQ(bad, 0);
}

TEST(parser_invalid_utf8_at_every_position_closes_1007) {
  int bad = 0;
  for (const char* h : {"ff", "c0 af", "ed a0 80", "f4 90 80 80", "e2 82 41"}) {
    std::string seq = Hex(h);
    for (size_t pos = 0; pos <= 70; ++pos) {
      std::string msg = Text(70, 11);
      msg.insert(pos, seq);
      for (size_t read : {size_t(0), size_t(1), size_t(16)}) {
        Parsed p = Parse(ClientFrame(kFin | kOpText, msg, true, 0xa1b2c3d4u), read);
        if (p.log != "error:1007") ++bad;
      }
      // In a fragmented message, cut at the error.
      Parsed f = Parse(Fragmented(msg, {pos, pos + 1}, 0x11223344u), 9);
      if (f.log != "error:1007") ++bad;
    }
  }
  EXPECT_EQ(bad, 0);
}

TEST(parser_fail_fast_stops_at_the_bad_frame) {
  // The error is reported while the message is still open: the bytes after the invalid frame
  // (here a frame that would complete it) are never consumed.
  std::string msg = Text(40, 2) + Hex("ff") + Text(10, 3);
  std::string first = ClientFrame(kOpText, msg);
  std::string rest = ClientFrame(kFin | kOpContinuation, "more");
  FrameParser parser;
  wstest::RecordingSink sink;
  std::string wire = first + rest;
  size_t used = parser.Consume(wire.data(), wire.size(), sink);
  EXPECT_TRUE(used <= first.size());
  EXPECT_EQ(sink.log, "error:1007");
  EXPECT_TRUE(parser.done());
}

TEST(buffer_pool_reuses_and_stays_bounded) {
  // Small and huge buffers are never kept.
  std::string small = util::TakeBuffer(100);
  EXPECT_TRUE(small.capacity() >= 100);
  size_t before = util::PooledBuffers();
  util::GiveBuffer(std::move(small));
  EXPECT_EQ(util::PooledBuffers(), before);
  std::string huge = util::TakeBuffer(util::kPoolMaxCapacity + 1);
  util::GiveBuffer(std::move(huge));
  EXPECT_EQ(util::PooledBuffers(), before);
  // A given buffer comes back (same memory) for a request it fits.
  std::string a = util::TakeBuffer(16 * 1024);
  a.assign(16 * 1024, 'x');
  const char* mem = a.data();
  util::GiveBuffer(std::move(a));
  EXPECT_TRUE(a.empty());
  std::string b = util::TakeBuffer(10 * 1024);
  EXPECT_TRUE(b.empty());
  EXPECT_TRUE(b.capacity() >= 10 * 1024);
  EXPECT_TRUE(b.data() == mem);
  util::GiveBuffer(std::move(b));
  // Flooding the pool keeps it within its bounds.
  for (int i = 0; i < 2000; ++i) {
    std::string s = util::TakeBuffer(8 * 1024 + static_cast<size_t>(i));
    std::string t = util::TakeBuffer(8 * 1024);
    util::GiveBuffer(std::move(s));
    util::GiveBuffer(std::move(t));
    // Take more than is given back at times, so fresh buffers keep arriving.
    if (i % 3 == 0) util::GiveBuffer(util::TakeBuffer(64 * 1024));
  }
  EXPECT_TRUE(util::PooledBytes() <= util::kPoolMaxBytes);
  EXPECT_TRUE(util::PooledBuffers() <= util::kPoolMaxBuffers);
}

TEST(buffer_pool_small_buffers_cached_per_thread_by_class) {
  // 1..15 bytes fit the string itself: no heap memory, nothing cached.
  std::string tiny = util::TakeBuffer(15);
  EXPECT_TRUE(tiny.capacity() >= 15);
  size_t before = util::SmallCachedBuffers();
  util::GiveBuffer(std::move(tiny));
  EXPECT_EQ(util::SmallCachedBuffers(), before);
  // Each class (32, 64, 128, 256) gives a buffer of its size, and takes it back for its next
  // request (same memory); requests at every length from 16 to 256 fit what they get.
  for (size_t n = 16; n <= util::kSmallCapacity; n++) {
    std::string a = util::TakeBuffer(n);
    EXPECT_TRUE(a.empty());
    EXPECT_TRUE(a.capacity() >= n && a.capacity() < 2 * n + 32);
    a.assign(n, 'y');
    const char* mem = a.data();
    util::GiveBuffer(std::move(a));
    EXPECT_TRUE(a.empty());
    std::string b = util::TakeBuffer(n);
    EXPECT_TRUE(b.data() == mem);
    EXPECT_TRUE(b.empty() && b.capacity() >= n);
    util::GiveBuffer(std::move(b));
  }
  // A buffer grown past its class serves the largest class it holds, never a bigger one.
  std::string odd;
  odd.reserve(100);  // between classes 64 and 128: serves 64
  const char* odd_mem = odd.data();
  util::GiveBuffer(std::move(odd));
  std::string c = util::TakeBuffer(128);
  EXPECT_TRUE(c.capacity() >= 128 && c.data() != odd_mem);
  std::string d = util::TakeBuffer(64);
  EXPECT_TRUE(d.data() == odd_mem);
  util::GiveBuffer(std::move(c));
  util::GiveBuffer(std::move(d));
  // Bounded: flooding one class keeps at most kSmallMaxBuffers of it.
  std::vector<std::string> many;
  for (size_t i = 0; i < 3 * util::kSmallMaxBuffers; i++) many.push_back(util::TakeBuffer(200));
  for (auto& s : many) util::GiveBuffer(std::move(s));
  EXPECT_TRUE(util::SmallCachedBuffers() <= 4 * util::kSmallMaxBuffers);
  // Another thread has its own cache: what it gives back stays there.
  size_t here = util::SmallCachedBuffers();
  std::thread([] {
    EXPECT_EQ(util::SmallCachedBuffers(), 0u);
    util::GiveBuffer(util::TakeBuffer(100));
    EXPECT_EQ(util::SmallCachedBuffers(), 1u);
  }).join();
  EXPECT_EQ(util::SmallCachedBuffers(), here);
}
