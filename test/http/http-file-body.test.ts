// File bodies: { file }, { file, owned: true } (deleted after), missing file / directory → 500.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import test from 'node:test';
import { captureLog, type LogCapture } from '../helpers/log-capture.js';
import { RawConn, finalResponses, get, httpRequest, parseResponses, preview } from '../helpers/clients.js';
import { finalNoServersTest, withServer } from '../helpers/server.js';
import { pollUntil } from '../helpers/tools.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'httpuv-file-body-'));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('{ file } is served with its length and kept on disk', async () => {
  const f = path.join(dir, 'kept.txt');
  fs.writeFileSync(f, 'file content\n');
  await withServer(() => ({ status: 200, headers: { 'Content-Type': 'text/plain' }, body: { file: f } }), async ({ server }) => {
    for (let i = 0; i < 2; i++) {
      const r = await httpRequest(server.getPort());
      assert.equal(r.status, 200);
      assert.equal(r.text, 'file content\n');
      assert.equal(r.headers['content-length'], '13');
    }
  }, { gzip: false });
  assert.ok(fs.existsSync(f));
});

test('a 5 MiB file body arrives intact', async () => {
  const f = path.join(dir, 'big.bin');
  const data = randomBytes(5 * 1024 * 1024);
  fs.writeFileSync(f, data);
  await withServer(() => ({ status: 200, headers: { 'Content-Type': 'application/octet-stream' }, body: { file: f } }),
    async ({ server }) => {
      const r = await httpRequest(server.getPort(), { timeoutMs: 30000 });
      assert.equal(r.body.length, data.length);
      assert.equal(createHash('sha1').update(r.body).digest('hex'), createHash('sha1').update(data).digest('hex'));
    });
});

test('{ file, owned: true } deletes the file after it is served', async () => {
  const f = path.join(dir, 'owned.txt');
  fs.writeFileSync(f, 'owned content');
  await withServer(() => ({ status: 200, body: { file: f, owned: true } }), async ({ server }) => {
    const r = await httpRequest(server.getPort());
    assert.equal(r.text, 'owned content');
  });
  await pollUntil(() => !fs.existsSync(f), 2000, 'owned file deleted');
});

test('a missing file or a directory → 500; the connection still answers', async () => {
  const log = captureLog('ERROR');
  try {
    await missingFileOrDirectory(log);
  } finally {
    log.restore();
  }
  // The logged reason is the operating system's (ENOENT), not "Success" or a stand-in: the Linux
  // prebuilds once lost the stat errno (zig's glibc-2.28 stat stubs keep a private errno).
  // Windows says "The system cannot find the file specified"; Wine's message table "File not found".
  const lines = log.lines('ERROR');
  const missing = lines.find((l) => l.includes('nope.txt'));
  assert.ok(missing !== undefined, `no log line for the missing file:\n${lines.join('\n')}`);
  assert.match(missing, /cannot send response file .*nope\.txt.*: (No such file or directory|The system cannot find the file specified|File not found); answered 500/, missing);
  const asDir = lines.find((l) => l.includes('cannot send response file') && !l.includes('nope.txt'));
  assert.ok(asDir !== undefined, `no log line for the directory:\n${lines.join('\n')}`);
  assert.match(asDir, /not a regular file; answered 500/, asDir);
});

async function missingFileOrDirectory(log: LogCapture): Promise<void> {
  await withServer((req) => {
    if (req.PATH_INFO === '/missing') return { status: 200, body: { file: path.join(dir, 'nope.txt') } };
    if (req.PATH_INFO === '/dir') return { status: 200, body: { file: dir } };
    return { status: 200, body: 'fine' };
  }, async ({ server }) => {
    const conn = await RawConn.connect(server.getPort());
    try {
      await conn.write(get('/missing') + get('/dir') + get('/ok'));
      await conn.waitFor((d, c) => c || finalResponses(d).length >= 3, 3000, 'three responses');
      const res = parseResponses(conn.data);
      assert.deepEqual(res.responses.map((r) => r.status), [500, 500, 200], preview(conn.data));
      assert.equal(res.responses[2].body.toString(), 'fine');
      assert.equal(res.rest.length, 0, `stray bytes after the responses: ${preview(res.rest)}`);
      await pollUntil(() => log.lines('ERROR').filter((l) => l.includes('cannot send response file')).length >= 2, 3000, 'both 500s logged');
    } finally {
      conn.destroy();
    }
  });
}

finalNoServersTest();
