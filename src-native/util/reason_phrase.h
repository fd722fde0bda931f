// The standard reason phrase of an HTTP status code (RFC 9110 §15), the one table for every
// status line and generated error body ("404 Not Found\n").
// Pure: runs on whichever thread calls it (the I/O thread in the server); no uv.h, no napi.h.
#ifndef NODE_HTTPUV_UTIL_REASON_PHRASE_H_
#define NODE_HTTPUV_UTIL_REASON_PHRASE_H_

namespace httpuv {
namespace util {

// "Not Found" for 404; "Unknown" for codes without a standard phrase.
const char* ReasonPhrase(int status);

}  // namespace util
}  // namespace httpuv

#endif  // NODE_HTTPUV_UTIL_REASON_PHRASE_H_
