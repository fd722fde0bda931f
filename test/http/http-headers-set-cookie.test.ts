// Response headers as [name, value] pairs: repeated Set-Cookie, order and case kept.
import assert from 'node:assert/strict';
import test from 'node:test';
import { fetchText, finalResponses, httpRequest, rawRequest } from '../helpers/clients.js';
import { finalNoServersTest, withServer } from '../helpers/server.js';

const pairs: Array<[string, string]> = [
  ['Set-Cookie', 'a=1; Path=/'],
  ['X-Between', 'x'],
  ['Set-Cookie', 'b=2; HttpOnly'],
  ['set-cookie', 'c=3, with comma; Expires=Wed, 21 Oct 2015 07:28:00 GMT'],
];

test('Set-Cookie pairs are sent as separate lines, in order, names as given', async () => {
  await withServer(() => ({ status: 200, headers: pairs, body: 'ok' }), async ({ server }) => {
    const raw = await rawRequest(server.getPort(), 'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    const [r] = finalResponses(raw.data);
    const mine = r.headers.filter(([k]) => ['set-cookie', 'x-between'].includes(k.toLowerCase()));
    assert.deepEqual(mine, pairs);
  });
});

test('node:http sees three cookies; fetch getSetCookie too', async () => {
  await withServer(() => ({ status: 200, headers: pairs, body: 'ok' }), async ({ server, url: base }) => {
    const r = await httpRequest(server.getPort());
    assert.deepEqual(r.headers['set-cookie'], pairs.filter(([k]) => k.toLowerCase() === 'set-cookie').map(([, v]) => v));
    const f = await fetch(base);
    assert.equal(f.headers.getSetCookie().length, 3);
    await f.arrayBuffer();
  });
});

test('object headers with a Set-Cookie value and other headers', async () => {
  await withServer(() => ({ status: 200, headers: { 'Set-Cookie': 'only=1', 'Content-Type': 'text/plain' }, body: 'x' }),
    async ({ url: base }) => {
      const r = await fetchText(base);
      assert.equal(r.headers.get('set-cookie'), 'only=1');
      assert.equal(r.headers.get('content-type'), 'text/plain');
    });
});

test('duplicate non-cookie header pairs are kept in order', async () => {
  await withServer(() => ({ status: 200, headers: [['X-Dup', '1'], ['X-Dup', '2']], body: 'x' }), async ({ server }) => {
    const raw = await rawRequest(server.getPort(), 'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    assert.deepEqual(finalResponses(raw.data)[0].getAll('x-dup'), ['1', '2']);
  });
});

finalNoServersTest();
