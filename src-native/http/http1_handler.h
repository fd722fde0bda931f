// HTTP/1.1 over one socket, as the socket's ProtocolHandler (transport/transport.h): parse →
// dispatch (static files, onHeaders, call) → answer, with in-order answers for pipelined
// requests, request timeouts, limits, keep-alive and the drain of a stopping server. The socket
// itself (reads, writes, timer, linger, close) is its SocketTransport's; a WebSocket upgrade
// hands the socket over (ws/upgrade.h) and this handler speaks no more. It never knows about
// JavaScript: it posts plain events and receives plain commands.
// Runs on the I/O thread. Reading, parsing and phases in http1_handler.cc; responses and file
// streaming in http1_response.cc.
#ifndef NODE_HTTPUV_HTTP_HTTP1_HANDLER_H_
#define NODE_HTTPUV_HTTP_HTTP1_HANDLER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "http/parser.h"
#include "http/request.h"
#include "http/response_writer.h"
#include "http/stream_encoder.h"
#include "transport/events.h"
#include "transport/socket_transport.h"
#include "transport/transport.h"

namespace httpuv {

class Server;
class ServerRegistry;

class Http1Handler final : public ProtocolHandler, public ParserDelegate {
 public:
  // `transport` owns this handler; `server` outlives both.
  Http1Handler(SocketTransport* transport, Server* server);
  ~Http1Handler() override;

  // Commands from JS (I/O thread; stale ids are dropped).
  // The app's answer to request `id`.
  void SendResponse(uint64_t id, ResponseSpec&& spec);
  // onHeaders returned nothing for request `id`: read the body.
  void ContinueRequest(uint64_t id);
  // A streamed response's next chunk, its end, and its failure (the STREAM_* commands for
  // request `id`; see http1_stream.cc).
  void StreamChunk(uint64_t id, std::string&& data);
  void StreamEnd(uint64_t id);
  void StreamAbort(uint64_t id);
  // The app consumed `bytes` of request `id`'s streamed body (http1_body_stream.cc).
  void BodyCredit(uint64_t id, uint64_t bytes);

  // ProtocolHandler (I/O thread; see transport/transport.h).
  void OnStart() override;
  void OnBytes(const char* data, size_t len) override;
  bool HoldsInput() const override { return false; }
  void FeedHeld() override {}
  // Unparsed input (pipelined requests behind an answer) reached kMaxBufferedInput.
  bool InputFull() const override;
  void OnTimer() override;
  void OnWriteQueued() override;
  void OnWritesDone() override;
  void OnWriteDone(bool last) override;
  void OnPeerEof() override;
  // wait_for_peer (a drain): a connection with no request in progress (idle keep-alive, never
  // used, or still sending a request's headers) closes now; a request whose headers have
  // arrived goes on (its body is read, the app answers) and its answer is the connection's last
  // (`Connection: close`, nothing more is read). Otherwise (an immediate stop): close now.
  void OnShutdown(bool wait_for_peer) override;
  void OnTransportClosed() override;
  bool AwaitingApp() const override {
    return !responded_ && (phase_ == Phase::kWaitResponse || phase_ == Phase::kWaitOnHeaders);
  }

 private:
  enum class Phase {
    kIdle,           // between requests (keep-alive) or before the first byte
    kHeaders,        // receiving a request line / headers
    kWaitOnHeaders,  // onHeaders runs in JS; parser paused
    kBody,           // receiving the body
    kWaitResponse,   // the request is complete; call runs in JS
    kUpgraded,       // handed over to a WebSocket session (this handler is retired)
  };

  ServerRegistry* registry();

  // ParserDelegate (I/O thread)
  int OnMessageBegin() override;
  int OnHeadersComplete(Request& req) override;
  int OnBody(const char* at, size_t len) override;
  int OnMessageComplete() override;

  // The one loop that feeds buffered input to the parser and finishes what each parse step
  // completed. Never re-entered: a call made while it runs (from OnResponseWritten or
  // HandleUpgrade, directly or through a synchronous write) only records that more work is
  // possible and returns, so the stack depth stays bounded by a constant whatever the number of
  // pipelined requests answered at once (src-native/README.md "Bounded stack depth").
  void ProcessInput(bool after_resume = false);
  void HandleUpgrade();
  int ValidateRequest(Request& req);
  // Serves the request from the static paths if one matches; true when answered.
  bool TryStatic(Request& req);
  // The socket's timer for this handler's phases (send_timer_ says which meaning it has).
  void ArmTimer(uint64_t ms);
  void StopTimer();
  void ArmBodyTimer();
  // A response write is queued in libuv: close if the client reads none of it for
  // sendTimeoutMs (progress is judged by the stream's write queue shrinking).
  void ArmSendTimer();
  bool AppendBody(const char* at, size_t len);
  void EmitRequestEvent(int kind, Request& req, bool with_body,
                        const std::string& protocol = std::string());
  // Writes the response for the current request.
  void WriteResponse(ResponseSpec&& spec);
  void WriteError(int status, const std::string& reason, const HeaderList& extra = HeaderList());
  // Posts the access event of the current request (once; only when access_ was set at its
  // headers): `status` and the body bytes that go on the wire.
  void LogAccess(int status, uint64_t body_bytes);
  // The request is a valid WebSocket upgrade: 101 and the hand-off to a WebSocket handler; or
  // a 4xx when it is not.
  int AcceptWebSocket();
  // Writes bytes outside a response (100 Continue, the 101 handshake answer).
  void WriteRaw(std::string&& bytes);
  void WriteBuffers(std::string&& head, std::string&& body, bool last);
  void StreamNextFileChunk(std::string&& head);
  // sendfile until the file is sent or the socket is full (then one chunk goes through a
  // stream write, whose completion comes back here once the socket drained).
  void PumpFile();
  // Streamed responses (http1_stream.cc): the head and framing of a BodyKind::kStream answer;
  // each piece corked (one write per loop iteration); an acknowledgement to JS once half its
  // window came in and the socket's queue is below kStreamHighWater; and the end of a message
  // that cannot complete (FIN after what was written, or RST when only closing delimits it).
  void StartStream(ResponseSpec&& spec, ResponseContext ctx, bool send_body);
  // Streamed request bodies (http1_body_stream.cc): whether this request's body streams; the
  // event that hands the request to JS before its body; a body chunk; the end; and the switch
  // to discarding what is left once the answer no longer needs it.
  bool WantsBodyStream(const Request& req) const;
  void StartBodyStream(Request& req);
  void EmitBodyChunk(const char* at, size_t len);
  void EndBodyStream();
  void StopBodyStream();
  // The request timeout while the app reads a streamed body slowly: from the chunk that puts
  // the app's unread bytes over the receive queue limit (the reading stops) until the credit that
  // brings them back under it, the timer is stopped, and that time is not charged to the request
  // (message_start_ms_ moves on by it). A slow consumer is the server's doing; a client that
  // trickles its upload still meets requestTimeoutMs over the time the server was reading.
  void ConsumerPauseBegin();
  void ConsumerPauseEnd();
  void StreamWrite(std::string&& bytes);
  void StreamAck();
  void StreamTruncate();
  void OnResponseWritten();
  void FinishRequest();
  // The current request ends here: when JS holds state for it (js_holds_) and has not answered,
  // tell JS (kEventRequestEnded) so that it frees that state and drops a late answer.
  void EndJsRequest();
  // The answer is out and the connection ends: the request is over, then the socket lingers.
  void Linger();

  // Kept apart from the handler, made only when needed, so that an idle keep-alive connection
  // carries one pointer for each (bench S5: memory per idle connection).
  // The access log line's data: made on the first logged request, then reused.
  struct AccessRecord {
    bool is_static = false;
    uint64_t start_ns = 0;
    std::string method;
    std::string target;
  };
  // The streamed response being written, and what JS sent of it that was not acknowledged yet
  // (kEventStreamAck): chunks, and their bytes as received.
  struct OpenStream {
    OpenStream(StreamEncoder::Framing framing, uint64_t length, bool gzip, int status,
               uint64_t ack_at)
        : encoder(framing, length, gzip), ack_at(ack_at), status(status) {}
    StreamEncoder encoder;
    uint32_t unacked = 0;
    uint64_t unacked_bytes = 0;
    uint64_t ack_at;     // acknowledge from this many unacknowledged bytes
    int status;          // for its access line
    uint64_t bytes = 0;  // body bytes written (framed, after gzip)
  };

  // Every idle connection holds one of these objects: the members are ordered by width (the
  // flags of all groups together at the end), so the compiler adds no padding between them.
  SocketTransport* transport_;
  Server* server_;
  Parser parser_;

  // Input and the parse loop.
  std::string in_buf_;
  size_t in_off_ = 0;

  // Access log (kEventAccess): access_ is set at the headers only while INFO is enabled
  // (otherwise the cost per request is this one flag); LogAccess posts the line once, when the
  // answer is written.
  std::unique_ptr<AccessRecord> access_rec_;

  // The streamed request body: events go to JS while body_streams_; body_unconsumed_ bytes of
  // them the app has not read yet stop the reading over the receive queue limit (InputFull).
  uint64_t body_unconsumed_ = 0;
  uint64_t consumer_pause_ms_ = 0;  // since when the reading waits for the app (transport clock)

  // The streamed response being written (null otherwise).
  std::unique_ptr<OpenStream> stream_;

  // File streaming state for the current response (and file_fd_ below).
  uint64_t file_offset_ = 0;
  uint64_t file_remaining_ = 0;

  // The current request.
  uint64_t current_id_ = 0;
  uint64_t body_seen_ = 0;
  uint64_t message_start_ms_ = 0;
  Phase phase_ = Phase::kIdle;
  FdHandle file_fd_;

  // Flags of the parse loop.
  bool parser_paused_ = false;
  bool in_execute_ = false;        // inside llhttp_execute (parser callbacks may run)
  bool in_process_input_ = false;  // ProcessInput's loop is on the stack (never re-entered)
  bool force_execute_ = false;     // run the parser once even without input (after a resume)
  bool written_sync_ = false;      // a response completed synchronously during execute

  // Flags of the current request.
  // JS was told about current_id_ (kEventHeaders / kEventRequest) and owes it an answer, a
  // continue or a body event: cleared when JS answers, the request becomes a WebSocket, or
  // EndJsRequest tells JS the request is gone.
  bool js_holds_ = false;
  bool message_complete_ = false;  // the current request's message has been fully parsed
  bool message_bytes_seen_ = false;
  bool discard_body_ = false;
  bool is_head_ = false;
  bool http10_ = false;
  bool expect_continue_ = false;
  bool has_body_framing_ = false;
  bool ws_candidate_ = false;
  bool access_ = false;  // its access line is due (access_rec_ holds its data)

  // Keep-alive and the response.
  bool keep_alive_ = true;
  bool responded_ = false;           // a response for the current request has been started
  bool response_in_flight_ = false;  // its bytes are still being written
  bool close_after_response_ = false;
  bool send_timer_ = false;          // the socket's timer is the send timeout (ArmSendTimer)

  // The streamed request body (see body_unconsumed_).
  bool body_streams_ = false;
  bool body_stream_pending_ = false;  // decided at the headers; starts once onHeaders continues
  bool body_stream_started_ = false;  // JS got the request before its body (REQUEST_STREAM)
  bool consumer_paused_ = false;      // the reading waits for the app (ConsumerPauseBegin)
};

}  // namespace httpuv

#endif  // NODE_HTTPUV_HTTP_HTTP1_HANDLER_H_
