// Synchronous "can this port be bound?" check for randomPort(). Runs on the JS thread, on a
// plain socket it closes at once; no libuv loop involved.
#ifndef NODE_HTTPUV_LOOP_PORT_PROBE_H_
#define NODE_HTTPUV_LOOP_PORT_PROBE_H_

#include <string>

namespace httpuv {

// True when a TCP listener could bind host:port right now.
bool PortAvailable(const std::string& host, int port);

}  // namespace httpuv

#endif  // NODE_HTTPUV_LOOP_PORT_PROBE_H_
