// ASCII text helpers for HTTP header names, tokens and comma-separated lists: the one definition
// of each, shared by the HTTP layer, the WebSocket handshake and the static-file engine.
// Pure: runs on whichever thread calls it (the I/O thread in the server); no uv.h, no napi.h.
#ifndef NODE_HTTPUV_UTIL_ASCII_H_
#define NODE_HTTPUV_UTIL_ASCII_H_

#include <string_view>

namespace httpuv {
namespace util {

// 'A'..'Z' → 'a'..'z'; every other byte (non-ASCII included) as is.
constexpr char AsciiLower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// RFC 9110 §5.6.2 tchar: a letter, a digit or one of !#$%&'*+-.^_`|~ (what header names, methods
// and most header-value tokens are made of).
bool IsTokenChar(char c);

// A token: one or more tchar.
bool IsToken(std::string_view s);

// True when `a` and `b` have the same length and are equal ignoring ASCII case (header names and
// tokens are case-insensitive; bytes outside A–Z compare exactly).
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// True when the comma-separated list `list` (a header's #list value, e.g. "keep-alive, Upgrade")
// has an element equal to `token` ignoring ASCII case. Elements are trimmed of spaces and tabs;
// empty elements never match a non-empty token.
bool ListHasToken(std::string_view list, std::string_view token);

}  // namespace util
}  // namespace httpuv

#endif  // NODE_HTTPUV_UTIL_ASCII_H_
