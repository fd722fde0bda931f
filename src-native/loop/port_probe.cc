// Port availability probe (see port_probe.h). Runs on the JS thread.
#include "loop/port_probe.h"

#include <uv.h>

#include "platform/system.h"

namespace httpuv {

bool PortAvailable(const std::string& host, int port) {
  sockaddr_storage addr;
  int len;
  if (uv_ip6_addr(host.c_str(), port, reinterpret_cast<sockaddr_in6*>(&addr)) == 0) {
    len = sizeof(sockaddr_in6);
  } else if (uv_ip4_addr(host.c_str(), port, reinterpret_cast<sockaddr_in*>(&addr)) == 0) {
    len = sizeof(sockaddr_in);
  } else {
    return false;
  }
  return platform::CanListen(reinterpret_cast<const sockaddr*>(&addr), static_cast<int>(len));
}

}  // namespace httpuv
