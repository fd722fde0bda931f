// Standalone unit tests of the pure WebSocket layer, part 1 (and the driver's main()):
// util/{sha1,base64,utf8}, the frame writer and the frame parser on valid traffic. Frames are fed
// whole, one byte at a time, at every split point and in random chunks. Part 2 (protocol errors,
// permessage-deflate) is ws_pure_protocol_test.cc, part 3 (handshake, round trip)
// ws_pure_handshake_test.cc. Runs on the test's main thread; no uv.h, no napi.h. Built by
// scripts/test-native-pure.sh.
#include "ws_test_support.h"

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
