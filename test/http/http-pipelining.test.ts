// Pipelining: answers in request order, close
// semantics, and a wrong app Content-Length cannot desynchronise the connection.
import { underEmulation } from '../helpers/tools.js';
import assert from 'node:assert/strict';
import test from 'node:test';
import { RawConn, finalResponses, get, preview, rawRequest, saysClose } from '../helpers/clients.js';
import { finalNoServersTest, recordingApp, withServer } from '../helpers/server.js';
import type { Response } from '../../src/index.js';

test('H52: three pipelined GETs in one write → three responses in order', async () => {
  const { app } = recordingApp();
  await withServer(app, async ({ server }) => {
    const conn = await RawConn.connect(server.getPort());
    try {
      await conn.write(get('/1') + get('/2') + get('/3'));
      const res = await conn.responses(3);
      assert.deepEqual(res.map((r) => r.body.toString()), ['GET /1', 'GET /2', 'GET /3']);
    } finally {
      conn.destroy();
    }
  });
});

test('responses leave in request order even when the app finishes /3, /2, /1 (8.3 #25)', async () => {
  const finished: string[] = [];
  const delay: Record<string, number> = { '/1': 200, '/2': 100, '/3': 0 };
  await withServer((req) => new Promise<Response>((resolve) => {
    setTimeout(() => { finished.push(req.PATH_INFO); resolve({ status: 200, body: `body ${req.PATH_INFO}` }); },
      delay[req.PATH_INFO] ?? 0);
  }), async ({ server }) => {
    const conn = await RawConn.connect(server.getPort());
    try {
      await conn.write(get('/1') + get('/2') + get('/3'));
      const res = await conn.responses(3);
      assert.deepEqual(res.map((r) => r.body.toString()), ['body /1', 'body /2', 'body /3']);
    } finally {
      conn.destroy();
    }
  });
});

test('50 pipelined requests, including POSTs with bodies, in one write', async () => {
  const { app, seen } = recordingApp((_req, s) => ({ status: 200, body: `${s.path}:${s.body.toString()}` }));
  await withServer(app, async ({ server }) => {
    let input = '';
    for (let i = 0; i < 50; i++) {
      input += i % 2 === 0 ? get(`/g${i}`) : `POST /p${i} HTTP/1.1\r\nHost: a\r\nContent-Length: ${String(i).length}\r\n\r\n${i}`;
    }
    const conn = await RawConn.connect(server.getPort());
    try {
      await conn.write(input);
      const res = await conn.responses(50);
      res.forEach((r, i) => assert.equal(r.body.toString(), i % 2 === 0 ? `/g${i}:` : `/p${i}:${i}`));
      assert.equal(seen.length, 50);
    } finally {
      conn.destroy();
    }
  });
});

test('H53: Connection: close on the first request → one response, close, /2 never seen', async () => {
  const { app, seen } = recordingApp();
  await withServer(app, async ({ server }) => {
    const raw = await rawRequest(server.getPort(), get('/1', 'Connection: close\r\n') + get('/2'));
    const res = finalResponses(raw.data);
    assert.equal(res.length, 1, preview(raw.data));
    assert.ok(saysClose(res[0]));
    assert.ok(raw.closed);
    assert.deepEqual(seen.map((s) => s.path), ['/1']);
  });
});

test('H54: two HTTP/1.0 requests in one write → one response, close, /2 never seen', async () => {
  const { app, seen } = recordingApp();
  await withServer(app, async ({ server }) => {
    const raw = await rawRequest(server.getPort(), 'GET /1 HTTP/1.0\r\n\r\nGET /2 HTTP/1.0\r\n\r\n');
    assert.equal(finalResponses(raw.data).length, 1, preview(raw.data));
    assert.ok(raw.closed);
    assert.deepEqual(seen.map((s) => s.path), ['/1']);
  });
});

test('an app Content-Length that is too large or too small cannot desynchronise (8.3 #36)', async () => {
  await withServer((req): Response => {
    if (req.PATH_INFO === '/big') return { status: 200, headers: { 'Content-Length': '10' }, body: 'abcde' };
    if (req.PATH_INFO === '/small') return { status: 200, headers: { 'content-length': 3 }, body: 'abcdef' };
    return { status: 200, body: `next ${req.PATH_INFO}` };
  }, async ({ server }) => {
    const conn = await RawConn.connect(server.getPort());
    try {
      await conn.write(get('/big') + get('/n1') + get('/small') + get('/n2'));
      // A server that closes after a bad length is allowed; a corrupted stream is not.
      await conn.waitFor((d, c) => c || finalResponses(d).length >= 4, 3000, '4 responses or close');
      const res = finalResponses(conn.data);
      assert.ok(res.length >= 1, preview(conn.data));
      assert.equal(res[0].body.toString(), 'abcde');
      assert.equal(res[0].getAll('content-length').length, 1);
      if (res.length === 4) {
        assert.equal(res[1].body.toString(), 'next /n1');
        assert.equal(res[2].body.toString(), 'abcdef');
        assert.equal(res[3].body.toString(), 'next /n2');
      } else {
        assert.ok(conn.closed);
      }
    } finally {
      conn.destroy();
    }
  }, { gzip: false });
});

test('a 500 in the middle of a pipeline keeps the order', async () => {
  await withServer((req) => {
    if (req.PATH_INFO === '/bad') throw new Error('boom');
    return { status: 200, body: req.PATH_INFO };
  }, async ({ server }) => {
    const conn = await RawConn.connect(server.getPort());
    try {
      await conn.write(get('/a') + get('/bad') + get('/c'));
      const res = await conn.responses(3);
      assert.deepEqual(res.map((r) => r.status), [200, 500, 200]);
      assert.equal(res[2].body.toString(), '/c');
    } finally {
      conn.destroy();
    }
  });
});

test('an app Transfer-Encoding header, or a body on 204/304, cannot desynchronise the connection', async () => {
  await withServer((req): Response => {
    if (req.PATH_INFO === '/te') return { status: 200, headers: { 'Transfer-Encoding': 'chunked' }, body: 'abc' };
    if (req.PATH_INFO === '/204') return { status: 204, body: 'no content allowed' };
    if (req.PATH_INFO === '/304') return { status: 304, body: 'not modified' };
    return { status: 200, body: `next ${req.PATH_INFO}` };
  }, async ({ server }) => {
    const conn = await RawConn.connect(server.getPort());
    try {
      await conn.write(get('/te') + get('/n1') + get('/204') + get('/n2') + get('/304') + get('/n3'));
      await conn.waitFor((d, c) => c || finalResponses(d).length >= 6, 3000, '6 responses or close');
      const res = finalResponses(conn.data);
      const byPath = ['/te', '/n1', '/204', '/n2', '/304', '/n3'];
      for (let i = 0; i < res.length; i++) {
        if (byPath[i].startsWith('/n')) assert.equal(res[i].body.toString(), `next ${byPath[i]}`, preview(conn.data));
      }
      if (res.length < 6) assert.ok(conn.closed, `only ${res.length} responses and not closed: ${preview(conn.data)}`);
      if (res.length >= 1 && res[0].status === 200) assert.equal(res[0].body.toString(), 'abc');
    } finally {
      conn.destroy();
    }
  }, { gzip: false });
});

test('2000 pipelined requests in one write, read only afterwards: all answered in order',
  { skip: underEmulation('pipelined answers to a client that reads only afterwards come at ~100/s under Wine, past the 20 s deadline (not root-caused)') }, async () => {
  const { app } = recordingApp();
  await withServer(app, async ({ server }) => {
    const conn = await RawConn.connect(server.getPort());
    try {
      conn.socket.pause();
      let input = '';
      for (let i = 0; i < 2000; i++) input += get(`/${i}`);
      await conn.write(input);
      conn.socket.resume();
      const res = await conn.responses(2000, 20000);
      res.forEach((r, i) => assert.equal(r.body.toString(), `GET /${i}`));
    } finally {
      conn.destroy();
    }
  });
});

finalNoServersTest();
