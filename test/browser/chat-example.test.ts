// The chat example as a new user runs it (issue 18, acceptance 4): `node examples/chat/server.mjs`,
// then two browser tabs. Headless Chromium (Debian `chromium` + playwright-core) opens the page
// twice, answers its name prompt, and each tab sees the other's message. Skips with a message
// when /usr/bin/chromium (or playwright-core) is absent.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Child } from '../helpers/child.js';
import { finalNoServersTest } from '../helpers/server.js';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CHROMIUM = '/usr/bin/chromium';

function loadPlaywright(): typeof import('playwright-core') | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('playwright-core') as typeof import('playwright-core');
  } catch {
    return null;
  }
}
const playwright = loadPlaywright();
const skip = !fs.existsSync(CHROMIUM) ? `${CHROMIUM} not found (apt-get install chromium); skipping the browser test`
  : playwright === null ? 'playwright-core is not installed; skipping the browser test' : false;

test('examples/chat: two browser tabs chat through the example server', { skip }, async () => {
  const child = new Child(spawn(process.execPath, [path.join(ROOT, 'examples', 'chat', 'server.mjs')], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PORT: '0' },
  }));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'httpuv-chat-'));
  try {
    const url = (await child.waitLine(/Listening on (http:\/\/127\.0\.0\.1:\d+)/, 20_000))[1];
    const context = await playwright!.chromium.launchPersistentContext(tmp, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    });
    try {
      const errors: string[] = [];
      const tab = async (name: string): Promise<import('playwright-core').Page> => {
        const page = await context.newPage();
        page.on('dialog', (d) => { void d.accept(name); });   // the page's prompt('Your name?')
        page.on('pageerror', (e) => errors.push(e.message));
        const res = await page.goto(`${url}/`, { waitUntil: 'load', timeout: 20_000 });
        assert.equal(res?.status(), 200);
        return page;
      };
      const logHas = (page: import('playwright-core').Page, text: string): Promise<unknown> =>
        page.waitForFunction((t) => document.getElementById('log')!.textContent!.includes(t), text, { timeout: 15_000 });
      const ada = await tab('Ada');
      await logHas(ada, 'Ada joined (1 here)');
      const bob = await tab('Bob');
      await logHas(ada, 'Bob joined (2 here)');
      await bob.fill('#text', 'hello from Bob');
      await bob.press('#text', 'Enter');
      await logHas(ada, 'Bob: hello from Bob');
      await ada.fill('#text', 'hi Bob!');
      await ada.press('#text', 'Enter');
      await logHas(bob, 'Ada: hi Bob!');
      await bob.close();
      await logHas(ada, 'Bob left');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  } finally {
    child.proc.kill('SIGTERM');
    await child.waitExit(15_000);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

finalNoServersTest();
