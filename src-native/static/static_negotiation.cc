// Parsers and formatters for the headers static file responses negotiate with (dates, ranges,
// entity tags, Accept-Encoding). Pure string code.
// Runs on the I/O thread; no napi.h, no uv.h.
#include "static/static_negotiation.h"

#include <cstdio>
#include <cstring>
#include <ctime>

#include "platform/time.h"
#include "util/ascii.h"

namespace httpuv {
namespace statics {
namespace {

constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsSpace(char c) { return c == ' ' || c == '\t'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's civil-date algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool TwoDigits(std::string_view s, size_t at, int* out) {
  if (!IsDigit(s[at]) || !IsDigit(s[at + 1])) return false;
  *out = (s[at] - '0') * 10 + (s[at + 1] - '0');
  return true;
}

// Parses decimal digits with saturation at UINT64_MAX. False when `s` is empty or not all digits.
bool ParseU64Saturating(std::string_view s, uint64_t* out) {
  if (s.empty()) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (!IsDigit(c)) return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    v = (v > (UINT64_MAX - d) / 10) ? UINT64_MAX : v * 10 + d;
  }
  *out = v;
  return true;
}

// Calls `fn(element)` for each trimmed, non-empty comma-separated element of a list header.
// Commas inside quoted strings (entity-tags may contain them) do not split.
template <typename Fn>
void ForEachListElement(std::string_view list, Fn fn) {
  size_t start = 0;
  bool quoted = false;
  for (size_t i = 0; i <= list.size(); i++) {
    if (i < list.size() && list[i] == '"') quoted = !quoted;
    if (i == list.size() || (list[i] == ',' && !quoted)) {
      std::string_view e = Trim(list.substr(start, i - start));
      if (!e.empty()) fn(e);
      start = i + 1;
    }
  }
}

// Splits an entity-tag into weakness and opaque-tag (quotes included). False if malformed.
bool SplitEtag(std::string_view tag, bool* weak, std::string_view* opaque) {
  *weak = tag.size() >= 2 && tag[0] == 'W' && tag[1] == '/';
  if (*weak) tag.remove_prefix(2);
  if (tag.size() < 2 || tag.front() != '"' || tag.back() != '"') return false;
  if (tag.substr(1, tag.size() - 2).find('"') != std::string_view::npos) return false;
  *opaque = tag;
  return true;
}

bool EtagListMatches(std::string_view list, std::string_view etag, bool strong) {
  list = Trim(list);
  if (list == "*") return true;
  bool our_weak;
  std::string_view ours;
  if (!SplitEtag(etag, &our_weak, &ours)) return false;
  if (strong && our_weak) return false;
  bool matched = false;
  ForEachListElement(list, [&](std::string_view e) {
    bool weak;
    std::string_view theirs;
    if (!SplitEtag(e, &weak, &theirs)) return;
    if (strong && weak) return;
    if (theirs == ours) matched = true;
  });
  return matched;
}

// "q=0.5" style weight in thousandths; false when malformed (RFC 9110 §12.4.2: 0, 0.x{0,3}, 1,
// 1.0{0,3}).
bool ParseQ(std::string_view v, int* out) {
  if (v.empty() || v.size() > 5) return false;
  if (v[0] != '0' && v[0] != '1') return false;
  int whole = v[0] - '0';
  int frac = 0;
  if (v.size() > 1) {
    if (v[1] != '.') return false;
    int scale = 100;
    for (size_t i = 2; i < v.size(); i++) {
      if (!IsDigit(v[i])) return false;
      frac += (v[i] - '0') * scale;
      scale /= 10;
    }
  }
  if (whole == 1 && frac != 0) return false;
  *out = whole * 1000 + frac;
  return true;
}

}  // namespace

std::string FormatHttpDate(int64_t unix_seconds) {
  time_t t = static_cast<time_t>(unix_seconds);
  struct tm tm;
  platform::GmTime(t, &tm);
  char buf[64];
  const int year = tm.tm_year + 1900;
  if (year < 0 || year > 9999) {
    snprintf(buf, sizeof(buf), "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday % 7],
             tm.tm_mday, kMonths[tm.tm_mon % 12], year, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
  }
  // The common case by hand: this runs for every static response (Last-Modified).
  auto two = [](char* p, int v) {
    p[0] = static_cast<char>('0' + v / 10 % 10);
    p[1] = static_cast<char>('0' + v % 10);
  };
  memcpy(buf, kDays[tm.tm_wday % 7], 3);
  buf[3] = ',';
  buf[4] = ' ';
  two(buf + 5, tm.tm_mday);
  buf[7] = ' ';
  memcpy(buf + 8, kMonths[tm.tm_mon % 12], 3);
  buf[11] = ' ';
  two(buf + 12, year / 100);
  two(buf + 14, year % 100);
  buf[16] = ' ';
  two(buf + 17, tm.tm_hour);
  buf[19] = ':';
  two(buf + 20, tm.tm_min);
  buf[22] = ':';
  two(buf + 23, tm.tm_sec);
  memcpy(buf + 25, " GMT", 4);
  return std::string(buf, 29);
}

bool ParseHttpDate(std::string_view s, int64_t* unix_seconds) {
  // "Sun, 06 Nov 1994 08:49:37 GMT"
  //  0123456789012345678901234567 8
  if (s.size() != 29) return false;
  bool day_ok = false;
  for (const char* d : kDays) day_ok = day_ok || s.substr(0, 3) == d;
  if (!day_ok || s.substr(3, 2) != ", " || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' ||
      s[19] != ':' || s[22] != ':' || s.substr(25) != " GMT") {
    return false;
  }
  int month = 0;
  for (int i = 0; i < 12; i++) {
    if (s.substr(8, 3) == kMonths[i]) month = i + 1;
  }
  int day, hi, lo, hour, minute, second;
  if (month == 0 || !TwoDigits(s, 5, &day) || !TwoDigits(s, 12, &hi) || !TwoDigits(s, 14, &lo) ||
      !TwoDigits(s, 17, &hour) || !TwoDigits(s, 20, &minute) || !TwoDigits(s, 23, &second)) {
    return false;
  }
  if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return false;
  int64_t days = DaysFromCivil(hi * 100 + lo, static_cast<unsigned>(month),
                               static_cast<unsigned>(day));
  *unix_seconds = days * 86400 + hour * 3600 + minute * 60 + second;
  return true;
}

ByteRange ParseRange(std::string_view header, uint64_t size) {
  ByteRange r;
  std::string_view h = Trim(header);
  size_t eq = h.find('=');
  if (eq == std::string_view::npos || !util::EqualsIgnoreCase(Trim(h.substr(0, eq)), "bytes")) return r;
  std::string_view spec = Trim(h.substr(eq + 1));
  // Several ranges (or a list with empty elements) get the whole file: no multipart bodies, so
  // no amplification from thousands of small or overlapping ranges.
  if (spec.find(',') != std::string_view::npos) return r;
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return r;
  std::string_view a = Trim(spec.substr(0, dash));
  std::string_view b = Trim(spec.substr(dash + 1));
  uint64_t first = 0, last = 0;
  if (a.empty()) {
    // Suffix range: the last n bytes (RFC 9110 §14.1.3). n = 0, or an empty file, cannot be met.
    if (!ParseU64Saturating(b, &last)) return r;
    if (last == 0 || size == 0) {
      r.kind = ByteRange::Kind::kUnsatisfiable;
      return r;
    }
    r.kind = ByteRange::Kind::kSatisfiable;
    r.length = last < size ? last : size;
    r.first = size - r.length;
    return r;
  }
  if (!ParseU64Saturating(a, &first)) return r;
  if (b.empty()) {
    last = UINT64_MAX;
  } else if (!ParseU64Saturating(b, &last) || last < first) {
    return r;  // invalid range-spec: ignore the header (§14.2)
  }
  if (first >= size) {
    r.kind = ByteRange::Kind::kUnsatisfiable;
    return r;
  }
  if (last >= size) last = size - 1;
  r.kind = ByteRange::Kind::kSatisfiable;
  r.first = first;
  r.length = last - first + 1;
  return r;
}

bool EtagListMatchesWeak(std::string_view list, std::string_view etag) {
  return EtagListMatches(list, etag, false);
}

bool EtagListMatchesStrong(std::string_view list, std::string_view etag) {
  return EtagListMatches(list, etag, true);
}

AcceptEncoding ParseAcceptEncoding(std::string_view header) {
  AcceptEncoding ae;
  ForEachListElement(header, [&](std::string_view e) {
    std::string_view coding = e;
    int q = 1000;
    size_t semi = e.find(';');
    if (semi != std::string_view::npos) {
      coding = Trim(e.substr(0, semi));
      std::string_view params = e.substr(semi + 1);
      // Only the q parameter is defined for Accept-Encoding.
      bool ok = true;
      while (!params.empty()) {
        size_t next = params.find(';');
        std::string_view p = Trim(params.substr(0, next));
        params = next == std::string_view::npos ? std::string_view() : params.substr(next + 1);
        if (p.empty()) continue;
        size_t peq = p.find('=');
        if (peq == std::string_view::npos) continue;
        if (util::EqualsIgnoreCase(Trim(p.substr(0, peq)), "q")) ok = ParseQ(Trim(p.substr(peq + 1)), &q);
      }
      if (!ok) return;
    }
    int* slot = nullptr;
    if (util::EqualsIgnoreCase(coding, "br")) {
      slot = &ae.br;
    } else if (util::EqualsIgnoreCase(coding, "gzip") || util::EqualsIgnoreCase(coding, "x-gzip")) {
      slot = &ae.gzip;
    } else if (util::EqualsIgnoreCase(coding, "identity")) {
      slot = &ae.identity;
    } else if (coding == "*") {
      slot = &ae.any;
    }
    if (slot != nullptr && *slot < 0) *slot = q;  // the first mention counts
  });
  return ae;
}

}  // namespace statics
}  // namespace httpuv
