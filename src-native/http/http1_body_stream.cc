// Streamed request bodies over HTTP/1.1 (see http1_handler.h; issue 17). When the server streams
// bodies (ServerLimits::stream_bodies: app.fetch, or the streamRequestBodies option), a request
// whose body is chunked or longer than kStreamBodyMin goes to JS as soon as its headers are in
// (kEventRequestStream), and its body follows as kEventBodyChunk events and one kEventBodyEnd.
// Backpressure to the socket: the bytes handed to JS that the app has not read yet
// (body_unconsumed_, lowered by JS's BODY_CREDIT commands) stop the reading once they pass the
// receive queue limit (InputFull), as the WebSocket receive budget does. Shorter bodies keep the
// whole-body path: one event, no cost. maxBodySize still answers 413 before the app reads
// anything when Content-Length says so, and cuts the stream (request ended) when a chunked body
// passes it. The request timeout does not run while the reading waits for the app (a slow
// consumer is the server's own doing, not the client's): ConsumerPauseBegin/End. Every function
// runs on the I/O thread.
#include <cstdlib>
#include <string>

#include "http/http1_handler.h"
#include "http/server.h"

namespace httpuv {

namespace {
// Bodies up to this size (declared by Content-Length) arrive whole, as without streaming.
constexpr uint64_t kStreamBodyMin = 64 * 1024;
}  // namespace

bool Http1Handler::WantsBodyStream(const Request& req) const {
  if (!server_->limits().stream_bodies || req.upgrade || !req.has_body_framing) return false;
  const std::string* cl = req.FindHeader("content-length");
  if (cl == nullptr) return true;  // chunked: its length is not known
  return strtoull(cl->c_str(), nullptr, 10) > kStreamBodyMin;
}

void Http1Handler::StartBodyStream(Request& req) {
  body_stream_pending_ = false;
  body_stream_started_ = true;
  body_streams_ = true;
  body_unconsumed_ = 0;
  ServerStats::Add(server_->stats().requests_js, 1);
  if (expect_continue_) {
    WriteRaw("HTTP/1.1 100 Continue\r\n\r\n");
    expect_continue_ = false;
  }
  EmitRequestEvent(kEventRequestStream, req, false);
  js_holds_ = true;
}

void Http1Handler::EmitBodyChunk(const char* at, size_t len) {
  if (len == 0) return;
  body_unconsumed_ += len;
  if (!consumer_paused_ && body_unconsumed_ > server_->limits().receive_queue_limit) ConsumerPauseBegin();
  Event e;
  e.kind = kEventBodyChunk;
  e.server_id = server_->id();
  e.id = current_id_;
  e.data.assign(at, len);
  registry()->Emit(std::move(e));
}

void Http1Handler::EndBodyStream() {
  body_streams_ = false;
  Event e;
  e.kind = kEventBodyEnd;
  e.server_id = server_->id();
  e.id = current_id_;
  registry()->Emit(std::move(e));
}

void Http1Handler::StopBodyStream() {
  // The answer is complete (or was not streamed) before the body: nobody reads the rest. It is
  // read and dropped (the framing says where it ends), and reading no longer waits for credit.
  if (!body_streams_) return;
  body_streams_ = false;
  discard_body_ = true;
  body_unconsumed_ = 0;
  ConsumerPauseEnd();  // the rest is the client's to send, within what is left of the timeout
  transport_->UpdateReading();
}

void Http1Handler::ConsumerPauseBegin() {
  consumer_paused_ = true;
  consumer_pause_ms_ = transport_->Now();
  // Only the request timer runs while the message is incomplete (the send timer waits for
  // OnMessageComplete), so this stops the request timeout alone.
  if (phase_ == Phase::kBody && !message_complete_) StopTimer();
}

void Http1Handler::ConsumerPauseEnd() {
  if (!consumer_paused_) return;
  consumer_paused_ = false;
  message_start_ms_ += transport_->Now() - consumer_pause_ms_;
  if (phase_ == Phase::kBody && !message_complete_) ArmBodyTimer();
}

void Http1Handler::BodyCredit(uint64_t id, uint64_t bytes) {
  ASSERT_IO_THREAD();
  if (transport_->closing() || id != current_id_ || !body_streams_) return;
  bool was_full = InputFull();
  body_unconsumed_ = bytes >= body_unconsumed_ ? 0 : body_unconsumed_ - bytes;
  if (consumer_paused_ && body_unconsumed_ <= server_->limits().receive_queue_limit) ConsumerPauseEnd();
  if (was_full && !InputFull()) transport_->UpdateReading();
}

}  // namespace httpuv
