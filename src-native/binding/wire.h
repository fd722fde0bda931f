// The wire between the JS thread and the binding, in both directions: every constant JS and C++
// share, and the one description of each direction's layout. Everything here is exported to JS at
// load (RegisterExports in exports.cc puts it on the binding object: EVENT, COMMAND, BODY, …), so
// both sides use the names and no number is written twice. The TS side reads these in
// src/native.ts (its own one description of the same layouts). Header-only constants; no thread.
//
// Events, I/O thread → JS (built on the JS thread by EventsToJs in to_js.cc, read by
// src/dispatch.ts). A batch is [nums, vals]: nums a Float64Array with kEventNums numbers per
// event, vals kEventVals values per event (unset slots read as undefined). The batch callback
// gets them as its arguments, (nums, v0, v1, …), or as (nums, valsArray) when there are more than
// kMaxSpreadVals values; events_take returns the array [nums, valsArray]. Per
// kind (EventKind in transport/events.h), nums | vals:
//   REQUEST / HEADERS / WS_OPEN: [kind, id, bodyFd (-1, or an unlinked temp file's fd now owned
//       by JS), bodyLength] | [packed, body (REQUEST: a Buffer, or unset; WS_OPEN: the chosen
//       subprotocol string, "" for none)], where packed is ONE latin1 string joined by NUL
//       (which llhttp never lets through in a method, target or header):
//       serverId NUL id NUL httpMinor NUL remotePort NUL localPort NUL method NUL target NUL
//       remoteAddr NUL localAddr (NUL name NUL value)*
//   WS_MESSAGE:    [kind, id, binary (0/1), 0] | [data (a Buffer if binary, else a string)]
//   WS_CLOSE:      [kind, id, code, 0] | [reason]
//   SERVER_CLOSED: [kind, serverId, 0, 0] | []
//   REQUEST_ENDED: [kind, id, serverId, RequestEndedCode] | []
//   LOG:           [kind, serverId (0: none), LogLevel, 0] | [text]
//   ACCESS:        [kind, id, status, bodyBytes] | [packed] (only while INFO is enabled), packed
//       ONE latin1 string: serverId NUL method NUL target NUL remoteAddr NUL elapsedUs NUL
//       static ("1" or "0")
//   REQUEST_STREAM: as REQUEST without a body (bodyFd -1, bodyLength 0): the body streams:
//   BODY_CHUNK:    [kind, id, 0, 0] | [data (a Buffer)]
//   BODY_END:      [kind, id, 0, 0] | []
//   STREAM_ACK:    [kind, id, chunks, 0] | [] (the I/O thread took `chunks` more STREAM_CHUNKs of
//                  request id's streamed response and the connection's queued output is below
//                  its bound: JS may send as much again; sent once half a STREAM.WINDOW has
//                  come in, see http/http1_stream.cc)
//
// Commands, JS → I/O thread (src/outbox.ts writes them, CommandsSend in exports.cc reads the
// numbers straight from the typed array's memory): commands_send(nums, count, v0, v1, …), `count`
// commands of kCmdNums numbers in the Float64Array `nums` and kCmdVals values each, passed as
// arguments (at most kMaxSpreadVals of them; a longer batch passes them as one array instead:
// commands_send(nums, count, vals)); as arguments they cost the binding no napi_get_element. Per kind:
//   RESPONSE:     [kind, id, status, flags] | [headers ("name NUL value (NUL name NUL value)*",
//                 or ""), body (a string, an ArrayBufferView, or null; the file's path when the
//                 body kind is FILE)], flags = BodyKind | RESPONSE_FLAG.GZIP |
//                 RESPONSE_FLAG.FILE_OWNED. BODY.STREAM: body null; the head leaves now and the
//                 body follows as STREAM_CHUNK commands closed by STREAM_END or STREAM_ABORT
//   STREAM_CHUNK: [kind, id, 0, 0] | [data (a string or an ArrayBufferView), –]
//   STREAM_END:   [kind, id, 0, 0] | [–, –] (the body is complete)
//   STREAM_ABORT: [kind, id, 0, 0] | [–, –] (the app's stream failed: the message is cut short,
//                 never ended as if complete)
//   BODY_CREDIT:  [kind, id, bytes, 0] | [–, –] (the app consumed `bytes` of request id's streamed
//                 body: the connection may read that much more)
//   WS_TEXT / WS_BINARY: [kind, id, utf8Length, 0] | [data, –] (utf8Length: a text message's
//                 UTF-8 size as Buffer.byteLength measured it, so that the binding writes it once
//                 into a buffer of that size; 0 when not measured, and for binary)
//   WS_CLOSE:     [kind, id, code, 0] | [reason, –]
//   WS_CLOSE_ACK: [kind, id, 0, 0] | [–, –] (JS has handled the socket's close event; the I/O
//                 thread now answers the peer's close, after every send queued before it)
#ifndef NODE_HTTPUV_BINDING_WIRE_H_
#define NODE_HTTPUV_BINDING_WIRE_H_

#include <cstddef>
#include <cstdint>

#include "transport/events.h"

namespace httpuv {

// Slots per event in a batch.
constexpr size_t kEventNums = 4;
constexpr uint32_t kEventVals = 2;

// Slots per command in commands_send.
constexpr size_t kCmdNums = 4;
constexpr uint32_t kCmdVals = 2;

// At most this many values travel as separate arguments of one call (events to JS, commands to
// the binding); a longer batch passes them as one array. 8192 arguments take 64 KiB of the JS
// stack, far below its limit (about 1 MiB on the main thread, 4 MiB in a Worker).
constexpr size_t kMaxSpreadVals = 8192;

// JS: COMMAND.*
enum CommandKind : int {
  kCmdResponse = 0,
  kCmdWsText = 1,
  kCmdWsBinary = 2,
  kCmdWsClose = 3,
  kCmdWsCloseAck = 4,
  kCmdStreamChunk = 5,
  kCmdStreamEnd = 6,
  kCmdStreamAbort = 7,
  kCmdBodyCredit = 8,
};
constexpr int kCmdKindLast = kCmdBodyCredit;

// JS: BODY.* — the low bits of a RESPONSE command's flags.
enum WireBodyKind : int {
  kWireBodyNone = 0,
  kWireBodyMemory = 1,
  kWireBodyFile = 2,
  kWireBodyStream = 3,
};
// JS: RESPONSE_FLAG.* — the other bits of a RESPONSE command's flags.
constexpr int kRespFlagBodyMask = 3;
constexpr int kRespFlagGzip = 4;
constexpr int kRespFlagFileOwned = 8;

// JS: STREAM.WINDOW — a streamed response's window: JS sends at most this many bytes (UTF-16
// units for strings) of STREAM_CHUNKs ahead of their STREAM_ACK. The I/O thread acknowledges
// once half of it has come in (counted in UTF-8 bytes, never fewer than JS counts), while its
// queued output is below its bound, so a stream whose chunks fit the window costs no event.
constexpr int kStreamWindow = 64 * 1024;

// JS: LISTEN.* — server_start's first argument.
enum ListenKind : int { kListenTcp = 0, kListenPipe = 1 };

// JS: REQUEST_ENDED.* is RequestEndedCode, LOG_LEVEL.* is LogLevel (both in transport/events.h,
// where the I/O thread sets them); LOG_LEVEL.OFF (0) is log_level_set's "nothing".
constexpr int kLogOff = 0;

}  // namespace httpuv

#endif  // NODE_HTTPUV_BINDING_WIRE_H_
