// staticPath / excludeStaticPath / staticPathOptions and the server helpers (the
// object-level parts of httpuv's test-static-paths.R).
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  excludeStaticPath, mergeStaticPathOptions, normalizeStaticPaths, resolveStaticPaths, StaticPath,
  staticPath, staticPathOptions,
} from '../../src/static-paths.js';

let root = '';
let content = '';
let content1 = '';
let file = '';

before(() => {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'httpuv-static-')));
  content = path.join(root, 'content');
  content1 = path.join(root, 'content_1');
  fs.mkdirSync(path.join(content, 'subdir'), { recursive: true });
  fs.mkdirSync(content1);
  fs.writeFileSync(path.join(content, 'index.html'), '<html>🙂</html>\n');
  file = path.join(content, 'data.txt');
  fs.writeFileSync(file, 'data\n');
});

after(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

const isTypeErrorNaming = (name: string) => (e: unknown): boolean =>
  e instanceof TypeError && e.message.startsWith(name);

// ---- staticPath ----------------------------------------------------------------------------

test('staticPath: resolved absolute path, every option inherited', () => {
  const sp = staticPath(content);
  assert.ok(sp instanceof StaticPath);
  assert.equal(sp.path, content);
  assert.deepEqual(sp.options, {
    indexhtml: null, fallthrough: null, htmlCharset: null, headers: null, validation: null,
    redirectDirectories: null, directoryListing: null, spaFallback: null, exclude: false,
  });
  assert.ok(Object.isFrozen(sp));
  assert.ok(Object.isFrozen(sp.options));
});

test('staticPath: relative paths, trailing slashes and symlinks are resolved', (t) => {
  const cwd = process.cwd();
  process.chdir(root);
  t.after(() => process.chdir(cwd));
  assert.equal(staticPath('content').path, content);
  assert.equal(staticPath('content/').path, content);
  assert.equal(staticPath('./content/subdir/..').path, content);
  const link = path.join(root, 'link');
  fs.symlinkSync(content, link);
  assert.equal(staticPath(link).path, content);
});

test('staticPath: a single file is allowed (httpuv serves it under the prefix)', () => {
  assert.equal(staticPath(file).path, file);
});

test('staticPath: a non-ASCII directory name', () => {
  const dir = path.join(root, 'f\u00fc');
  fs.mkdirSync(dir);
  assert.equal(staticPath(dir).path, dir);
});

test('staticPath: options are stored as given', () => {
  const sp = staticPath(content, {
    indexhtml: false, fallthrough: true, htmlCharset: 'ISO-8859-1',
    headers: { 'Test-Code-Path': 'C++2' }, validation: '"Test-Validation-1" == "bbb"',
  });
  assert.deepEqual(sp.options, {
    indexhtml: false, fallthrough: true, htmlCharset: 'ISO-8859-1', headers: { 'Test-Code-Path': 'C++2' },
    validation: ['"Test-Validation-1" == "bbb"'], redirectDirectories: null, directoryListing: null, spaFallback: null, exclude: false,
  });
  assert.ok(Object.isFrozen(sp.options.headers));
  // "Unset" values (test "Options and option inheritance"): empty charset, no headers, no validation.
  const unset = staticPath(content, { htmlCharset: '', headers: {}, validation: [] });
  assert.equal(unset.options.htmlCharset, '');
  assert.deepEqual(unset.options.headers, {});
  assert.deepEqual(unset.options.validation, []);
  // null or undefined = inherit
  const inherit = staticPath(content, { indexhtml: null, fallthrough: undefined });
  assert.equal(inherit.options.indexhtml, null);
  assert.equal(inherit.options.fallthrough, null);
});

test('staticPath: the headers object is copied, not kept', () => {
  const headers: Record<string, string> = { 'X-A': '1' };
  const sp = staticPath(content, { headers });
  headers['X-A'] = '2';
  headers['X-B'] = '3';
  assert.deepEqual(sp.options.headers, { 'X-A': '1' });
});

test('staticPath: bad path', () => {
  assert.throws(() => staticPath(''), isTypeErrorNaming('path'));
  assert.throws(() => staticPath(42 as unknown as string), isTypeErrorNaming('path'));
  assert.throws(() => staticPath(undefined as unknown as string), isTypeErrorNaming('path'));
  assert.throws(() => staticPath('a\0b'), isTypeErrorNaming('path'));
  assert.throws(() => staticPath(path.join(root, 'missing')), (e: Error & { code?: string }) =>
    e.code === 'ENOENT' && e.message.startsWith('path ') && e.message.includes('missing'));
  assert.throws(() => staticPath(path.join(file, 'below')), (e: Error & { code?: string }) => e.code === 'ENOTDIR');
});

test('staticPath: bad options', () => {
  assert.throws(() => staticPath(content, 'x' as unknown as object), isTypeErrorNaming('options'));
  assert.throws(() => staticPath(content, { index: true } as unknown as object), (e: unknown) =>
    e instanceof TypeError && /unknown option: index/.test(e.message));
  assert.throws(() => staticPath(content, { exclude: true } as unknown as object), /unknown option: exclude/);
  assert.throws(() => staticPath(content, { html_charset: 'utf-8' } as unknown as object), /html_charset/);
  assert.throws(() => staticPath(content, { indexhtml: 'yes' as unknown as boolean }), isTypeErrorNaming('options.indexhtml'));
  assert.throws(() => staticPath(content, { fallthrough: 1 as unknown as boolean }), isTypeErrorNaming('options.fallthrough'));
  assert.throws(() => staticPath(content, { htmlCharset: 8 as unknown as string }), isTypeErrorNaming('options.htmlCharset'));
  assert.throws(() => staticPath(content, { htmlCharset: 'utf-8\r\nX: y' }), isTypeErrorNaming('options.htmlCharset'));
  assert.throws(() => staticPath(content, { htmlCharset: 'utf 8' }), isTypeErrorNaming('options.htmlCharset'));
});

test('staticPath: bad headers', () => {
  const bad = (headers: unknown): void => {
    assert.throws(() => staticPath(content, { headers: headers as Record<string, string> }), isTypeErrorNaming('options.headers'));
  };
  bad('X: y');
  bad([['X', 'y']]);
  bad({ 'Bad Name': 'x' });
  bad({ '': 'x' });
  bad({ 'X-A': 1 });
  bad({ 'X-A': 'a\r\nSet-Cookie: x' });
  bad({ 'X-A': 'a\nb' });
  bad({ 'X-A': 'a\0b' });
  bad({ 'Content-Length': '10' });
  bad({ 'transfer-encoding': 'chunked' });
});

// ---- validation syntax ---------------------------------------------------------------------

test('validation: R\'s accepted forms', () => {
  const ok = [
    '"Test-Validation" == "aaa"',
    '"Test-Validation"=="aaa"',
    '  "a"\t==  "b"  ',
    '\'a\' == \'b\'',
    '"a" == \'b\'',
    '"a" == ""',
    '"a" == "say \\"hi\\" \\\\ \'x\'"',
    '"a" == "x == y"',
  ];
  for (const rule of ok) assert.deepEqual(staticPath(content, { validation: rule }).options.validation, [rule], rule);
  // "" means no validation; so does an empty array.
  assert.deepEqual(staticPath(content, { validation: '' }).options.validation, []);
  assert.deepEqual(staticPath(content, { validation: ['', '"a" == "b"'] }).options.validation, ['"a" == "b"']);
  assert.deepEqual(staticPath(content, { validation: ['"a" == "b"', '"c" == "d"'] }).options.validation,
    ['"a" == "b"', '"c" == "d"']);
});

test('validation: anything else is a TypeError naming validation', () => {
  const bad = [
    '"abc" = "xyz"', // the manual's typo: R rejects it too
    'abc == "xyz"',
    '"abc" == xyz',
    '"abc" ==',
    '== "xyz"',
    '"abc"',
    '"abc" == "xyz" extra',
    '"abc" == "xyz";',
    '"abc" != "xyz"',
    '"abc" === "xyz"',
    '"abc == "xyz"',
    '"abc" == "xyz',
    '"a\\nb" == "c"',
    '"a b" == "c"',
    '"" == "c"',
    '"a" == "b\nc"',
    '"a" ==\n"b"',
    '"a" == "b" || "c" == "d"',
    '`a` == "b"',
  ];
  for (const rule of bad) {
    assert.throws(() => staticPath(content, { validation: rule }), isTypeErrorNaming('options.validation'), rule);
  }
  assert.throws(() => staticPath(content, { validation: ['"a" == "b"', 'x'] }), isTypeErrorNaming('options.validation[1]'));
  assert.throws(() => staticPath(content, { validation: [3] as unknown as string[] }), isTypeErrorNaming('options.validation[0]'));
  assert.throws(() => staticPath(content, { validation: 3 as unknown as string }), isTypeErrorNaming('options.validation'));
  assert.throws(() => staticPath(content, { validation: { a: 'b' } as unknown as string }), isTypeErrorNaming('options.validation'));
});

// ---- excludeStaticPath, staticPathOptions ----------------------------------------------------

test('excludeStaticPath: empty path, exclude true, everything else inherited', () => {
  const ex = excludeStaticPath();
  assert.ok(ex instanceof StaticPath);
  assert.equal(ex.path, '');
  assert.deepEqual(ex.options, {
    indexhtml: null, fallthrough: null, htmlCharset: null, headers: null, validation: null,
    redirectDirectories: null, directoryListing: null, spaFallback: null, exclude: true,
  });
});

test('StaticPath cannot be constructed directly', () => {
  const Ctor = StaticPath as unknown as new (...a: unknown[]) => StaticPath;
  assert.throws(() => new Ctor('/tmp', {}, Symbol('StaticPath')), TypeError);
});

test('StaticPath.toString describes the object', () => {
  const s = String(staticPath(content, { indexhtml: false, headers: { A: 'b' }, validation: '"x" == "y"' }));
  assert.match(s, /^<staticPath>\n/);
  assert.match(s, new RegExp(`Local path: +${content.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  assert.match(s, /Use index.html: +false/);
  assert.match(s, /Fallthrough: +<inherit>/);
  assert.match(s, /"A" = "b"/);
  assert.match(s, /Validation params: +"x" == "y"/);
  assert.match(s, /Exclude path: +false/);
  assert.match(s, /Redirect dirs: +<inherit>/);
  assert.match(String(staticPath(content, { directoryListing: true, spaFallback: false })), /Dir listing: +true\n  SPA fallback: +false/);
  assert.match(String(excludeStaticPath()), /Exclude path: +true/);
});

test('staticPathOptions: R defaults', () => {
  const o = staticPathOptions();
  assert.deepEqual(o, {
    indexhtml: true, fallthrough: false, htmlCharset: 'utf-8', headers: {}, validation: [],
    redirectDirectories: false, directoryListing: false, spaFallback: false, exclude: false,
  });
  assert.ok(Object.isFrozen(o));
  assert.deepEqual(staticPathOptions({}), o);
  assert.deepEqual(staticPathOptions({ indexhtml: null, headers: null }), o);
});

test('staticPathOptions: overrides and validation', () => {
  const o = staticPathOptions({
    indexhtml: false, fallthrough: true, htmlCharset: '', headers: { 'Test-Code-Path': 'C++' },
    validation: '"Test-Validation" == "aaa"', exclude: true,
  });
  assert.deepEqual(o, {
    indexhtml: false, fallthrough: true, htmlCharset: '', headers: { 'Test-Code-Path': 'C++' },
    validation: ['"Test-Validation" == "aaa"'], redirectDirectories: false, directoryListing: false, spaFallback: false, exclude: true,
  });
  assert.throws(() => staticPathOptions({ exclude: 'no' as unknown as boolean }), isTypeErrorNaming('options.exclude'));
  assert.throws(() => staticPathOptions({ foo: 1, bar: 2 } as unknown as object), (e: unknown) =>
    e instanceof TypeError && /unknown options: foo, bar/.test(e.message));
  assert.throws(() => staticPathOptions([] as unknown as object), isTypeErrorNaming('options'));
  assert.throws(() => staticPathOptions({ validation: '"a" = "b"' }), isTypeErrorNaming('options.validation'));
});

// ---- mergeStaticPathOptions ------------------------------------------------------------------

test('mergeStaticPathOptions: patches replace, null and absent leave as is', () => {
  const base = staticPathOptions({ headers: { A: '1' }, validation: '"v" == "1"' });
  const m = mergeStaticPathOptions(base, { fallthrough: true, indexhtml: null }, 'options');
  assert.deepEqual(m, { ...base, fallthrough: true });
  assert.ok(Object.isFrozen(m));
  assert.equal(base.fallthrough, false); // base untouched
  assert.deepEqual(mergeStaticPathOptions(base, undefined, 'options'), base);
  assert.deepEqual(mergeStaticPathOptions(base, null, 'options'), base);
  // headers and validation are replaced as a whole; {} and [] clear them
  const h = mergeStaticPathOptions(base, { headers: { B: '2' } }, 'options');
  assert.deepEqual(h.headers, { B: '2' });
  const cleared = mergeStaticPathOptions(base, { headers: {}, validation: [] }, 'options');
  assert.deepEqual(cleared.headers, {});
  assert.deepEqual(cleared.validation, []);
  assert.deepEqual(mergeStaticPathOptions(base, { validation: '' }, 'options').validation, []);
});

test('mergeStaticPathOptions: takes a staticPathOptions() object (the app\'s staticPathOptions)', () => {
  const server = mergeStaticPathOptions(staticPathOptions(), staticPathOptions({ headers: { 'Test-Code-Path': 'C++' } }),
    'app.staticPathOptions');
  assert.deepEqual(server, { ...staticPathOptions(), headers: { 'Test-Code-Path': 'C++' } });
  // a partial plain object works as well
  assert.equal(mergeStaticPathOptions(staticPathOptions(), { indexhtml: false }, 'app.staticPathOptions').indexhtml, false);
});

test('mergeStaticPathOptions: errors name the argument and the unknown keys', () => {
  const base = staticPathOptions();
  assert.throws(() => mergeStaticPathOptions(base, { foo: 1, bar: 2 }, 'options'), (e: unknown) =>
    e instanceof TypeError && /^options has unknown options: foo, bar/.test(e.message) &&
    (e as { code?: string }).code === 'ERR_INVALID_ARG_VALUE');
  assert.throws(() => mergeStaticPathOptions(base, { html_charset: '' }, 'options'), /html_charset/);
  assert.throws(() => mergeStaticPathOptions(base, 'x', 'app.staticPathOptions'), isTypeErrorNaming('app.staticPathOptions'));
  assert.throws(() => mergeStaticPathOptions(base, { fallthrough: 'TRUE' }, 'options'), isTypeErrorNaming('options.fallthrough'));
  assert.throws(() => mergeStaticPathOptions(base, { validation: 'x' }, 'options'), isTypeErrorNaming('options.validation'));
});

// ---- normalizeStaticPaths ------------------------------------------------------------------

test('normalizeStaticPaths: keys normalised as httpuv (test "Basic static file serving")', () => {
  const m = normalizeStaticPaths({ '/': content, '/1': content, '/2/': content + '/', '3': content, '4/': content + '/' }, 'app.staticPaths');
  // (Map order is the object's key order, in which integer-like keys such as "3" come first.)
  assert.deepEqual([...m.keys()].sort(), ['/', '/1', '/2', '/3', '/4']);
  for (const sp of m.values()) {
    assert.ok(sp instanceof StaticPath);
    assert.equal(sp.path, content);
    assert.equal(sp.options.indexhtml, null);
  }
  const m2 = normalizeStaticPaths({ '//': content, 'a//': content, 'a/b/': content, '/f\u00fc': content }, 'paths');
  assert.deepEqual([...m2.keys()], ['/', '/a', '/a/b', '/f\u00fc']);
});

test('normalizeStaticPaths: keys take the form request paths are matched in', () => {
  // Empty and "." segments are dropped as they are from request paths, so an excluded "//private"
  // or "/./private" is the rule it looks like, not one that no request can match.
  const m = normalizeStaticPaths({ '//private': excludeStaticPath(), '/a/./b//c/': content, './x/.': content, '/./': content }, 'paths');
  assert.deepEqual([...m.keys()], ['/private', '/a/b/c', '/x', '/']);
  // Not decoded: keys are compared with the decoded request path.
  assert.deepEqual([...normalizeStaticPaths({ '/%2e/a': content }, 'paths').keys()], ['/%2e/a']);
  for (const key of ['/a/../b', '..', '/..', '/a/..', 'a/../../b']) {
    assert.throws(() => normalizeStaticPaths({ [key]: content }, 'paths'), (e: unknown) =>
      e instanceof TypeError && e.message.startsWith('paths key') && e.message.includes('".."'), key);
  }
  assert.throws(() => normalizeStaticPaths({ '/a': content, '//a/.': content1 }, 'paths'), (e: unknown) =>
    e instanceof TypeError && /both mean "\/a"/.test(e.message));
  // "..." and "..a" are names, not "..".
  assert.deepEqual([...normalizeStaticPaths({ '/.../..a': content }, 'paths').keys()], ['/.../..a']);
});

test('normalizeStaticPaths: StaticPath values are kept as they are', () => {
  const sp = staticPath(content1, { indexhtml: false });
  const ex = excludeStaticPath();
  const m = normalizeStaticPaths({ '/static': sp, exclude: ex }, 'paths');
  assert.equal(m.get('/static'), sp);
  assert.equal(m.get('/exclude'), ex);
});

test('normalizeStaticPaths: null/undefined/{} give an empty map', () => {
  assert.equal(normalizeStaticPaths(undefined, 'paths').size, 0);
  assert.equal(normalizeStaticPaths(null, 'paths').size, 0);
  assert.equal(normalizeStaticPaths({}, 'paths').size, 0);
});

test('normalizeStaticPaths: errors', () => {
  assert.throws(() => normalizeStaticPaths([content], 'paths'), isTypeErrorNaming('paths'));
  assert.throws(() => normalizeStaticPaths(content, 'paths'), isTypeErrorNaming('paths'));
  assert.throws(() => normalizeStaticPaths(new Map([['/', content]]), 'paths'), isTypeErrorNaming('paths'));
  assert.throws(() => normalizeStaticPaths({ '': content }, 'paths'), isTypeErrorNaming('paths key'));
  assert.throws(() => normalizeStaticPaths({ '/x': 3 }, 'paths'), isTypeErrorNaming('paths["/x"]'));
  assert.throws(() => normalizeStaticPaths({ '/x': { path: content, options: {} } }, 'paths'), isTypeErrorNaming('paths["/x"]'));
  assert.throws(() => normalizeStaticPaths({ '/x': '' }, 'paths'), isTypeErrorNaming('paths["/x"]'));
  assert.throws(() => normalizeStaticPaths({ x: path.join(root, 'nope') }, 'app.staticPaths'), (e: Error & { code?: string }) =>
    e.code === 'ENOENT' && e.message.startsWith('app.staticPaths["x"]'));
  assert.throws(() => normalizeStaticPaths({ a: content, '/a/': content1 }, 'paths'), (e: unknown) =>
    e instanceof TypeError && /"a" and "\/a\/" both mean "\/a"/.test(e.message));
});

// ---- resolveStaticPaths ------------------------------------------------------------------------

test('resolveStaticPaths: longer paths first; null inherits from the server, not the parent path', () => {
  // test "Longer paths override shorter ones"
  const paths = normalizeStaticPaths({
    '/': content,
    '/a': staticPath(content, { indexhtml: false }),
    '/a/b': staticPath(content, { indexhtml: null }),
    '/a/b/c': staticPath(content, { indexhtml: true }),
  }, 'paths');
  const entries = resolveStaticPaths(paths, staticPathOptions());
  assert.deepEqual(entries.map((e) => [e.path, e.indexhtml]), [['/a/b/c', true], ['/a/b', true], ['/a', false], ['/', true]]);
  assert.deepEqual(entries[3], {
    path: '/', dir: content, indexhtml: true, fallthrough: false, htmlCharset: 'utf-8', headers: [], validation: [],
    redirectDirectories: false, directoryListing: false, spaFallback: false,
  });
});

test('resolveStaticPaths: options and option inheritance (test "Options and option inheritance")', () => {
  const server = mergeStaticPathOptions(staticPathOptions(),
    staticPathOptions({ indexhtml: true, fallthrough: false, headers: { 'Test-Code-Path': 'C++' }, directoryListing: true }), 'app.staticPathOptions');
  const paths = normalizeStaticPaths({
    '/default': staticPath(content),
    '/override': staticPath(content, {
      indexhtml: false, fallthrough: true, htmlCharset: 'ISO-8859-1', headers: { 'Test-Code-Path': 'C++2' },
      redirectDirectories: true, directoryListing: false, spaFallback: true,
    }),
    '/unset': staticPath(content, { htmlCharset: '', headers: {} }),
  }, 'app.staticPaths');
  const byPath = new Map(resolveStaticPaths(paths, server).map((e) => [e.path, e]));
  assert.deepEqual(byPath.get('/default'), {
    path: '/default', dir: content, indexhtml: true, fallthrough: false, htmlCharset: 'utf-8',
    headers: ['Test-Code-Path', 'C++'], validation: [],
    redirectDirectories: false, directoryListing: true, spaFallback: false,
  });
  assert.deepEqual(byPath.get('/override'), {
    path: '/override', dir: content, indexhtml: false, fallthrough: true, htmlCharset: 'ISO-8859-1',
    headers: ['Test-Code-Path', 'C++2'], validation: [],
    redirectDirectories: true, directoryListing: false, spaFallback: true,
  });
  assert.deepEqual(byPath.get('/unset'), {
    path: '/unset', dir: content, indexhtml: true, fallthrough: false, htmlCharset: '', headers: [], validation: [],
    redirectDirectories: false, directoryListing: true, spaFallback: false,
  });
});

test('resolveStaticPaths: excluded paths (test "Excluding subpaths")', () => {
  let paths = normalizeStaticPaths({
    '/': staticPath(content),
    '/exclude': excludeStaticPath(),
    '/subdi': excludeStaticPath(),
    '/a': staticPath(content),
    '/a/exclude': excludeStaticPath(),
    '/a/mtcars.csv': excludeStaticPath(),
  }, 'app.staticPaths');
  let server = staticPathOptions();
  let entries = resolveStaticPaths(paths, server);
  const dirs = Object.fromEntries(entries.map((e) => [e.path, e.dir]));
  assert.deepEqual(dirs, {
    '/': content, '/exclude': null, '/subdi': null, '/a': content, '/a/exclude': null, '/a/mtcars.csv': null,
  });
  assert.deepEqual(entries.map((e) => e.path), ['/a/mtcars.csv', '/a/exclude', '/exclude', '/subdi', '/a', '/']);
  // setStaticPath("exclude/include" = content) adds a static path below the excluded one
  paths = new Map([...paths, ...normalizeStaticPaths({ 'exclude/include': content }, 'paths')]);
  entries = resolveStaticPaths(paths, server);
  assert.equal(entries[0].path, '/exclude/include');
  assert.equal(entries[0].dir, content);
  // setStaticPathOption(fallthrough = TRUE) applies to every path that does not set it
  server = mergeStaticPathOptions(server, { fallthrough: true }, 'options');
  assert.ok(resolveStaticPaths(paths, server).every((e) => e.fallthrough));
});

test('resolveStaticPaths: header validation (test "Header validation")', () => {
  const server = staticPathOptions({ headers: { 'Test-Code-Path': 'C++' }, validation: ['"Test-Validation" == "aaa"'] });
  const paths = normalizeStaticPaths({
    '/default': staticPath(content),
    '/override': staticPath(content, { validation: ['"Test-Validation-1" == "bbb"'] }),
    '/unset': staticPath(content, { validation: [] }),
    '/fallthrough': staticPath(content, { fallthrough: true }),
  }, 'app.staticPaths');
  const byPath = new Map(resolveStaticPaths(paths, server).map((e) => [e.path, e]));
  assert.deepEqual(byPath.get('/default')?.validation, ['test-validation', 'aaa']);
  assert.deepEqual(byPath.get('/override')?.validation, ['test-validation-1', 'bbb']);
  assert.deepEqual(byPath.get('/unset')?.validation, []);
  assert.deepEqual(byPath.get('/unset')?.headers, ['Test-Code-Path', 'C++']);
  assert.deepEqual(byPath.get('/fallthrough')?.validation, ['test-validation', 'aaa']);
  assert.equal(byPath.get('/fallthrough')?.fallthrough, true);
  // several rules, quotes and escapes
  const multi = resolveStaticPaths(normalizeStaticPaths({
    '/m': staticPath(content, { validation: ['"X-A" == "1"', '\'X-B\' == \'a \\\'q\\\' b\''] }),
  }, 'p'), server);
  assert.deepEqual(multi[0].validation, ['x-a', '1', 'x-b', 'a \'q\' b']);
});

test('resolveStaticPaths: dynamically changing options (test "Dynamically changing options")', () => {
  const paths = normalizeStaticPaths({ '/static': content }, 'app.staticPaths');
  let server = staticPathOptions();
  server = mergeStaticPathOptions(server, { indexhtml: false }, 'options');
  assert.equal(resolveStaticPaths(paths, server)[0].indexhtml, false);
  server = mergeStaticPathOptions(server, { fallthrough: true }, 'options');
  assert.equal(resolveStaticPaths(paths, server)[0].fallthrough, true);
  server = mergeStaticPathOptions(server, {
    indexhtml: true, headers: { 'Test-Headers': 'aaa' }, validation: '"Test-Validation" == "aaa"',
  }, 'options');
  let e = resolveStaticPaths(paths, server)[0];
  assert.deepEqual([e.indexhtml, e.headers, e.validation], [true, ['Test-Headers', 'aaa'], ['test-validation', 'aaa']]);
  server = mergeStaticPathOptions(server, { headers: {}, validation: [] }, 'options');
  e = resolveStaticPaths(paths, server)[0];
  assert.deepEqual([e.headers, e.validation], [[], []]);
});

test('resolveStaticPaths: several headers flattened in order; ties in length sorted deterministically', () => {
  const paths = normalizeStaticPaths({
    '/b': staticPath(content, { headers: { ETag: 'abc', 'Cache-Control': 'max-age=12345', Other: 'xyz' } }),
    '/a': content,
    '/\u00fc': content, // 2 UTF-8 bytes: longer than "/a"
  }, 'paths');
  const entries = resolveStaticPaths(paths, staticPathOptions());
  assert.deepEqual(entries.map((x) => x.path), ['/\u00fc', '/a', '/b']);
  assert.deepEqual(entries[2].headers, ['ETag', 'abc', 'Cache-Control', 'max-age=12345', 'Other', 'xyz']);
  assert.deepEqual(resolveStaticPaths(new Map(), staticPathOptions()), []);
});
