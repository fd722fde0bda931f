// Loaded into every Node process of the Wine test run (NODE_OPTIONS=--require): Wine 8 has no
// setsockopt(SIO_KEEPALIVE_VALS / TCP_KEEPALIVE), and undici (fetch) calls setKeepAlive on every
// socket before connecting, which then fails with "connect UNKNOWN". Keep-alive probes do not
// matter on loopback, so it becomes a no-op. Test harness only; never part of the package.
'use strict';
require('net').Socket.prototype.setKeepAlive = function setKeepAliveNoop() { return this; };
