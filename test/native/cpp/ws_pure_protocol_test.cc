// Standalone unit tests of the pure WebSocket layer, part 2: frame parser protocol errors by
// close code (every malformed-frame case, Autobahn 1–7 shapes) and permessage-deflate. Runs on the
// test's main thread; no uv.h, no napi.h. Built with ws_pure_test.cc by scripts/test-native-pure.sh.

#include "ws_test_support.h"

// ---- frame parser: protocol errors by close code ------------------------------------------------

TEST(parser_ws_oracle_rows) {
  // Every malformed-frame case, one by one (ws 8.23 answers, ours must match).
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

// ---- messages that end their deflate stream with a BFINAL block (the window stays) ----------

// A sender that ends every message with deflate(Z_FINISH), i.e. a final block and nothing after
// it (what zlib.deflateRawSync produces), starting a new raw stream per message; with `history`
// the new stream gets the last 32 KiB of everything sent before as its dictionary, so it refers
// back into earlier messages (context takeover, RFC 7692 §7.2.3.4). Plain zlib, no code under
// test.
struct FinalBlockSender {
  explicit FinalBlockSender(bool history) : history_(history) {}
  std::string Compress(const std::string& text) {
    z_stream z{};
    EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
    if (history_ && !sent_.empty()) {
      size_t n = std::min<size_t>(sent_.size(), 32768);
      const Bytef* dict = reinterpret_cast<const Bytef*>(sent_.data()) + sent_.size() - n;
      EXPECT_EQ(deflateSetDictionary(&z, dict, static_cast<uInt>(n)), Z_OK);
    }
    std::string out(deflateBound(&z, static_cast<uLong>(text.size())) + 16, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
    z.avail_in = static_cast<uInt>(text.size());
    z.next_out = reinterpret_cast<Bytef*>(&out[0]);
    z.avail_out = static_cast<uInt>(out.size());
    EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
    out.resize(out.size() - z.avail_out);
    deflateEnd(&z);
    sent_ += text;
    return out;
  }
  bool history_;
  std::string sent_;
};

TEST(deflate_bfinal_messages_in_a_row) {
  std::vector<std::string> texts;
  for (int i = 0; i < 6; ++i) texts.push_back(SampleText(2000 + i * 300, 11));  // similar texts
  texts.push_back("tiny");
  texts.push_back(std::string());
  // With context takeover negotiated: fresh streams (no back-references) and streams whose
  // dictionary is the history (back-references into earlier messages).
  for (bool history : {false, true}) {
    DeflateParams p = Deflate();
    FinalBlockSender sender(history);
    std::string in;
    for (const std::string& t : texts) in += ClientFrame(0xc1, sender.Compress(t));
    for (Split s : {Split::kWhole, Split::kBytes, Split::kChop997, Split::kRandom}) {
      RunResult r = Run(in, s, kDefaultMaxMessageSize, &p);
      EXPECT_EQ(r.error, kErrNone);
      EXPECT_TRUE(r.messages == texts);
    }
  }
  // The back-reference case really refers back: inflating its second message alone fails.
  {
    FinalBlockSender sender(true);
    sender.Compress(texts[0]);
    std::string second = sender.Compress(texts[0]);
    PerMessageDeflate alone(Deflate());
    std::string out;
    EXPECT_TRUE(alone.Decompress(second, kDefaultMaxMessageSize, &out) !=
                    PerMessageDeflate::InflateResult::kOk ||
                out != texts[0]);
  }
  // client_no_context_takeover and server_no_context_takeover: each message a fresh stream.
  for (DeflateParams p : {Deflate(false, true), Deflate(true, false), Deflate(true, true)}) {
    FinalBlockSender sender(false);
    Harness h(kDefaultMaxMessageSize, &p);
    for (const std::string& t : texts) {
      h.Feed(ClientFrame(0xc1, sender.Compress(t)));
      if (p.client_no_context_takeover) EXPECT_EQ(h.pmd->MemoryInUse(), size_t{0});
    }
    EXPECT_EQ(h.parser.error(), kErrNone);
    EXPECT_TRUE(h.sink.messages == texts);
  }
}

TEST(deflate_bfinal_mixed_with_sync_flushed_messages) {
  DeflateParams p = Deflate();
  std::string a = SampleText(3000, 3), b = SampleText(3000, 4);
  FinalBlockSender fin(false);
  ClientCompressor sync;  // a ws/zlib-style sender: Z_SYNC_FLUSH, tail stripped, takeover
  // (One statement each: the compressors are stateful, and operands of + are unsequenced.)
  std::string in = ClientFrame(0xc1, fin.Compress(a));  // BFINAL, nothing after it
  in += ClientFrame(0xc1, sync.Compress(b));              // a new stream, sync-flushed
  in += ClientFrame(0xc1, sync.Compress(b));              // refers back into the previous one
  in += ClientFrame(0xc1, fin.Compress(a));               // BFINAL again
  for (Split s : {Split::kWhole, Split::kBytes, Split::kRandom}) {
    RunResult r = Run(in, s, kDefaultMaxMessageSize, &p);
    EXPECT_EQ(r.error, kErrNone);
    EXPECT_EQ(r.messages.size(), size_t{4});
    EXPECT_TRUE(r.messages == (std::vector<std::string>{a, b, b, a}));
  }
  // A BFINAL message fragmented into 5-byte frames, then a plain one and a compressed one.
  FinalBlockSender fin2(false);
  std::string z = fin2.Compress(a);
  std::string frag = ClientFrame(0x41, z.substr(0, 5));
  for (size_t i = 5; i < z.size(); i += 5) {
    frag += ClientFrame(i + 5 >= z.size() ? 0x80 : 0x00, z.substr(i, 5));
  }
  frag += ClientFrame(0x81, "plain");
  frag += ClientFrame(0xc1, fin2.Compress("after"));
  RunResult r = Run(frag, Split::kBytes, kDefaultMaxMessageSize, &p);
  EXPECT_EQ(r.error, kErrNone);
  EXPECT_TRUE(r.messages == (std::vector<std::string>{a, "plain", "after"}));
}

TEST(deflate_two_final_streams_in_one_message) {
  // One message made of two complete raw streams, the second referring back into the first
  // (its dictionary): the window carries over inside a message too.
  DeflateParams p = Deflate();
  FinalBlockSender sender(true);
  std::string a = SampleText(1500, 8);
  std::string payload = sender.Compress(a);
  payload += sender.Compress(a);
  for (Split s : {Split::kWhole, Split::kBytes, Split::kChop997, Split::kRandom}) {
    RunResult r = Run(ClientFrame(0xc1, payload), s, kDefaultMaxMessageSize, &p);
    EXPECT_EQ(r.error, kErrNone);
    EXPECT_TRUE(r.messages == std::vector<std::string>{a + a});
  }
  // RFC 7692 §7.2.3.4's exact bytes, twice in a row, then a reference into the window.
  ExpectLog(ClientFrame(0xc1, Hex("f3 48 cd c9 c9 07 00 00")) +
                ClientFrame(0xc1, Hex("f3 48 cd c9 c9 07 00 00")) +
                ClientFrame(0xc1, Hex("f2 00 11 00 00")),
            "text:Hello text:Hello text:Hello", kDefaultMaxMessageSize, &p);
  // The same "Hello" BFINAL block without the trailing 0x00 (a Z_FINISH sender), then a
  // message referring back into it.
  ExpectLog(ClientFrame(0xc1, Hex("f3 48 cd c9 c9 07 00")) +
                ClientFrame(0xc1, Hex("f2 00 11 00 00")) +
                ClientFrame(0xc1, Hex("f3 48 cd c9 c9 07 00")),
            "text:Hello text:Hello text:Hello", kDefaultMaxMessageSize, &p);
  // Garbage after a final block is still an error (1007).
  ExpectLog(ClientFrame(0xc1, Hex("f3 48 cd c9 c9 07 00 ff ff ff ff")), "error:1007",
            kDefaultMaxMessageSize, &p);
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
