// Opening-handshake validation and negotiation (RFC 6455 §4.2.1–4.2.2, RFC 7692 §5, §7.1).
// Header parsing here is linear in the input and allocates only what it returns, so a hostile
// 8 KiB extension header costs microseconds (ws 3.3.1 / 7.4.6 were a DoS and a ReDoS here).
// Pure: runs on whichever thread calls it (the I/O thread in the server); no uv.h, no napi.h.
#include "ws/handshake.h"

#include <cstddef>

#include "util/ascii.h"
#include "util/base64.h"
#include "util/sha1.h"

namespace httpuv {
namespace ws {

namespace {

constexpr char kGuid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";  // RFC 6455 §1.3
constexpr char kDeflateName[] = "permessage-deflate";

bool IsOws(char c) { return c == ' ' || c == '\t'; }

std::string Trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && IsOws(s[b])) ++b;
  while (e > b && IsOws(s[e - 1])) --e;
  return s.substr(b, e - b);
}

// Every value of header `name` (case-insensitive), in order.
std::vector<const std::string*> Values(const Headers& headers, const char* name) {
  std::vector<const std::string*> out;
  for (const auto& h : headers) {
    if (util::EqualsIgnoreCase(h.first, name)) out.push_back(&h.second);
  }
  return out;
}

// Splits every value of `name` on commas into trimmed elements (empty ones kept).
std::vector<std::string> ListElements(const Headers& headers, const char* name) {
  std::vector<std::string> out;
  for (const std::string* v : Values(headers, name)) {
    size_t start = 0;
    for (;;) {
      size_t comma = v->find(',', start);
      out.push_back(
          Trim(v->substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return out;
}

bool HasToken(const Headers& headers, const char* name, const char* token) {
  for (const std::string* v : Values(headers, name)) {
    if (util::ListHasToken(*v, token)) return true;
  }
  return false;
}

// Sec-WebSocket-Key: the base64 form of 16 bytes is 22 alphabet characters then "==". Like ws,
// the unused low bits of the 22nd character are not required to be zero.
bool IsValidKey(const std::string& key) {
  if (key.size() != 24 || key[22] != '=' || key[23] != '=') return false;
  for (size_t i = 0; i < 22; ++i) {
    char c = key[i];
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/';
    if (!ok) return false;
  }
  return true;
}

// RFC 7692 §7.1.2: 1*DIGIT without leading zeros, 8..15.
int ParseWindowBits(const ExtensionParam& p) {
  if (!p.has_value || p.value.empty() || p.value.size() > 2 || p.value[0] == '0') return -1;
  int v = 0;
  for (char c : p.value) {
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v >= 8 && v <= 15 ? v : -1;
}

HandshakeResult Fail(int status, const char* error) {
  HandshakeResult r;
  r.ok = false;
  r.status = status;
  r.error = error;
  return r;
}

// A small cursor over one header value for ParseExtensions.
class Cursor {
 public:
  explicit Cursor(const std::string& s) : s_(s) {}
  bool AtEnd() const { return i_ >= s_.size(); }
  char Peek() const { return AtEnd() ? '\0' : s_[i_]; }
  void Skip() { ++i_; }
  void SkipOws() {
    while (!AtEnd() && IsOws(s_[i_])) ++i_;
  }
  std::string Token() {
    size_t b = i_;
    while (!AtEnd() && util::IsTokenChar(s_[i_])) ++i_;
    return s_.substr(b, i_ - b);
  }
  // After the opening quote: reads to the closing quote, unescaping quoted-pairs.
  bool QuotedRest(std::string* out) {
    while (!AtEnd()) {
      char c = s_[i_++];
      if (c == '"') return true;
      if (c == '\\') {
        if (AtEnd()) return false;
        c = s_[i_++];
      }
      if (static_cast<unsigned char>(c) < 0x20 && c != '\t') return false;
      out->push_back(c);
    }
    return false;
  }

 private:
  const std::string& s_;
  size_t i_ = 0;
};

}  // namespace

bool IsWebSocketUpgrade(const Headers& headers) {
  return HasToken(headers, "upgrade", "websocket") && HasToken(headers, "connection", "upgrade");
}

std::string AcceptKey(const std::string& key) {
  util::Sha1 h;
  h.Update(key);
  h.Update(std::string(kGuid));
  util::Sha1Digest d = h.Final();
  return util::Base64Encode(d.data(), d.size());
}

bool ParseExtensions(const std::string& value, std::vector<ExtensionOffer>* out) {
  Cursor c(value);
  for (;;) {
    c.SkipOws();
    ExtensionOffer offer;
    offer.name = c.Token();
    if (offer.name.empty()) return false;  // empty element or junk where a name belongs
    c.SkipOws();
    while (c.Peek() == ';') {
      c.Skip();
      c.SkipOws();
      ExtensionParam p;
      p.name = c.Token();
      if (p.name.empty()) return false;
      c.SkipOws();
      if (c.Peek() == '=') {
        c.Skip();
        c.SkipOws();
        p.has_value = true;
        if (c.Peek() == '"') {
          c.Skip();
          // RFC 6455 §9.1: an unquoted quoted-string must itself be a token.
          if (!c.QuotedRest(&p.value) || !util::IsToken(p.value)) return false;
        } else {
          p.value = c.Token();
          if (p.value.empty()) return false;
        }
        c.SkipOws();
      }
      offer.params.push_back(std::move(p));
    }
    out->push_back(std::move(offer));
    if (c.AtEnd()) return true;
    if (c.Peek() != ',') return false;
    c.Skip();
  }
}

OfferVerdict NegotiateDeflateOffer(const ExtensionOffer& offer, const HandshakeOptions& options,
                                   DeflateParams* params, std::string* response) {
  if (!util::EqualsIgnoreCase(offer.name, kDeflateName)) return OfferVerdict::kDeclined;
  bool seen_snct = false, seen_cnct = false, seen_smwb = false, seen_cmwb = false;
  int smwb = 0;  // 0 = not offered
  int cmwb = 0;  // 0 = not offered or offered without a value
  for (const ExtensionParam& p : offer.params) {
    if (util::EqualsIgnoreCase(p.name, "server_no_context_takeover")) {
      if (seen_snct || p.has_value) return OfferVerdict::kDeclined;
      seen_snct = true;
    } else if (util::EqualsIgnoreCase(p.name, "client_no_context_takeover")) {
      if (seen_cnct || p.has_value) return OfferVerdict::kDeclined;
      seen_cnct = true;
    } else if (util::EqualsIgnoreCase(p.name, "server_max_window_bits")) {
      if (seen_smwb) return OfferVerdict::kDeclined;
      seen_smwb = true;
      smwb = ParseWindowBits(p);
      if (smwb < 0) return OfferVerdict::kDeclined;
    } else if (util::EqualsIgnoreCase(p.name, "client_max_window_bits")) {
      if (seen_cmwb) return OfferVerdict::kDeclined;
      seen_cmwb = true;
      if (p.has_value) {
        cmwb = ParseWindowBits(p);
        if (cmwb < 0) return OfferVerdict::kDeclined;
      }
    } else {
      return OfferVerdict::kDeclined;  // unknown parameter (RFC 7692 §5)
    }
  }
  // zlib (>= 1.2.9) refuses raw deflate with windowBits 8, and a 512-byte window could emit
  // distances the peer cannot resolve: decline rather than promise what we cannot keep.
  if (smwb == 8) return OfferVerdict::kDeclined;

  DeflateParams p;
  p.enabled = true;
  p.server_no_context_takeover = seen_snct || options.server_no_context_takeover;
  p.client_no_context_takeover = seen_cnct;
  p.server_max_window_bits = smwb != 0 ? smwb : 15;
  p.client_max_window_bits = cmwb != 0 ? cmwb : 15;

  std::string r = kDeflateName;
  if (p.server_no_context_takeover) r += "; server_no_context_takeover";
  if (p.client_no_context_takeover) r += "; client_no_context_takeover";
  if (smwb != 0) r += "; server_max_window_bits=" + std::to_string(smwb);
  // A valueless client_max_window_bits only says the client could take a limit; we set none
  // (ws does the same), so the client keeps its default window of 15.
  if (cmwb != 0) r += "; client_max_window_bits=" + std::to_string(cmwb);
  *params = p;
  *response = std::move(r);
  return OfferVerdict::kAccepted;
}

HandshakeResult EvaluateHandshake(const std::string& method, int http_major, int http_minor,
                                  const Headers& headers, const HandshakeOptions& options) {
  if (method != "GET") {
    HandshakeResult r = Fail(405, "WebSocket handshake must use GET");
    r.error_headers.emplace_back("Allow", "GET");
    return r;
  }
  // RFC 6455 §4.1: "The method of the request MUST be GET, and the HTTP version MUST be at
  // least 1.1." (the ws package accepts 1.0; we follow the MUST.)
  if (http_major < 1 || (http_major == 1 && http_minor < 1)) {
    return Fail(400, "WebSocket handshake requires HTTP/1.1");
  }
  if (!HasToken(headers, "upgrade", "websocket")) return Fail(400, "Invalid Upgrade header");
  if (!HasToken(headers, "connection", "upgrade")) {
    HandshakeResult r = Fail(426, "Connection header lacks the upgrade token");
    r.error_headers.emplace_back("Upgrade", "websocket");
    r.error_headers.emplace_back("Connection", "Upgrade");
    return r;
  }

  std::vector<const std::string*> keys = Values(headers, "sec-websocket-key");
  std::string key = keys.size() == 1 ? Trim(*keys[0]) : std::string();
  if (!IsValidKey(key)) return Fail(400, "Missing or invalid Sec-WebSocket-Key header");

  std::vector<const std::string*> versions = Values(headers, "sec-websocket-version");
  if (versions.size() != 1 || Trim(*versions[0]) != "13") {
    HandshakeResult r = Fail(400, "Missing or unsupported Sec-WebSocket-Version header");
    r.error_headers.emplace_back("Sec-WebSocket-Version", "13");
    return r;
  }

  HandshakeResult r;
  if (!Values(headers, "sec-websocket-protocol").empty()) {
    std::vector<std::string> offered = ListElements(headers, "sec-websocket-protocol");
    for (size_t i = 0; i < offered.size(); ++i) {
      if (!util::IsToken(offered[i])) return Fail(400, "Invalid Sec-WebSocket-Protocol header");
      for (size_t j = 0; j < i; ++j) {
        if (offered[j] == offered[i]) return Fail(400, "Invalid Sec-WebSocket-Protocol header");
      }
    }
    for (const std::string& p : offered) {
      bool supported = false;
      for (const std::string& s : options.protocols) supported = supported || s == p;
      if (supported) {
        r.protocol = p;
        break;
      }
    }
  }

  if (options.enable_deflate) {
    std::vector<ExtensionOffer> offers;
    for (const std::string* v : Values(headers, "sec-websocket-extensions")) {
      if (!ParseExtensions(*v, &offers)) {
        return Fail(400, "Invalid Sec-WebSocket-Extensions header");
      }
    }
    for (const ExtensionOffer& offer : offers) {
      if (NegotiateDeflateOffer(offer, options, &r.deflate, &r.extensions) ==
          OfferVerdict::kAccepted) {
        break;
      }
    }
  }

  r.ok = true;
  r.status = 101;
  r.accept = AcceptKey(key);
  r.response_headers.emplace_back("Upgrade", "websocket");
  r.response_headers.emplace_back("Connection", "Upgrade");
  r.response_headers.emplace_back("Sec-WebSocket-Accept", r.accept);
  if (!r.protocol.empty()) r.response_headers.emplace_back("Sec-WebSocket-Protocol", r.protocol);
  if (!r.extensions.empty()) {
    r.response_headers.emplace_back("Sec-WebSocket-Extensions", r.extensions);
  }
  return r;
}

std::string BuildAcceptResponse(const HandshakeResult& result, const std::string& date) {
  if (!result.ok) return std::string();
  std::string out = "HTTP/1.1 101 Switching Protocols\r\n";
  if (!date.empty()) out += "Date: " + date + "\r\n";
  for (const auto& h : result.response_headers) out += h.first + ": " + h.second + "\r\n";
  out += "\r\n";
  return out;
}

}  // namespace ws
}  // namespace httpuv
