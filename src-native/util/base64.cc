// Base64 (see base64.h). Pure.
#include "util/base64.h"

namespace httpuv {
namespace util {

namespace {
const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
bool IsB64(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}
}  // namespace

std::string Base64Encode(const uint8_t* data, size_t len) {
  std::string out;
  out.reserve((len + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < len; i += 3) {
    uint32_t v = (uint32_t(data[i]) << 16) | (uint32_t(data[i + 1]) << 8) | data[i + 2];
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i < len) {
    uint32_t v = uint32_t(data[i]) << 16;
    if (i + 1 < len) v |= uint32_t(data[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < len ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

long Base64DecodedLength(const std::string& s) {
  if (s.empty() || s.size() % 4 != 0) return -1;
  size_t pad = 0;
  if (s[s.size() - 1] == '=') pad++;
  if (s[s.size() - 2] == '=') pad++;
  for (size_t i = 0; i < s.size() - pad; i++) {
    if (!IsB64(s[i])) return -1;
  }
  return static_cast<long>(s.size() / 4 * 3 - pad);
}

}  // namespace util
}  // namespace httpuv
