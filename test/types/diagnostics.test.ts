// Types test (issue 18, acceptance 2): wrong code must not compile, and TypeScript's message
// must say what is wrong. Each snippet below is written to build-test/type-diagnostics/ (inside
// the package, so `node-httpuv` resolves to dist/*.d.ts through package.json "exports"), all of
// them are compiled by one `tsc` run, and each file's diagnostics are checked for the text a
// user needs ("Did you mean to write 'keepAliveTimeoutMs'?"), and for the absence of the
// unhelpful kinds ("No overload matches this call", the generic `R` of Function.prototype.call).
// The last tests check that dist's source maps carry their sources.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const DIR = path.join(ROOT, 'build-test', 'type-diagnostics');

interface Case {
  /** What the snippet gets wrong. */
  name: string;
  code: string;
  /** Substrings that must all appear in the file's diagnostics ([] = must compile cleanly). */
  expect: string[];
  /** Substrings that must not appear. */
  reject?: string[];
}

const HEADER = `import {
  startServer, startPipeServer, runServer, staticPath, type RookRequest, type Response, type CallFunction,
} from 'node-httpuv';
void startPipeServer; void runServer; void staticPath;
export type Unused = RookRequest | Response | CallFunction;
`;

const NOT_OVERLOAD = ['No overload matches', "'R'", '<T, A extends any[], R>'];

const CASES: Case[] = [
  {
    name: 'correct apps compile, with req typed from context (no annotations)',
    code: `
startServer('127.0.0.1', 0, (req) => ({ status: 200, body: req.PATH_INFO }));
startServer('127.0.0.1', 0, async (req) => ({ status: 200, body: req.QUERY_STRING }));
startServer('127.0.0.1', 0, {
  call: (req) => ({ status: 200, headers: { 'Content-Type': 'text/plain' }, body: req.REQUEST_METHOD }),
  onHeaders: (req) => (req.HEADERS['x-deny'] !== undefined ? { status: 403 } : null),
  onWSOpen: (ws) => { ws.onMessage((binary, msg) => ws.send(msg)); },
  staticPaths: { '/assets': '/tmp', '/static': staticPath('/tmp', { indexhtml: false }) },
  staticPathOptions: { fallthrough: true },
}, { keepAliveTimeoutMs: 65000, exposeErrors: false, logger: (level, message, fields) => { void [level, message, fields.requestId]; } });
startServer('127.0.0.1', 0, { call: (req) => ({ status: 200 }) }, { logger: { info(fields, msg) { void [fields.status, msg]; } } });
const f: CallFunction = (req) => ({ status: 200, body: req.PATH_INFO });
f.call(null, {} as RookRequest);
startServer('127.0.0.1', 0, f);
void runServer('127.0.0.1', 0, { call: (req) => ({ status: 200, body: req.SERVER_NAME }) });
class MyApp {
  greeting = 'hi';
  call(req: RookRequest): Response { return { status: 200, body: this.greeting + req.PATH_INFO }; }
}
startServer('127.0.0.1', 0, new MyApp());
export function ua(req: RookRequest): string { return req.HTTP_USER_AGENT ?? '-'; }
`,
    expect: [],
  },
  {
    name: 'a misspelt option: Did you mean keepAliveTimeoutMs',
    code: `startServer('127.0.0.1', 0, { call: () => ({ status: 200 }) }, { keepAliveTimeout: 65000 });\n`,
    expect: ["'keepAliveTimeout' does not exist in type 'ServerOptions'", "Did you mean to write 'keepAliveTimeoutMs'?"],
    reject: NOT_OVERLOAD,
  },
  {
    name: 'a misspelt option with a bare call function',
    code: `startServer('127.0.0.1', 0, () => ({ status: 200 }), { maxBodySizeBytes: 1 });\n`,
    expect: ["Did you mean to write 'maxBodySize'?"],
    reject: NOT_OVERLOAD,
  },
  {
    name: 'a misspelt app key: Did you mean onWSOpen',
    code: `startServer('127.0.0.1', 0, { onWsOpen: (ws) => { ws.send('hi'); } });\n`,
    expect: ["'onWsOpen' does not exist in type 'AppArg'", "Did you mean to write 'onWSOpen'?"],
    reject: NOT_OVERLOAD,
  },
  {
    name: 'a misspelt app key in runServer and startPipeServer',
    code: `void runServer('127.0.0.1', 0, { onHeader: () => null });\nstartPipeServer('/tmp/x.sock', null, { staticPath: {} });\n`,
    expect: ["Did you mean to write 'onHeaders'?", "Did you mean to write 'staticPaths'?"],
    reject: NOT_OVERLOAD,
  },
  {
    name: 'an unknown app key (Express/Bun name)',
    code: `startServer('127.0.0.1', 0, { handler: () => ({ status: 200 }) });\n`,
    expect: ["'handler' does not exist in type 'AppArg'"],
    reject: NOT_OVERLOAD,
  },
  {
    name: 'HTTP_* fields may be undefined',
    code: `export function ua(req: RookRequest): string { const v: string = req.HTTP_USER_AGENT; return v; }\n`,
    expect: ["Type 'string | undefined' is not assignable to type 'string'"],
  },
  {
    name: 'staticPaths values are directories or StaticPath objects',
    code: `startServer('127.0.0.1', 0, { staticPaths: { '/assets': 42 } });\n`,
    expect: ["Type 'number' is not assignable to type 'string | StaticPath'"],
    reject: NOT_OVERLOAD,
  },
  {
    name: 'staticPathOptions keys are checked',
    code: `startServer('127.0.0.1', 0, { staticPathOptions: { indexHtml: true } });\n`,
    expect: ["Did you mean to write 'indexhtml'?"],
    reject: NOT_OVERLOAD,
  },
  {
    name: 'an Express-style (req, res) handler',
    code: `startServer('127.0.0.1', 0, (req: RookRequest, res: { end(s: string): void }) => { res.end(req.PATH_INFO); });\n`,
    expect: ['Target signature provides too few arguments. Expected 2 or more, but got 1.'],
    reject: NOT_OVERLOAD,
  },
  {
    name: 'an Express-style call member',
    code: `startServer('127.0.0.1', 0, { call: (req: RookRequest, res: { end(s: string): void }) => { res.end(req.PATH_INFO); } });\n`,
    expect: ['(req: RookRequest): Promise<Response> | Response | null | undefined'],
    reject: ['No overload matches'],
  },
  {
    name: 'a handler that returns something other than a response',
    code: `startServer('127.0.0.1', 0, (req) => req.PATH_INFO);\n`,
    expect: ["Type 'string' is not assignable to type 'Promise<Response> | Response | null | undefined'"],
    reject: NOT_OVERLOAD,
  },
  {
    name: 'a misspelt option of exposeErrors and a bad logger',
    code: `startServer('127.0.0.1', 0, () => null, { exposeError: false });\nstartServer('127.0.0.1', 0, () => null, { logger: 'pino' });\n`,
    expect: ["Did you mean to write 'exposeErrors'?", "Type 'string' is not assignable to type 'Logger"],
    reject: NOT_OVERLOAD,
  },
];

function fileName(i: number): string {
  return `case-${String(i).padStart(2, '0')}.ts`;
}

let diagnostics: Map<string, string> | undefined;

function compileAll(): Map<string, string> {
  if (diagnostics !== undefined) return diagnostics;
  assert.ok(fs.existsSync(path.join(ROOT, 'dist', 'index.d.ts')), 'dist/ is not built (npm run build:ts)');
  fs.rmSync(DIR, { recursive: true, force: true });
  fs.mkdirSync(DIR, { recursive: true });
  CASES.forEach((c, i) => fs.writeFileSync(path.join(DIR, fileName(i)), `// ${c.name}\n${HEADER}${c.code}`));
  fs.writeFileSync(path.join(DIR, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      target: 'es2022', module: 'node16', moduleResolution: 'node16', strict: true, noEmit: true, types: ['node'],
    },
    files: CASES.map((_, i) => fileName(i)),
  }));
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', path.join(DIR, 'tsconfig.json'), '--pretty', 'false'],
    { encoding: 'utf8', cwd: ROOT });
  const out = `${r.stdout}${r.stderr}`;
  const map = new Map<string, string>();
  let currentFile = '';
  for (const line of out.split('\n')) {
    const m = /(case-\d+\.ts)\(\d+,\d+\): /.exec(line);
    if (m !== null) currentFile = m[1];
    else if (!line.startsWith(' ')) currentFile = '';
    if (currentFile !== '') map.set(currentFile, (map.get(currentFile) ?? '') + line + '\n');
  }
  // Anything tsc printed that is not about a case file is a failure of the harness itself.
  const stray = out.split('\n').filter((l) => l.trim() !== '' && !/case-\d+\.ts\(/.test(l) && !l.startsWith(' '));
  assert.deepEqual(stray, [], `tsc printed something else:\n${out}`);
  diagnostics = map;
  return map;
}

CASES.forEach((c, i) => {
  test(`tsc diagnostics: ${c.name}`, () => {
    const text = compileAll().get(fileName(i)) ?? '';
    if (c.expect.length === 0) {
      assert.equal(text, '', `expected no diagnostics, got:\n${text}`);
      return;
    }
    for (const e of c.expect) assert.ok(text.includes(e), `diagnostics lack ${JSON.stringify(e)}:\n${text}`);
    for (const r of c.reject ?? []) assert.ok(!text.includes(r), `diagnostics contain ${JSON.stringify(r)}:\n${text}`);
  });
});

test('dist source maps carry their sources (sourcesContent), so they work without src/', () => {
  const maps = fs.readdirSync(path.join(ROOT, 'dist')).filter((f) => f.endsWith('.js.map') || f.endsWith('.mjs.map'));
  assert.ok(maps.length > 10, `found only ${maps.length} maps`);
  for (const f of maps) {
    const m = JSON.parse(fs.readFileSync(path.join(ROOT, 'dist', f), 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
    assert.ok(Array.isArray(m.sourcesContent), `${f} has no sourcesContent`);
    assert.equal(m.sourcesContent.length, m.sources.length, f);
    for (const s of m.sourcesContent) assert.ok(typeof s === 'string' && s.length > 0, `${f}: an empty source`);
  }
});
