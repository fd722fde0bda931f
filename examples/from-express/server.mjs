// Moving an Express app over: its static files and its JSON routes. The Express app was
//
//   const express = require('express');
//   const app = express();
//   app.use(express.static('public'));                 // files first, then the routes
//   app.use(express.json());
//   const books = [{ id: 1, title: 'Dune' }];
//   app.get('/api/books', (req, res) => res.json(books));
//   app.get('/api/books/:id', (req, res) => {
//     const book = books.find((b) => b.id === Number(req.params.id));
//     if (!book) return res.status(404).json({ error: 'not found' });
//     res.json(book);
//   });
//   app.post('/api/books', (req, res) => {
//     const book = { id: books.length + 1, title: String(req.body.title) };
//     books.push(book);
//     res.status(201).json(book);
//   });
//   app.listen(8080);
//
// What changes: a handler gets one request object (Rook: req.PATH_INFO, req.QUERY_STRING,
// req.HEADERS, req['rook.input']) and returns the response ({ status, headers, body }) instead
// of calling res methods; express.static becomes a static path that the I/O thread serves, with
// fallthrough: true so that a missing file goes on to the routes as in Express. Unlike Express,
// a static path answers every other method (POST, PUT...) with 405 itself, so the API's prefix
// is carved out with excludeStaticPath(). Routing is a small table of patterns (or any router
// that matches a method and a path).
// Run: node examples/from-express/server.mjs, then open http://127.0.0.1:8080
import { fileURLToPath } from 'node:url';
import { excludeStaticPath, startServer, staticPath } from 'node-httpuv';

const books = [{ id: 1, title: 'Dune' }];

const json = (status, value) => ({
  status,
  headers: { 'Content-Type': 'application/json; charset=utf-8' },
  body: JSON.stringify(value),
});

// [method, pattern, handler(req, params)]: the routes of the Express app above.
const routes = [
  ['GET', /^\/api\/books$/, () => json(200, books)],
  ['GET', /^\/api\/books\/(?<id>\d+)$/, (req, { id }) => {
    const book = books.find((b) => b.id === Number(id));
    return book ? json(200, book) : json(404, { error: 'not found' });
  }],
  ['POST', /^\/api\/books$/, (req) => {
    let body; // express.json(): parse the body when it is JSON
    try {
      body = JSON.parse(req['rook.input'].read().toString('utf8'));
    } catch {
      return json(400, { error: 'invalid JSON' });
    }
    const book = { id: books.length + 1, title: String(body?.title) };
    books.push(book);
    return json(201, book);
  }],
];

const server = startServer('127.0.0.1', Number(process.env.PORT ?? 8080), {
  staticPaths: {
    '/': staticPath(fileURLToPath(new URL('public', import.meta.url)), { fallthrough: true }),
    '/api': excludeStaticPath(),
  },
  call(req) {
    for (const [method, pattern, handler] of routes) {
      const m = pattern.exec(req.PATH_INFO);
      if (m && req.REQUEST_METHOD === method) return handler(req, m.groups ?? {});
    }
    return { status: 404, headers: { 'Content-Type': 'text/plain' }, body: `Cannot ${req.REQUEST_METHOD} ${req.PATH_INFO}\n` };
  },
});
console.log(`Listening on http://127.0.0.1:${server.getPort()}`);
