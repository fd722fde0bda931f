// Base64 encoding and strict decoding (RFC 4648 §4, §3.5 canonical encoding).
// Pure: runs on whichever thread calls it (the I/O thread in the server); no uv.h, no napi.h.
#include "util/base64.h"

namespace httpuv {
namespace util {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Value of a base64 character, or -1.
int Value(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

std::string Base64Encode(const uint8_t* data, size_t len) {
  std::string out;
  out.reserve((len + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= len; i += 3) {
    uint32_t v = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8) | data[i + 2];
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back(kAlphabet[v & 63]);
  }
  if (len - i == 1) {
    uint32_t v = uint32_t{data[i]} << 16;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out += "==";
  } else if (len - i == 2) {
    uint32_t v = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back('=');
  }
  return out;
}

bool Base64Decode(const std::string& in, std::string* out) {
  out->clear();
  size_t n = in.size();
  if (n % 4 != 0) return false;
  size_t pad = 0;
  if (n >= 1 && in[n - 1] == '=') pad = (n >= 2 && in[n - 2] == '=') ? 2 : 1;
  out->reserve(n / 4 * 3);
  for (size_t i = 0; i < n; i += 4) {
    bool last = i + 4 == n;
    size_t real = last ? 4 - pad : 4;  // characters of this quantum that carry data
    uint32_t v = 0;
    for (size_t j = 0; j < 4; ++j) {
      int d = 0;
      if (j < real) {
        d = Value(static_cast<unsigned char>(in[i + j]));
        if (d < 0) {
          out->clear();
          return false;
        }
      }
      v = (v << 6) | static_cast<uint32_t>(d);
    }
    // Canonical form: the bits that padding hides must be zero (RFC 4648 §3.5).
    if ((real == 2 && (v & 0xFFFF) != 0) || (real == 3 && (v & 0xFF) != 0)) {
      out->clear();
      return false;
    }
    out->push_back(static_cast<char>(v >> 16));
    if (real >= 3) out->push_back(static_cast<char>((v >> 8) & 0xFF));
    if (real == 4) out->push_back(static_cast<char>(v & 0xFF));
  }
  return true;
}

long Base64DecodedLength(const std::string& s) {
  std::string tmp;
  if (!Base64Decode(s, &tmp)) return -1;
  return static_cast<long>(tmp.size());
}

}  // namespace util
}  // namespace httpuv
