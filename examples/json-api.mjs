// A JSON API with routing and a POST body: a small in-memory to-do list.
//   GET    /api/todos          list (?done=true or ?done=false filters)
//   POST   /api/todos          create from a JSON body {"title": "..."}
//   GET    /api/todos/:id      one item
//   DELETE /api/todos/:id      remove it
// Run: node examples/json-api.mjs, then
//   curl -X POST -H 'Content-Type: application/json' -d '{"title":"milk"}' http://127.0.0.1:8080/api/todos
import { startServer } from 'node-httpuv';

const todos = new Map();
let nextId = 1;

const json = (status, value, headers = {}) => ({
  status,
  headers: { 'Content-Type': 'application/json', ...headers },
  body: JSON.stringify(value),
});

function call(req) {
  const method = req.REQUEST_METHOD;
  const path = req.PATH_INFO;                           // "/api/todos/3", without the query
  const query = new URLSearchParams(req.QUERY_STRING);  // QUERY_STRING keeps its "?": "?done=true"

  if (path === '/api/todos' && method === 'GET') {
    let items = [...todos.values()];
    if (query.has('done')) items = items.filter((t) => String(t.done) === query.get('done'));
    return json(200, items);
  }
  if (path === '/api/todos' && method === 'POST') {
    if (!req.HEADERS['content-type']?.startsWith('application/json')) { // header names are lower-case
      return json(415, { error: 'send Content-Type: application/json' });
    }
    let input;
    try {
      input = JSON.parse(req['rook.input'].read().toString('utf8')); // the body, read at once
    } catch {
      return json(400, { error: 'the body is not valid JSON' });
    }
    if (typeof input?.title !== 'string') return json(400, { error: 'title must be a string' });
    const todo = { id: nextId++, title: input.title, done: false };
    todos.set(todo.id, todo);
    return json(201, todo, { Location: `/api/todos/${todo.id}` });
  }
  const m = /^\/api\/todos\/(\d+)$/.exec(path);
  if (m) {
    const todo = todos.get(Number(m[1]));
    if (!todo) return json(404, { error: 'no such todo' });
    if (method === 'GET') return json(200, todo);
    if (method === 'DELETE') {
      todos.delete(todo.id);
      return { status: 204 };
    }
    return json(405, { error: 'method not allowed' }, { Allow: 'GET, DELETE' });
  }
  return json(404, { error: `nothing at ${path}` });
}

const server = startServer('127.0.0.1', Number(process.env.PORT ?? 8080), { call });
console.log(`Listening on http://127.0.0.1:${server.getPort()}`);
