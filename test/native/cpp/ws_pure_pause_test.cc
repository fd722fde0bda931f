// FrameParser::Pause (read backpressure): a sink that pauses from a callback
// makes Consume() return right after that callback, leaving the following bytes unconsumed; fed
// again, they produce the rest in order. Runs on the test's main thread; pure.
#include "ws_test_support.h"

namespace {

// Pauses after every message (or every ping, with pause_pings) until told otherwise.
struct PausingSink : RecordingSink {
  FrameParser* parser = nullptr;
  bool pause_messages = true;
  bool pause_pings = false;
  void OnMessage(bool is_binary, std::string&& payload) override {
    RecordingSink::OnMessage(is_binary, std::move(payload));
    if (pause_messages) parser->Pause();
  }
  void OnPing(std::string&& p) override {
    RecordingSink::OnPing(std::move(p));
    if (pause_pings) parser->Pause();
  }
};

}  // namespace

TEST(pause_stops_right_after_the_message_and_resumes_in_order) {
  FrameParser parser;
  PausingSink sink;
  sink.parser = &parser;
  std::string a = ClientFrame(kFin | 0x1, "one");
  std::string b = ClientFrame(kFin | 0x1, "two");
  std::string c = ClientFrame(kFin | 0x2, std::string(300, 'x'));
  std::string all = a + b + c;
  size_t used = parser.Consume(all.data(), all.size(), sink);
  EXPECT_EQ(used, a.size());
  EXPECT_TRUE(parser.paused());
  EXPECT_EQ(sink.log, std::string("text:one"));
  size_t used2 = parser.Consume(all.data() + used, all.size() - used, sink);
  EXPECT_EQ(used2, b.size());
  sink.pause_messages = false;
  size_t used3 = parser.Consume(all.data() + used + used2, all.size() - used - used2, sink);
  EXPECT_EQ(used3, c.size());
  EXPECT_TRUE(!parser.paused());
  EXPECT_EQ(sink.log, std::string("text:one text:two bin:300"));
}

TEST(pause_from_a_ping_and_after_an_empty_frame) {
  FrameParser parser;
  PausingSink sink;
  sink.parser = &parser;
  sink.pause_messages = true;
  sink.pause_pings = true;
  std::string p = ClientFrame(kFin | 0x9, "p");
  std::string e = ClientFrame(kFin | 0x1, "");  // a zero-length message completes in the header
  std::string t = ClientFrame(kFin | 0x1, "t");
  std::string all = p + e + t;
  size_t off = 0;
  std::vector<size_t> steps;
  while (off < all.size()) {
    size_t n = parser.Consume(all.data() + off, all.size() - off, sink);
    EXPECT_TRUE(n > 0);
    if (n == 0) break;
    steps.push_back(n);
    off += n;
  }
  EXPECT_EQ(steps.size(), size_t{3});
  EXPECT_EQ(sink.log, std::string("ping:p text: text:t"));
}

TEST(pause_inside_a_fragmented_message_keeps_its_state) {
  // A ping between two fragments pauses; the message still completes afterwards.
  FrameParser parser;
  PausingSink sink;
  sink.parser = &parser;
  sink.pause_pings = true;
  std::string all = ClientFrame(0x1, "ab") + ClientFrame(kFin | 0x9, "") + ClientFrame(kFin | 0x0, "cd");
  size_t used = parser.Consume(all.data(), all.size(), sink);
  EXPECT_TRUE(used < all.size());
  EXPECT_EQ(sink.log, std::string("ping:"));
  size_t rest = parser.Consume(all.data() + used, all.size() - used, sink);
  EXPECT_EQ(used + rest, all.size());
  EXPECT_EQ(sink.log, std::string("ping: text:abcd"));
}
