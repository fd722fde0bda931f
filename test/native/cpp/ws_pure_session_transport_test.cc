// WsSession against a fake Transport (issue 15, acceptance 3): frames in, events and frames out,
// timers, backpressure, the close handshake and a server stop, with no socket, no libuv loop and
// no HTTP connection. The fake records what the session asks of its transport (corked frames,
// the timer, events, logs, linger and close) and lets the test move the clock and block input.
// Runs on the test's main thread; pure (built by scripts/test-native-pure.sh).
#include <atomic>

#include "transport/transport.h"
#include "ws/upgrade.h"
#include "ws/ws_session.h"
#include "ws_test_support.h"

namespace {

// One frame the session queued, decoded (server frames are never masked).
struct OutFrame {
  int opcode = -1;
  bool fin = false;
  bool rsv1 = false;
  std::string payload;
  bool close_after = false;
};

struct FakeTransport : Transport {
  uint64_t now = 1000;
  bool timer_armed = false;
  uint64_t timer_ms = 0;
  std::vector<OutFrame> frames;
  WriteCharges charges;  // bytes the queued frames charged to counters (released by Flush)
  size_t write_queue = 0;
  int writes_pending = 0;
  bool progressed = false;
  int marks = 0;
  uint64_t output_limit = 0;
  bool blocked = false;
  std::vector<Event> charged;
  std::vector<Event> plain;
  std::vector<std::string> logs;
  bool lingered = false;
  bool closed = false;
  ProtocolHandler* handler = nullptr;

  uint64_t Now() const override { return now; }
  void ArmTimer(uint64_t ms) override {
    timer_armed = ms != 0;
    timer_ms = ms;
  }
  void StopTimer() override {
    timer_armed = false;
    timer_ms = 0;
  }
  void QueueFrame(std::string&& header, std::string&& payload, bool close_after,
                  const WriteCounter& counter, int64_t counted) override {
    OutFrame f;
    const auto* h = reinterpret_cast<const uint8_t*>(header.data());
    f.fin = (h[0] & 0x80) != 0;
    f.rsv1 = (h[0] & 0x40) != 0;
    f.opcode = h[0] & 0x0F;
    size_t len = h[1] & 0x7F;
    size_t hl = 2;
    if (len == 126) {
      len = (size_t{h[2]} << 8) | h[3];
      hl = 4;
    } else if (len == 127) {
      len = 0;
      for (int i = 0; i < 8; ++i) len = (len << 8) | h[2 + i];
      hl = 10;
    }
    EXPECT_EQ(header.size(), hl);
    EXPECT_EQ(payload.size(), len);
    EXPECT_TRUE((h[1] & 0x80) == 0);  // never masked
    f.payload = std::move(payload);
    f.close_after = close_after;
    frames.push_back(std::move(f));
    if (counter && counted != 0) charges.emplace_back(counter, counted);
  }
  size_t WriteQueueSize() const override { return write_queue; }
  int WritesPending() const override { return writes_pending; }
  void MarkSendProgress() override {
    progressed = false;
    marks++;
  }
  bool SendProgressed() const override { return progressed; }
  void SetOutputLimit(uint64_t bytes) override { output_limit = bytes; }
  bool InputBlocked() const override { return blocked; }
  void EmitCharged(Event&& e) override { charged.push_back(std::move(e)); }
  void Emit(Event&& e) override { plain.push_back(std::move(e)); }
  void Log(int, std::string text) override { logs.push_back(std::move(text)); }
  void Linger() override { lingered = true; }
  void Close() override {
    if (closed) return;
    closed = true;
    if (handler != nullptr) handler->OnTransportClosed();
  }

  // The corked frames are written: their bytes leave the counters.
  void Flush() { ReleaseCharges(&charges); }
  bool LogHas(const std::string& s) const {
    for (const auto& l : logs) {
      if (l.find(s) != std::string::npos) return true;
    }
    return false;
  }
};

constexpr uint64_t kId = 42;

// A session over a fake transport, started as the upgrade starts it.
struct Rig {
  FakeTransport t;
  WsLimits limits;
  WsCounters counters;
  std::atomic<uint64_t> open{0};
  std::atomic<uint64_t> total{0};
  std::unique_ptr<ProtocolHandler> handler;

  explicit Rig(void (*tune)(WsLimits*) = nullptr, bool deflate = false) {
    if (tune != nullptr) tune(&limits);
    ws::SessionEnv env;
    env.counters = &counters;
    env.open_count = &open;
    env.total_count = &total;
    ws::DeflateParams params;
    params.enabled = deflate;
    handler = ws::NewSession(&t, kId, limits, params, env);
    t.handler = handler.get();
    handler->OnStart();
  }
  ~Rig() {
    t.handler = nullptr;
    t.Flush();
  }
  WsSession& session() { return *static_cast<WsSession*>(handler.get()); }
  void Feed(const std::string& bytes) { handler->OnBytes(bytes.data(), bytes.size()); }
  // Moves the clock to the armed timer's deadline and fires it.
  void FireTimer() {
    EXPECT_TRUE(t.timer_armed);
    t.now += t.timer_ms;
    t.timer_armed = false;
    handler->OnTimer();
  }
  std::string Messages() const {
    std::string out;
    for (const Event& e : t.charged) {
      if (!out.empty()) out += " ";
      out += (e.kind == kEventWsMessage ? (e.code == 1 ? "bin:" : "text:") : "?:") +
             (e.code == 1 ? std::to_string(e.data.size()) : e.data);
    }
    return out;
  }
};

std::string CloseBody(int code, const std::string& reason) {
  std::string p;
  p.push_back(static_cast<char>(code >> 8));
  p.push_back(static_cast<char>(code & 0xFF));
  return p + reason;
}

}  // namespace

TEST(session_start_opens_its_counter_and_stats_and_sets_the_output_limit) {
  Rig r([](WsLimits* l) { l->send_queue_limit = 12345; });
  EXPECT_EQ(r.open.load(), uint64_t{1});
  EXPECT_EQ(r.total.load(), uint64_t{1});
  EXPECT_TRUE(r.counters.Find(kId) != nullptr);
  EXPECT_EQ(r.t.output_limit, uint64_t{12345});
  EXPECT_TRUE(!r.t.timer_armed);  // no pings configured: no timer
  EXPECT_TRUE(r.t.frames.empty());
}

TEST(session_destruction_drops_the_counter) {
  WsCounters* counters;
  {
    auto r = std::make_unique<Rig>();
    counters = &r->counters;
    EXPECT_TRUE(counters->Find(kId) != nullptr);
    r->handler.reset();
    EXPECT_TRUE(counters->Find(kId) == nullptr);
  }
}

TEST(messages_in_any_split_become_charged_events_in_order) {
  std::string in = ClientFrame(kFin | 0x1, "hello") + ClientFrame(0x2, std::string(200, 'b')) +
                   ClientFrame(kFin | 0x0, std::string(100, 'c')) + ClientFrame(kFin | 0x1, "");
  for (size_t chunk : {in.size(), size_t{1}, size_t{3}, size_t{7}, size_t{64}}) {
    Rig r;
    for (size_t off = 0; off < in.size(); off += chunk) {
      r.Feed(in.substr(off, chunk));
    }
    EXPECT_EQ(r.Messages(), std::string("text:hello bin:300 text:"));
    for (const Event& e : r.t.charged) EXPECT_EQ(e.id, kId);
    EXPECT_TRUE(r.t.plain.empty());
    EXPECT_TRUE(r.t.frames.empty());
  }
}

TEST(a_ping_gets_a_corked_pong_with_its_payload) {
  Rig r;
  r.Feed(ClientFrame(kFin | 0x9, "abc") + ClientFrame(kFin | 0x1, "after"));
  EXPECT_EQ(r.t.frames.size(), size_t{1});
  EXPECT_EQ(r.t.frames[0].opcode, 0xA);
  EXPECT_TRUE(r.t.frames[0].fin);
  EXPECT_EQ(r.t.frames[0].payload, std::string("abc"));
  EXPECT_EQ(r.Messages(), std::string("text:after"));
}

TEST(send_queues_one_frame_and_its_bytes_leave_buffered_amount_once_written) {
  Rig r;
  WsCounter k = r.counters.Find(kId);
  k->fetch_add(5);  // what JS's send() adds
  r.session().Send(false, "héllo", 5);
  r.session().Send(true, std::string(70000, 'x'), 0);
  EXPECT_EQ(r.t.frames.size(), size_t{2});
  EXPECT_EQ(r.t.frames[0].opcode, 0x1);
  EXPECT_EQ(r.t.frames[0].payload, std::string("héllo"));
  EXPECT_EQ(r.t.frames[1].opcode, 0x2);
  EXPECT_EQ(r.t.frames[1].payload.size(), size_t{70000});
  EXPECT_EQ(k->load(), int64_t{5});
  r.t.Flush();
  EXPECT_EQ(k->load(), int64_t{0});
}

TEST(large_messages_are_compressed_when_deflate_was_negotiated) {
  Rig r(nullptr, true);
  std::string text = SampleText(4000);
  r.session().Send(false, std::string(text), 0);
  r.session().Send(false, "tiny", 0);
  EXPECT_EQ(r.t.frames.size(), size_t{2});
  EXPECT_TRUE(r.t.frames[0].rsv1);
  EXPECT_TRUE(r.t.frames[0].payload.size() < text.size());
  EXPECT_EQ(RawInflate(r.t.frames[0].payload, 15), text);
  EXPECT_TRUE(!r.t.frames[1].rsv1);  // under the threshold: sent as is
  EXPECT_EQ(r.t.frames[1].payload, std::string("tiny"));
}

TEST(a_peer_close_is_reported_and_echoed_only_after_js_acknowledges) {
  Rig r;
  r.Feed(ClientFrame(kFin | 0x1, "last") + ClientFrame(kFin | 0x8, CloseBody(1000, "bye")));
  EXPECT_EQ(r.Messages(), std::string("text:last"));
  EXPECT_EQ(r.t.plain.size(), size_t{1});
  EXPECT_EQ(int(r.t.plain[0].kind), int(kEventWsClose));
  EXPECT_EQ(r.t.plain[0].code, 1000);
  EXPECT_EQ(r.t.plain[0].data, std::string("bye"));
  EXPECT_EQ(r.open.load(), uint64_t{0});
  EXPECT_TRUE(r.t.frames.empty());  // the echo waits for JS
  // JS answers the last message, then acknowledges the close.
  r.session().Send(false, "reply", 0);
  r.session().OnCloseAck();
  EXPECT_EQ(r.t.frames.size(), size_t{2});
  EXPECT_EQ(r.t.frames[0].payload, std::string("reply"));
  EXPECT_EQ(r.t.frames[1].opcode, 0x8);
  EXPECT_EQ(r.t.frames[1].payload, CloseBody(1000, ""));
  EXPECT_TRUE(r.t.frames[1].close_after);  // FIN after the echo
  r.t.Close();
  EXPECT_EQ(r.t.plain.size(), size_t{1});  // reported once
}

TEST(an_unacknowledged_peer_close_is_answered_after_the_close_timeout) {
  Rig r([](WsLimits* l) { l->close_timeout_ms = 700; });
  r.Feed(ClientFrame(kFin | 0x8, CloseBody(1001, "")));
  EXPECT_TRUE(r.t.frames.empty());
  EXPECT_EQ(r.t.timer_ms, uint64_t{700});
  r.FireTimer();
  EXPECT_EQ(r.t.frames.size(), size_t{1});
  EXPECT_EQ(r.t.frames[0].payload, CloseBody(1001, ""));
  EXPECT_TRUE(r.t.frames[0].close_after);
  EXPECT_TRUE(!r.t.closed);
}

TEST(our_close_answered_by_the_peer_lingers) {
  Rig r;
  r.session().Close(4000, "done");
  EXPECT_EQ(r.t.frames.size(), size_t{1});
  EXPECT_EQ(r.t.frames[0].payload, CloseBody(4000, "done"));
  EXPECT_TRUE(!r.t.frames[0].close_after);
  EXPECT_EQ(r.t.timer_ms, uint64_t{5000});  // closeTimeoutMs default
  r.Feed(ClientFrame(kFin | 0x1, "dropped") + ClientFrame(kFin | 0x8, CloseBody(4000, "")));
  EXPECT_TRUE(r.t.charged.empty());  // data after our close is dropped
  EXPECT_EQ(r.t.plain.size(), size_t{1});
  EXPECT_EQ(r.t.plain[0].code, 4000);
  EXPECT_EQ(r.t.plain[0].data, std::string("done"));
  EXPECT_TRUE(r.t.lingered);
  EXPECT_TRUE(!r.t.closed);
}

TEST(our_close_never_answered_closes_the_transport_at_the_timeout) {
  Rig r([](WsLimits* l) { l->close_timeout_ms = 250; });
  r.session().Close(1000, "");
  r.FireTimer();
  EXPECT_TRUE(r.t.closed);
  EXPECT_EQ(r.t.plain.size(), size_t{1});
  EXPECT_EQ(r.t.plain[0].code, 1006);
}

TEST(keep_alive_pings_and_a_silent_peer_is_closed_1006) {
  Rig r([](WsLimits* l) {
    l->ping_interval_ms = 1000;
    l->ping_timeout_ms = 300;
  });
  EXPECT_EQ(r.t.timer_ms, uint64_t{1000});
  r.FireTimer();
  EXPECT_EQ(r.t.frames.size(), size_t{1});
  EXPECT_EQ(r.t.frames[0].opcode, 0x9);
  EXPECT_EQ(r.t.timer_ms, uint64_t{300});  // the pong deadline comes first
  r.FireTimer();
  EXPECT_TRUE(r.t.closed);
  EXPECT_TRUE(r.t.LogHas("did not answer a ping"));
  EXPECT_EQ(r.t.plain.size(), size_t{1});
  EXPECT_EQ(r.t.plain[0].code, 1006);
}

TEST(a_pong_clears_the_ping_deadline) {
  Rig r([](WsLimits* l) {
    l->ping_interval_ms = 1000;
    l->ping_timeout_ms = 300;
  });
  r.FireTimer();
  r.Feed(ClientFrame(kFin | 0xA, ""));
  r.FireTimer();  // the deadline passes, but the pong came: not closed
  EXPECT_TRUE(!r.t.closed);
  EXPECT_TRUE(r.t.timer_armed);
  EXPECT_EQ(r.t.timer_ms, uint64_t{700});  // the next ping
}

TEST(blocked_input_holds_the_rest_until_the_transport_feeds_it) {
  Rig r;
  std::string in = ClientFrame(kFin | 0x1, "a") + ClientFrame(kFin | 0x9, "p") +
                   ClientFrame(kFin | 0x1, "b") + ClientFrame(kFin | 0x1, "c");
  r.t.blocked = true;
  r.Feed(in);
  EXPECT_EQ(r.Messages(), std::string("text:a"));  // stops right after the blocking message
  EXPECT_TRUE(r.handler->HoldsInput());
  r.Feed(ClientFrame(kFin | 0x1, "d"));  // more bytes while holding keep their order
  EXPECT_EQ(r.Messages(), std::string("text:a"));
  r.handler->FeedHeld();  // still blocked: the ping is answered, then it stops again
  EXPECT_EQ(r.Messages(), std::string("text:a"));
  EXPECT_EQ(r.t.frames.size(), size_t{1});
  EXPECT_TRUE(r.handler->HoldsInput());
  r.t.blocked = false;
  r.handler->FeedHeld();
  EXPECT_EQ(r.Messages(), std::string("text:a text:b text:c text:d"));
  EXPECT_TRUE(!r.handler->HoldsInput());
}

TEST(a_server_stop_sends_1001_and_reports_it_even_without_an_answer) {
  for (bool wait : {false, true}) {
    Rig r;
    r.handler->OnShutdown(wait);
    EXPECT_EQ(r.t.frames.size(), size_t{1});
    EXPECT_EQ(r.t.frames[0].payload, CloseBody(1001, "server shutting down"));
    EXPECT_EQ(r.t.frames[0].close_after, !wait);
    EXPECT_TRUE(r.t.timer_armed);
    r.session().Send(false, "late", 0);  // dropped: our close is out
    EXPECT_EQ(r.t.frames.size(), size_t{1});
    r.t.Close();
    EXPECT_EQ(r.t.plain.size(), size_t{1});
    EXPECT_EQ(r.t.plain[0].code, 1001);
  }
}

TEST(output_that_makes_no_progress_for_send_timeout_closes) {
  Rig r([](WsLimits* l) { l->send_timeout_ms = 400; });
  r.t.writes_pending = 1;
  r.handler->OnWriteQueued();
  EXPECT_EQ(r.t.marks, 1);
  EXPECT_EQ(r.t.timer_ms, uint64_t{400});
  r.t.progressed = true;  // the peer read some: another period
  r.FireTimer();
  EXPECT_TRUE(!r.t.closed);
  EXPECT_EQ(r.t.marks, 2);
  EXPECT_EQ(r.t.timer_ms, uint64_t{400});
  r.FireTimer();  // no progress this time
  EXPECT_TRUE(r.t.closed);
  EXPECT_TRUE(r.t.LogHas("send timed out"));
}

TEST(output_drained_before_the_deadline_does_not_close) {
  Rig r([](WsLimits* l) { l->send_timeout_ms = 400; });
  r.t.writes_pending = 1;
  r.handler->OnWriteQueued();
  r.t.writes_pending = 0;
  r.handler->OnWritesDone();
  r.FireTimer();
  EXPECT_TRUE(!r.t.closed);
}

TEST(a_send_past_twice_the_queue_limit_closes_1008) {
  Rig r([](WsLimits* l) { l->send_queue_limit = 1000; });
  WsCounter k = r.counters.Find(kId);
  k->fetch_add(10);
  r.t.write_queue = 1995;
  r.session().Send(false, "0123456789", 10);
  EXPECT_TRUE(r.t.closed);
  EXPECT_TRUE(r.t.frames.empty());
  EXPECT_EQ(k->load(), int64_t{0});  // the refused message left bufferedAmount
  EXPECT_EQ(r.t.plain.size(), size_t{1});
  EXPECT_EQ(r.t.plain[0].code, 1008);
  EXPECT_TRUE(r.t.LogHas("send queue limit"));
}

TEST(a_protocol_error_fails_the_connection_after_js_acknowledges) {
  Rig r;
  r.Feed(ClientFrame(kFin | 0x1, "ok") + ClientFrame(kFin | 0x1, "unmasked", false));
  EXPECT_EQ(r.Messages(), std::string("text:ok"));
  EXPECT_EQ(r.t.plain.size(), size_t{1});
  EXPECT_EQ(r.t.plain[0].code, 1002);
  EXPECT_TRUE(r.t.LogHas("protocol error"));
  r.session().OnCloseAck();
  EXPECT_EQ(r.t.frames.size(), size_t{1});
  EXPECT_EQ(r.t.frames[0].opcode, 0x8);
  EXPECT_EQ(r.t.frames[0].payload.substr(0, 2), CloseBody(1002, ""));
  EXPECT_TRUE(r.t.frames[0].close_after);
}

TEST(a_message_over_max_message_size_is_1009) {
  Rig r([](WsLimits* l) { l->max_message_size = 10; });
  r.Feed(ClientFrame(kFin | 0x2, std::string(11, 'x')));
  EXPECT_TRUE(r.t.charged.empty());
  EXPECT_EQ(r.t.plain.size(), size_t{1});
  EXPECT_EQ(r.t.plain[0].code, 1009);
}

TEST(the_peer_fin_closes_and_reports_1006) {
  Rig r;
  r.handler->OnPeerEof();
  EXPECT_TRUE(r.t.closed);
  EXPECT_EQ(r.t.plain.size(), size_t{1});
  EXPECT_EQ(r.t.plain[0].code, 1006);
  EXPECT_EQ(r.open.load(), uint64_t{0});
  r.Feed(ClientFrame(kFin | 0x1, "after"));  // nothing after the close
  EXPECT_TRUE(r.t.charged.empty());
}
