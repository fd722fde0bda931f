// Plain-data events that the I/O layer (HTTP and WebSocket alike) posts for JavaScript, and the
// sink interface it posts them through (implemented in binding/event_sink). Pure: no uv.h, no
// napi.h, nothing from a protocol folder. Runs on the I/O thread (Emit) and the JS thread (reads).
// Kinds, request-ended codes and log levels are exported to JS at load (EVENT, REQUEST_ENDED,
// LOG_LEVEL); how each kind is laid out for JS is described once, in binding/wire.h.
#ifndef NODE_HTTPUV_TRANSPORT_EVENTS_H_
#define NODE_HTTPUV_TRANSPORT_EVENTS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "transport/receive_budget.h"
#include "util/fd_handle.h"

namespace httpuv {

// Header fields in arrival order (names as sent).
using HeaderList = std::vector<std::pair<std::string, std::string>>;

using util::FdHandle;  // owned file descriptors (util/fd_handle.h)

// Where the connection came from and where it arrived (for the Rook SERVER_*/REMOTE_* fields).
struct PeerInfo {
  std::string remote_addr;
  std::string local_addr;
  int remote_port = 0;  // (the ports after the strings: no padding, every connection holds one)
  int local_port = 0;
};

enum EventKind : int {
  kEventRequest = 1,       // a complete request for app.call
  kEventHeaders = 2,       // headers of a request for app.onHeaders (body not read yet)
  kEventWsOpen = 3,        // a WebSocket handshake completed (101 sent)
  kEventWsMessage = 4,     // a complete WebSocket message
  kEventWsClose = 5,       // a WebSocket is closed (no more messages, sends are dropped)
  kEventServerClosed = 6,  // a server's listener and all its connections are closed
  kEventLog = 7,           // a log line from the I/O thread (code = level: 1 ERROR … 4 DEBUG)
  // A request JS was told about (kEventHeaders or kEventRequest) ended without JS's answer and
  // without becoming a WebSocket: client gone, error answer (408, 413, 400…), refused upgrade,
  // server stop. JS drops what it holds for the id; an answer sent later is dropped. Never
  // emitted on the normal path (headers → request → answer, or onHeaders answering).
  // code: a RequestEndedCode.
  kEventRequestEnded = 8,
  // A request was answered (posted only while INFO is enabled, for the access log): the answer
  // is being written. code = status; length = body bytes sent (after gzip; 0 for HEAD, 204,
  // 304, a 101 upgrade); elapsed_us = from its headers to its answer; method, target, peer.
  kEventAccess = 9,
  // A streamed response's chunks were taken (code: how many) and the connection's queued output
  // is below its bound: JS may send more (layout in binding/wire.h).
  kEventStreamAck = 20,  // (9–19 left for other kinds)
  // A request whose body streams (ServerLimits::stream_bodies): its headers, for app.call or
  // app.fetch now; the body follows as kEventBodyChunk events and one kEventBodyEnd.
  kEventRequestStream = 21,
  kEventBodyChunk = 22,  // data: the next bytes of a streamed request body
  kEventBodyEnd = 23,    // the streamed request body is complete
};

// The code of a kEventRequestEnded event.
enum RequestEndedCode : int {
  kRequestEndedGone = 0,     // client gone, error answer, refused upgrade: a late answer is DEBUG
  kRequestEndedStopped = 1,  // the server's stop cut it off (grace over, graceMs 0): WARN
  // Not an end: the client closed its side (FIN) while JS holds the request. Its answer is still
  // written (a half-closed client may read it), but an app.fetch Request's signal aborts, as
  // nginx takes such a client for gone (499). JS keeps the request.
  kRequestEndedClientEof = 2,
};

enum LogLevel : int { kLogError = 1, kLogWarn = 2, kLogInfo = 3, kLogDebug = 4 };

struct Event {
  EventKind kind = kEventLog;
  // The server the event is about (kEventLog: 0 when none; an opaque log tag to transport/).
  uint32_t server_id = 0;
  // Request id (request, headers, request-ended) or WebSocket id: unique within the process,
  // never reused, even across I/O thread restarts (ServerRegistry::NextId).
  uint64_t id = 0;
  // kEventRequest / kEventHeaders / kEventWsOpen
  std::string method;
  std::string target;
  int http_minor = 1;
  HeaderList headers;
  PeerInfo peer;
  // kEventRequest: in-memory body, or a spilled body file (unlinked; ownership passes to JS)
  // kEventWsMessage: the message; kEventWsClose: the reason; kEventLog: the text
  std::string data;
  FdHandle fd;
  uint64_t length = 0;
  int code = 0;         // ws close code; binary flag for messages; log level for logs; status
  uint64_t elapsed_us = 0;  // kEventAccess: microseconds from the request's headers to its answer
  bool is_static = false;   // kEventAccess: answered from a static path
  // kEventWsMessage, text: every byte is ASCII (the frame parser saw it while unmasking), so the
  // binding builds the JS string as Latin-1 without scanning it again.
  bool ascii = false;
  // What this event adds to its connection's receive queue (request, headers, ws-open and
  // ws-message events); discharged by the JS thread once the event has been handled.
  ReceiveCharge charge;
};

class EventSink {
 public:
  virtual ~EventSink() = default;
  // Runs on the I/O thread: queues an event for the JS thread; never blocks on JS.
  virtual void Emit(Event&& event) = 0;
  // Runs on the I/O thread: publishes the events emitted so far.
  virtual void Flush() = 0;
};

}  // namespace httpuv

#endif  // NODE_HTTPUV_TRANSPORT_EVENTS_H_
