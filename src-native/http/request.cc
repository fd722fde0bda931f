// Header lookups on parsed requests. Pure helpers; run on whichever thread holds the request.
#include "http/request.h"

#include <strings.h>

#include <cstring>

namespace httpuv {

bool HeaderNameEquals(const std::string& a, const char* b) {
  return strcasecmp(a.c_str(), b) == 0;
}

bool HeaderHasToken(const std::string& value, const char* token) {
  size_t tlen = strlen(token);
  size_t i = 0;
  while (i <= value.size()) {
    size_t j = value.find(',', i);
    if (j == std::string::npos) j = value.size();
    size_t a = i, b = j;
    while (a < b && (value[a] == ' ' || value[a] == '\t')) a++;
    while (b > a && (value[b - 1] == ' ' || value[b - 1] == '\t')) b--;
    if (b - a == tlen && strncasecmp(value.data() + a, token, tlen) == 0) return true;
    i = j + 1;
  }
  return false;
}

const std::string* Request::FindHeader(const char* name) const {
  for (const auto& h : headers) {
    if (HeaderNameEquals(h.first, name)) return &h.second;
  }
  return nullptr;
}

int Request::CountHeader(const char* name) const {
  int n = 0;
  for (const auto& h : headers) {
    if (HeaderNameEquals(h.first, name)) n++;
  }
  return n;
}

}  // namespace httpuv
