// The copy path for Buffers handed to JS (README "Electron"): where external buffers are not
// allowed (Electron's memory cage) node-addon-api's NewOrCopy copies; NODE_HTTPUV_COPY_BUFFERS=1
// forces that path on Node. Request bodies of several sizes must reach JS intact either way.
import test from 'node:test';
import assert from 'node:assert/strict';
import { CRASH_RE, explain, runChild } from './stress-helpers.js';

for (const copy of ['1', '0']) {
  test(`request bodies reach JS intact with NODE_HTTPUV_COPY_BUFFERS=${copy}`, async () => {
    const r = await runChild(['echo-bodies'], 30000, { NODE_HTTPUV_COPY_BUFFERS: copy });
    assert.ok(!r.timedOut && r.code === 0 && r.signal === null && !CRASH_RE.test(r.stderr), explain(r));
    const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    assert.ok(line, explain(r));
    const out = JSON.parse(line.slice(7)) as { failures: string[]; checked: number; copy: string; left: number };
    assert.deepEqual(out.failures, []);
    assert.equal(out.checked, 25);
    assert.equal(out.copy, copy);
    assert.equal(out.left, 0);
  });
}
