// Header lookups on parsed requests. Pure helpers; run on whichever thread holds the request.
#include "http/request.h"

#include <strings.h>

namespace httpuv {

bool HeaderNameEquals(const std::string& a, const char* b) {
  return strcasecmp(a.c_str(), b) == 0;
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
