// Port availability probe (see port_probe.h). Runs on the JS thread.
#include "loop/port_probe.h"

#include <uv.h>
#include <sys/socket.h>
#include <unistd.h>

namespace httpuv {

bool PortAvailable(const std::string& host, int port) {
  sockaddr_storage addr;
  socklen_t len;
  if (uv_ip6_addr(host.c_str(), port, reinterpret_cast<sockaddr_in6*>(&addr)) == 0) {
    len = sizeof(sockaddr_in6);
  } else if (uv_ip4_addr(host.c_str(), port, reinterpret_cast<sockaddr_in*>(&addr)) == 0) {
    len = sizeof(sockaddr_in);
  } else {
    return false;
  }
  int fd = socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  // Same options as a real listener (libuv sets SO_REUSEADDR), so the answer matches.
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), len) == 0 && listen(fd, 1) == 0;
  close(fd);
  return ok;
}

}  // namespace httpuv
