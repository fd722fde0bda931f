// WebSocket opening handshake (see handshake.h). Pure.
#include "ws/handshake.h"

#include <strings.h>

#include <cstring>

#include "util/base64.h"
#include "util/sha1.h"

namespace httpuv {
namespace ws {

namespace {

const char kNoValue[] = "\x01";

bool NameIs(const std::string& a, const char* b) { return strcasecmp(a.c_str(), b) == 0; }

std::string Trim(const std::string& s) {
  size_t a = 0, b = s.size();
  while (a < b && (s[a] == ' ' || s[a] == '\t')) a++;
  while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t')) b--;
  return s.substr(a, b - a);
}

std::vector<std::string> SplitList(const std::string& v) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= v.size()) {
    size_t j = v.find(',', i);
    if (j == std::string::npos) j = v.size();
    std::string t = Trim(v.substr(i, j - i));
    if (!t.empty()) out.push_back(t);
    i = j + 1;
  }
  return out;
}

bool IsTchar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

bool IsToken(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsTchar(c)) return false;
  }
  return true;
}

// All values of headers named `name`, each split as a comma list.
std::vector<std::string> ListValues(const Headers& headers, const char* name) {
  std::vector<std::string> out;
  for (const auto& h : headers) {
    if (!NameIs(h.first, name)) continue;
    for (auto& t : SplitList(h.second)) out.push_back(t);
  }
  return out;
}

int CountHeader(const Headers& headers, const char* name) {
  int n = 0;
  for (const auto& h : headers) n += NameIs(h.first, name) ? 1 : 0;
  return n;
}

const std::string* FindHeader(const Headers& headers, const char* name) {
  for (const auto& h : headers) {
    if (NameIs(h.first, name)) return &h.second;
  }
  return nullptr;
}

bool ParseWindowBits(const std::string& v, int lo, int* out) {
  if (v.empty() || v.size() > 2) return false;
  for (char c : v) {
    if (c < '0' || c > '9') return false;
  }
  int n = std::stoi(v);
  if (n < lo || n > 15 || (v.size() == 2 && v[0] == '0')) return false;
  *out = n;
  return true;
}

// Accepts one permessage-deflate offer if we can honour it (RFC 7692 §7.1).
bool AcceptDeflateOffer(const ExtensionOffer& offer, DeflateParams* p, std::string* response) {
  DeflateParams d;
  d.enabled = true;
  bool seen_snct = false, seen_cnct = false, seen_smwb = false, seen_cmwb = false;
  bool client_bits_with_value = false;
  for (const auto& kv : offer.params) {
    const std::string& k = kv.first;
    const std::string& v = kv.second;
    bool no_value = v == kNoValue;
    if (k == "server_no_context_takeover") {
      if (seen_snct || !no_value) return false;
      seen_snct = true;
      d.server_no_context_takeover = true;
    } else if (k == "client_no_context_takeover") {
      if (seen_cnct || !no_value) return false;
      seen_cnct = true;
      d.client_no_context_takeover = true;
    } else if (k == "server_max_window_bits") {
      // zlib cannot make raw deflate streams with an 8-bit window, so an offer that limits us
      // to 8 is declined (reliability-plan §2.5).
      if (seen_smwb || no_value || !ParseWindowBits(v, 8, &d.server_max_window_bits)) return false;
      if (d.server_max_window_bits == 8) return false;
      seen_smwb = true;
    } else if (k == "client_max_window_bits") {
      if (seen_cmwb) return false;
      seen_cmwb = true;
      if (!no_value) {
        if (!ParseWindowBits(v, 8, &d.client_max_window_bits)) return false;
        client_bits_with_value = true;
      }
    } else {
      return false;  // unknown parameter: decline this offer
    }
  }
  std::string r = "permessage-deflate";
  if (d.server_no_context_takeover) r += "; server_no_context_takeover";
  if (d.client_no_context_takeover) r += "; client_no_context_takeover";
  if (seen_smwb) r += "; server_max_window_bits=" + std::to_string(d.server_max_window_bits);
  if (client_bits_with_value) {
    r += "; client_max_window_bits=" + std::to_string(d.client_max_window_bits);
  }
  *p = d;
  *response = r;
  return true;
}

}  // namespace

bool ParseExtensions(const std::string& value, std::vector<ExtensionOffer>* out) {
  // extension-list = 1#( token *( ";" token [ "=" ( token / quoted-string ) ] ) )
  size_t i = 0, n = value.size();
  auto skip_ws = [&] {
    while (i < n && (value[i] == ' ' || value[i] == '\t')) i++;
  };
  auto token = [&](std::string* t) {
    size_t a = i;
    while (i < n && IsTchar(value[i])) i++;
    *t = value.substr(a, i - a);
    return !t->empty();
  };
  for (;;) {
    skip_ws();
    if (i < n && value[i] == ',') {  // empty list elements are allowed
      i++;
      continue;
    }
    if (i >= n) break;
    ExtensionOffer offer;
    if (!token(&offer.name)) return false;
    skip_ws();
    while (i < n && value[i] == ';') {
      i++;
      skip_ws();
      std::string k, v = kNoValue;
      if (!token(&k)) return false;
      skip_ws();
      if (i < n && value[i] == '=') {
        i++;
        skip_ws();
        if (i < n && value[i] == '"') {
          i++;
          v.clear();
          while (i < n && value[i] != '"') {
            if (value[i] == '\\' && i + 1 < n) i++;
            v += value[i++];
          }
          if (i >= n) return false;
          i++;
          if (!IsToken(v)) return false;  // RFC 7692 §7: quoted values must still be tokens
        } else if (!token(&v)) {
          return false;
        }
        skip_ws();
      }
      offer.params.emplace_back(k, v);
    }
    out->push_back(std::move(offer));
    skip_ws();
    if (i >= n) break;
    if (value[i] != ',') return false;
    i++;
  }
  return true;
}

bool IsWebSocketUpgrade(const Headers& headers) {
  for (const auto& t : ListValues(headers, "upgrade")) {
    if (strcasecmp(t.c_str(), "websocket") == 0) return true;
  }
  return false;
}

std::string AcceptKey(const std::string& key) {
  auto digest = util::Sha1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
  return util::Base64Encode(digest.data(), digest.size());
}

HandshakeResult EvaluateHandshake(const std::string& method, int http_major, int http_minor,
                                  const Headers& headers, const HandshakeOptions& options) {
  HandshakeResult r;
  if (method != "GET") {
    r.status = 405;
    r.error = "WebSocket upgrade with method " + method;
    r.error_headers.emplace_back("Allow", "GET");
    return r;
  }
  if (http_major < 1 || (http_major == 1 && http_minor < 1)) {
    r.error = "WebSocket upgrade needs HTTP/1.1 (RFC 6455 §4.1)";
    return r;
  }
  const std::string* version = FindHeader(headers, "sec-websocket-version");
  if (version == nullptr || CountHeader(headers, "sec-websocket-version") != 1 ||
      Trim(*version) != "13") {
    r.error = version == nullptr ? "missing Sec-WebSocket-Version" : "unsupported Sec-WebSocket-Version";
    r.error_headers.emplace_back("Sec-WebSocket-Version", "13");
    return r;
  }
  const std::string* key = FindHeader(headers, "sec-websocket-key");
  if (key == nullptr || CountHeader(headers, "sec-websocket-key") != 1 ||
      util::Base64DecodedLength(Trim(*key)) != 16) {
    r.error = "missing or invalid Sec-WebSocket-Key";
    return r;
  }
  // Subprotocols: every offered one must be a token; pick ours in preference order.
  std::vector<std::string> offered = ListValues(headers, "sec-websocket-protocol");
  for (const auto& p : offered) {
    if (!IsToken(p)) {
      r.error = "invalid Sec-WebSocket-Protocol";
      return r;
    }
  }
  for (const auto& mine : options.protocols) {
    bool found = false;
    for (const auto& p : offered) found = found || p == mine;
    if (found) {
      r.protocol = mine;
      break;
    }
  }
  // Extensions: accept the first permessage-deflate offer we can honour.
  for (const auto& h : headers) {
    if (!NameIs(h.first, "sec-websocket-extensions")) continue;
    std::vector<ExtensionOffer> offers;
    if (!ParseExtensions(h.second, &offers)) {
      r.error = "invalid Sec-WebSocket-Extensions";
      return r;
    }
    if (!options.enable_deflate || r.deflate.enabled) continue;
    for (const auto& o : offers) {
      if (o.name == "permessage-deflate" && AcceptDeflateOffer(o, &r.deflate, &r.extensions)) break;
    }
  }
  r.accept = AcceptKey(Trim(*key));
  r.ok = true;
  r.status = 101;
  return r;
}

std::string BuildAcceptResponse(const HandshakeResult& result, const std::string& date) {
  std::string out =
      "HTTP/1.1 101 Switching Protocols\r\nDate: " + date +
      "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + result.accept +
      "\r\n";
  if (!result.protocol.empty()) out += "Sec-WebSocket-Protocol: " + result.protocol + "\r\n";
  if (!result.extensions.empty()) out += "Sec-WebSocket-Extensions: " + result.extensions + "\r\n";
  out += "\r\n";
  return out;
}

}  // namespace ws
}  // namespace httpuv
