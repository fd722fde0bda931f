// The platform layer's calendar time: gmtime_r, which Windows spells _gmtime64_s.
// Pure; runs on any thread (thread-safe: the result goes to the caller's struct).
#ifndef NODE_HTTPUV_PLATFORM_TIME_H_
#define NODE_HTTPUV_PLATFORM_TIME_H_

#include <ctime>

namespace httpuv {
namespace platform {

inline void GmTime(time_t t, struct tm* out) {
#ifdef _WIN32
  _gmtime64_s(out, &t);
#else
  gmtime_r(&t, out);
#endif
}

}  // namespace platform
}  // namespace httpuv

#endif  // NODE_HTTPUV_PLATFORM_TIME_H_
