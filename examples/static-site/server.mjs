// Static files plus dynamic routes. Everything under public/ is served by the I/O thread (Range,
// ETag/304, MIME types, precompressed .br/.gz siblings) without running any JavaScript; /api is
// carved out of the static tree with excludeStaticPath() and answered by call().
// Run: node examples/static-site/server.mjs, then open http://127.0.0.1:8080
import { fileURLToPath } from 'node:url';
import { excludeStaticPath, startServer, staticPath } from 'node-httpuv';

const publicDir = fileURLToPath(new URL('public', import.meta.url));
let visits = 0;

const server = startServer('127.0.0.1', Number(process.env.PORT ?? 8080), {
  staticPaths: {
    '/': publicDir,                                          // index.html for "/", then any file
    '/assets': staticPath(publicDir, {                       // the same files, cached for a day
      headers: { 'Cache-Control': 'public, max-age=86400' },
    }),
    '/api': excludeStaticPath(),                             // never a file: goes to call()
  },
  call(req) {
    if (req.PATH_INFO === '/api/time') {
      visits += 1;
      return {
        status: 200,
        headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
        body: JSON.stringify({ now: new Date().toISOString(), visits }),
      };
    }
    // Also reached by a missing file when a static path says { fallthrough: true }.
    return { status: 404, headers: { 'Content-Type': 'text/plain' }, body: `No route for ${req.PATH_INFO}\n` };
  },
});
console.log(`Listening on http://127.0.0.1:${server.getPort()}`);
