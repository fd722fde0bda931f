// README.md, docs/*.md and examples/README.md as tested documents (issue 18, acceptance 1):
// - every fenced code block carries a language, and is checked according to it:
//   js: type-checked (tsc, checkJs, strict) against the package's types, then run in a child
//       process: servers it starts get a GET / that must not be a 500, then SIGTERM; a block
//       that starts none must exit 0. A block whose first line names an example file
//       (`examples/...mjs`) must be that file, word for word (the example's own test runs it).
//   ts/mts: type-checked.
//   sh: every `npm run NAME` names a script of package.json, every `node FILE` an existing file.
//   text/console: output, not run.
// - no link or URL leaves the repository (only loopback URLs), and every relative link and
//   #anchor resolves.
// Blocks listen on port 8080 as a reader would run them; here the literal 8080 becomes 0 (a free
// port) and PORT=0 is set, the one rewrite made. They run in a scratch folder that holds what
// the guide's snippets name (public/index.html, downloads/), as a user's project would.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Child } from '../helpers/child.js';
import { finalNoServersTest } from '../helpers/server.js';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const HARNESS = path.join(ROOT, 'test', 'docs', 'block-harness.mjs');
const WORK = path.join(ROOT, 'build-test', 'doc-blocks');   // inside the package: 'node-httpuv' resolves

function docFiles(): string[] {
  const docs = fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`);
  return ['README.md', 'examples/README.md', ...docs.sort()];
}

interface Block {
  file: string;
  line: number;
  lang: string;
  code: string;
}

function blocksOf(file: string): Block[] {
  const lines = fs.readFileSync(path.join(ROOT, file), 'utf8').split('\n');
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})(.*)$/.exec(lines[i]);
    if (!open) continue;
    const fence = open[2];
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !lines[j].trimStart().startsWith(fence)) body.push(lines[j++].slice(open[1].length));
    assert.ok(j < lines.length, `${file}:${i + 1}: unclosed code block`);
    out.push({ file, line: i + 1, lang: open[3].trim().split(/\s+/)[0], code: body.join('\n') + '\n' });
    i = j;
  }
  return out;
}

const ALL = docFiles().flatMap(blocksOf);
const where = (b: Block): string => `${b.file}:${b.line}`;
const scriptName = (b: Block, ext: string): string =>
  `${b.file.replace(/[^A-Za-z0-9]+/g, '-')}-L${b.line}${ext}`;

test('every code block names its language (js, ts, sh, text or console)', () => {
  assert.ok(ALL.length >= 10, `found only ${ALL.length} blocks`);
  const bad = ALL.filter((b) => !['js', 'mjs', 'ts', 'mts', 'sh', 'text', 'console'].includes(b.lang));
  assert.deepEqual(bad.map((b) => `${where(b)} (${JSON.stringify(b.lang)})`), []);
});

const JS = ALL.filter((b) => b.lang === 'js' || b.lang === 'mjs');
const TS = ALL.filter((b) => b.lang === 'ts' || b.lang === 'mts');

test('JavaScript and TypeScript blocks type-check against the package types', () => {
  fs.rmSync(WORK, { recursive: true, force: true });
  fs.mkdirSync(WORK, { recursive: true });
  const files: string[] = [];
  for (const b of [...JS, ...TS]) {
    const name = scriptName(b, b.lang.startsWith('t') || b.lang === 'mts' ? '.mts' : '.mjs');
    fs.writeFileSync(path.join(WORK, name), b.code);
    files.push(name);
  }
  fs.writeFileSync(path.join(WORK, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true,
      allowJs: true, checkJs: true, skipLibCheck: true, types: ['node'],
    },
    files,
  }, null, 2));
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', WORK, '--pretty', 'false'], { cwd: ROOT, encoding: 'utf8' });
  // Name each error by its place in the Markdown file.
  const report = `${r.stdout}${r.stderr}`.replace(/([\w.-]+)-L(\d+)\.m[jt]s\((\d+),(\d+)\)/g,
    (_m, f: string, l: string, line: string) => `${f} block at line ${l}, line ${line} of the block`);
  assert.equal(r.status, 0, report);
});

for (const b of JS) {
  const first = b.code.split('\n')[0];
  const named = /^\/\/.*\b(examples\/[\w/.-]+\.m?js)\b/.exec(first);
  if (named) {
    test(`${where(b)} is ${named[1]}, word for word`, () => {
      assert.equal(b.code, fs.readFileSync(path.join(ROOT, named[1]), 'utf8'));
    });
  }
  test(`${where(b)} runs`, async () => {
    const scratch = path.join(WORK, 'scratch');
    fs.mkdirSync(path.join(scratch, 'public'), { recursive: true });
    fs.mkdirSync(path.join(scratch, 'downloads'), { recursive: true });
    fs.writeFileSync(path.join(scratch, 'public', 'index.html'), '<h1>scratch</h1>\n');
    const file = path.join(WORK, scriptName(b, '.run.mjs'));
    fs.writeFileSync(file, b.code.replace(/\b8080\b/g, '0'));
    const child = new Child(spawn(process.execPath, ['--import', HARNESS, file], {
      cwd: scratch, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PORT: '0' },
    }));
    try {
      let ports: number[] | null = null;
      try {
        const m = await child.waitLine(/^BLOCK-SERVERS (\[.*\])$/, 20_000);
        ports = JSON.parse(m[1]) as number[];
      } catch (e) {
        if (!child.exit) throw e;
      }
      if (ports === null) {
        assert.deepEqual(child.exit, { code: 0, signal: null, timedOut: false }, `${where(b)}: ${child.stderr}`);
        return;
      }
      for (const port of ports) {
        const res = await fetch(`http://127.0.0.1:${port}/`);
        await res.arrayBuffer();
        assert.ok(res.status < 500, `${where(b)}: GET / answered ${res.status}; stderr ${child.stderr}`);
      }
      child.proc.kill('SIGTERM');
      const e = await child.waitExit(15_000);
      assert.ok(e.code === 0 || e.signal === 'SIGTERM', `${where(b)} exited with ${JSON.stringify(e)}: ${child.stderr}`);
      assert.doesNotMatch(child.stderr, /ERROR|Error:/, `${where(b)} logged an error`);
    } finally {
      child.kill();
    }
  });
}

test('shell blocks name npm scripts and files that exist', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const problems: string[] = [];
  for (const b of ALL.filter((x) => x.lang === 'sh')) {
    for (const raw of b.code.split('\n')) {
      const line = raw.replace(/\s+#.*$/, '');
      for (const m of line.matchAll(/\bnpm run ([\w:-]+)/g)) {
        if (!(m[1] in pkg.scripts)) problems.push(`${where(b)}: no npm script ${m[1]}`);
      }
      for (const m of line.matchAll(/\bnpm (test|start)\b/g)) {
        if (!(m[1] in pkg.scripts)) problems.push(`${where(b)}: no npm script ${m[1]}`);
      }
      for (const m of line.matchAll(/\bnode ((?:examples|scripts|dist|test)\/[\w/.-]+)/g)) {
        const f = m[1].replace(/^dist\//, 'src/').replace(/\.js$/, '.ts');
        if (!fs.existsSync(path.join(ROOT, m[1])) && !fs.existsSync(path.join(ROOT, f))) {
          problems.push(`${where(b)}: no file ${m[1]}`);
        }
      }
    }
  }
  assert.deepEqual(problems, []);
});

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchorsOf(file: string): Set<string> {
  const text = fs.readFileSync(file, 'utf8').replace(/^```[\s\S]*?^```/gm, '');
  const out = new Set<string>();
  for (const m of text.matchAll(/^#{1,6} (.+)$/gm)) {
    out.add(m[1].trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-'));
  }
  return out;
}

test('links and URLs stay inside the repository, and every relative link resolves', () => {
  const problems: string[] = [];
  const files = [...docFiles()];
  for (const file of files) {
    const full = path.join(ROOT, file);
    const text = fs.readFileSync(full, 'utf8');
    for (const m of text.matchAll(/\b([a-z][a-z0-9+.-]*):\/\/([^\s/)>'"`\]]*)/gi)) {
      const host = m[2].startsWith('[') ? m[2].slice(0, m[2].indexOf(']') + 1) : m[2].split(':')[0];
      if (!['127.0.0.1', 'localhost', '[::1]'].includes(host)) problems.push(`${file}: ${m[0]}`);
    }
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1];
      const [rel, anchor] = target.split('#');
      const dest = rel === '' ? full : path.resolve(path.dirname(full), rel);
      if (!fs.existsSync(dest)) { problems.push(`${file}: broken link ${target}`); continue; }
      if (anchor !== undefined && dest.endsWith('.md') && !anchorsOf(dest).has(anchor)) {
        problems.push(`${file}: no heading for #${anchor} in ${path.relative(ROOT, dest)}`);
      }
    }
  }
  assert.deepEqual(problems, []);
});

test('README first screen: the two commands, a runnable example, the platform line', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const firstScreen = readme.slice(0, readme.indexOf('\n## '));
  assert.match(firstScreen, /^npm install && npm start\b/m);
  assert.match(firstScreen, /^npm install && npm test\b/m);
  const hello = blocksOf('README.md').find((b) => b.lang === 'js');
  assert.ok(hello && hello.line < firstScreen.split('\n').length, 'no example on the first screen');
  assert.ok(hello.code.split('\n').length <= 17, `the first example has ${hello.code.split('\n').length} lines`);
  assert.match(firstScreen, /\*\*Platforms:\*\*/);
});

finalNoServersTest();
