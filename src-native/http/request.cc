// Header lookups on parsed requests. Pure helpers; run on whichever thread holds the request.
#include "http/request.h"

#include "util/ascii.h"

namespace httpuv {

const std::string* Request::FindHeader(const char* name) const {
  for (const auto& h : headers) {
    if (util::EqualsIgnoreCase(h.first, name)) return &h.second;
  }
  return nullptr;
}

int Request::CountHeader(const char* name) const {
  int n = 0;
  for (const auto& h : headers) {
    if (util::EqualsIgnoreCase(h.first, name)) n++;
  }
  return n;
}

}  // namespace httpuv
