// Standalone unit tests of the pure WebSocket layer, part 3: the opening handshake (status and
// headers) and the writer ↔ parser round trip. Runs on the test's main
// thread; no uv.h, no napi.h. Built with ws_pure_test.cc by scripts/test-native-pure.sh.

#include "ws_test_support.h"

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
  // Each header RFC 6455 §4.2.1 requires, missing or wrong.
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
