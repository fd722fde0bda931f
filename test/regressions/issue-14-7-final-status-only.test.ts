// Issue 14, class 7(c): an app status of 100–199 was sent as the final answer. A client reads a
// 1xx as interim and waits for the real response, so it took the next pipelined request's
// answer for this one's: the connection was desynchronised. A response must carry a final
// status (an integer 200–999, as Node's writeHead allows up to 999); anything else is an app
// error answered with a logged 500 (response.ts), and the I/O thread refuses a non-final status
// from any path too (Connection::WriteResponse). Every case pipelines a bad request and a good
// one on one connection: the good one must get its own answer.
import assert from 'node:assert/strict';
import test, { mock } from 'node:test';
import { native } from '../../src/runtime.js';
import type { App } from '../../src/index.js';
import { RawConn, get, preview } from '../helpers/clients.js';
import { finalNoServersTest, withServer } from '../helpers/server.js';

/** Captures what the library logs to stderr while `f` runs. */
async function capturingStderr<T>(f: () => Promise<T>): Promise<{ result: T; logged: string }> {
  let logged = '';
  const orig = process.stderr.write.bind(process.stderr);
  const m = mock.method(process.stderr, 'write', (chunk: unknown, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString();
    if (text.includes('[node-httpuv] ')) {
      logged += text;
      return true;
    }
    return (orig as (...a: unknown[]) => boolean)(chunk, ...rest);
  });
  try {
    return { result: await f(), logged };
  } finally {
    m.mock.restore();
  }
}

/** /bad answered by `bad`, /good by 200 "good"; both pipelined in one write. */
async function pipelined(app: App): Promise<{ statuses: number[]; bodies: string[]; raw: string }> {
  return withServer(app, async ({ server }) => {
    const conn = await RawConn.connect(server.getPort());
    try {
      await conn.write(get('/bad') + get('/good'));
      const rs = await conn.responses(2, 5000);
      // Nothing else may follow (a stray interim line would be a third "response").
      assert.equal(rs.length, 2, preview(conn.data));
      return { statuses: rs.map((r) => r.status), bodies: rs.map((r) => r.body.toString()), raw: conn.text };
    } finally {
      conn.destroy();
    }
  });
}

const callApp = (status: unknown, async = false): App => ({
  call(req) {
    if (req.PATH_INFO === '/good') return { status: 200, body: 'good' };
    const res = { status, body: 'bad' } as never;
    return async ? Promise.resolve(res) : res;
  },
});

const invalid: Array<[string, unknown]> = [
  ['100', 100], ['101', 101], ['102', 102], ['103', 103], ['150', 150], ['199', 199],
  ['0', 0], ['99', 99], ['-200', -200], ['1000', 1000], ['NaN', NaN], ['Infinity', Infinity],
  ['200.5', 200.5], ["'200' (a string)", '200'], ['null', null], ['undefined', undefined],
  ['200n (a bigint)', 200n], ['an object', { code: 200 }],
];

for (const [name, status] of invalid) {
  test(`call returns status ${name}: a logged 500, and the next pipelined request gets its own answer`, async () => {
    const { result, logged } = await capturingStderr(() => pipelined(callApp(status)));
    assert.deepEqual(result.statuses, [500, 200], result.raw);
    assert.match(result.bodies[0], /^Internal Server Error: invalid response status .*\(a final status, an integer 200–999, is required\)/);
    assert.equal(result.bodies[1], 'good');
    assert.match(logged, /ERROR: app\.call returned a bad response: invalid response status/);
  });
}

test('a Promise resolving to status 101 or 103 is refused the same way', async () => {
  for (const status of [101, 103]) {
    const { statuses, bodies } = await pipelined(callApp(status, true));
    assert.deepEqual(statuses, [500, 200]);
    assert.equal(bodies[1], 'good');
  }
});

test('onHeaders answering with status 100 or 101 gets a 500 too', async () => {
  for (const status of [100, 101]) {
    const app: App = {
      onHeaders(req) {
        return req.PATH_INFO === '/bad' ? { status, body: 'no' } as never : undefined;
      },
      call: () => ({ status: 200, body: 'good' }),
    };
    const { result, logged } = await capturingStderr(() => pipelined(app));
    assert.deepEqual(result.statuses, [500, 200], result.raw);
    assert.equal(result.bodies[1], 'good');
    assert.match(logged, /invalid response status/);
  }
});

test('final statuses pass: 200, 204, 304, 404, 599, and 600–999 as Node allows', async () => {
  for (const status of [200, 204, 304, 404, 599, 600, 999]) {
    const { statuses, bodies } = await pipelined(callApp(status));
    assert.deepEqual(statuses, [status, 200]);
    assert.equal(bodies[1], 'good');
  }
});

test('the I/O thread refuses a non-final status from any path (backstop below the JS check)', async () => {
  // Stand in for a path that skipped response.ts: rewrite status 299 to a bad value on its way
  // into the addon.
  for (const bad of [100, 101, 199, 0, -1, 1000, NaN, Infinity]) {
    const orig = native.commands_send;
    const m = mock.method(native, 'commands_send', (nums: Float64Array, n: number, ...vals: unknown[]) => {
      for (let i = 0; i < n; i++) if (nums[i * 4] === 0 && nums[i * 4 + 2] === 299) nums[i * 4 + 2] = bad;
      return orig.call(native, nums, n, ...vals);
    });
    try {
      const { result, logged } = await capturingStderr(() => pipelined(callApp(299)));
      assert.deepEqual(result.statuses, [500, 200], `${bad}: ${result.raw}`);
      assert.equal(result.bodies[0], '500 Internal Server Error\n');
      assert.equal(result.bodies[1], 'good');
      assert.match(logged, /not a final status/);
    } finally {
      m.mock.restore();
    }
  }
});

finalNoServersTest();
