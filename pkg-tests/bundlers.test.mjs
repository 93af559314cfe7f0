// The npm README's browser quick starts, built as they stand by Vite, webpack and Rollup (with
// the README's copy step) and served without a bundler (its import map page), then run in
// Debian's Chromium against a stand-in issuer on 127.0.0.1: each verifies a token with no
// init() call. The only edits to the README's code: the issuer's URL becomes the stand-in's,
// and `token` and `jwks` are defined first (fetched from the test server).
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, extname, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { Issuer } from './issuer.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const installed = join(here, 'node_modules', 'jwksgate');
const readme = readFileSync(join(installed, 'README.md'), 'utf8');
const work = mkdtempSync(join(tmpdir(), 'jwksgate-bundlers-'));

/** The fenced block that follows `<!-- marker` in the installed package's README. */
function block(marker) {
  const at = readme.indexOf(`<!-- ${marker}`);
  assert.ok(at >= 0, `README: no ${marker} marker`);
  const m = /```(?:js|html)\n([\s\S]*?)```/.exec(readme.slice(at));
  assert.ok(m, `README: no code block after ${marker}`);
  return m[1];
}

const PRELUDE = "const { token, jwks } = await (await fetch('/case.json')).json();\n";
const REPORT = "\ndocument.title = `verified ${payload.sub}`;\n";
let issuer;
const app = () => PRELUDE + block('browser-quick-start').replaceAll('https://issuer.example', issuer.url) + REPORT;

/** A small app folder: node_modules/jwksgate links to the installed package, as after npm install. */
function project(name) {
  const dir = join(work, name);
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  cpSync(installed, join(dir, 'node_modules', 'jwksgate'), { recursive: true, dereference: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `app-${name}`, private: true, type: 'module' }));
  writeFileSync(join(dir, 'main.js'), app());
  return dir;
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
const SIMD = sha256(readFileSync(join(installed, 'jwksgate_bg.wasm')));

/** Serves `dir` and /case.json on 127.0.0.1; `wasm` lists the hashes of the .wasm files fetched. */
async function serve(dir, body) {
  const wasm = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (path === '/case.json') return res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    if (path === '/favicon.ico') return res.writeHead(204).end();
    const file = join(dir, path.endsWith('/') ? `${path}index.html` : path);
    if (!file.startsWith(dir) || !existsSync(file)) return res.writeHead(404).end();
    const bytes = readFileSync(file);
    if (file.endsWith('.wasm')) wasm.push(sha256(bytes));
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(bytes);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${server.address().port}/`, wasm, close: () => new Promise((ok) => { server.closeAllConnections(); server.close(ok); }) };
}

let context;
let profile;
let chromiumLeftovers;
before(async () => {
  issuer = await new Issuer({ cors: true }).start();
  chromiumLeftovers = new Set(readdirSync(tmpdir()).filter((f) => f.startsWith('org.chromium.')));
  profile = mkdtempSync(join(tmpdir(), 'jwksgate-chromium-'));
  // Debian's Chromium, kept off every network but loopback (../../www/test/helpers.mjs).
  context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
after(async () => {
  await context?.close();
  await issuer?.stop();
  rmSync(profile, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
  for (const f of readdirSync(tmpdir())) {
    if (f.startsWith('org.chromium.') && !chromiumLeftovers.has(f)) rmSync(join(tmpdir(), f), { recursive: true, force: true });
  }
});

/** Opens the served page and waits for its verdict in the title; page errors fail the test. */
async function runInChromium(dir) {
  const body = JSON.stringify({ token: await issuer.token({ claims: { iss: issuer.url, aud: 'my-app' } }), jwks: issuer.jwks() });
  const site = await serve(dir, body);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  try {
    const before = issuer.hits.jwks;
    await page.goto(site.url);
    await page.waitForFunction(() => document.title.startsWith('verified') || document.title.startsWith('failed'), null, { timeout: 30_000 }).catch(() => {});
    assert.deepEqual(errors, []);
    assert.equal(await page.title(), 'verified system:serviceaccount:default:app');
    assert.equal(issuer.hits.jwks, before + 1, 'the remote set fetched the keys once');
    assert.equal(site.wasm.length, 1, 'one wasm loaded');
    assert.equal(site.wasm[0], SIMD, 'the SIMD build, byte for byte');
  } finally {
    await page.close();
    await site.close();
  }
}

const INDEX = '<!doctype html><title>loading</title><script type="module" src="./main.js"></script>\n';

test('Vite 8: the README\'s browser quick start, built with no configuration', async () => {
  const dir = project('vite');
  writeFileSync(join(dir, 'index.html'), INDEX);
  const { build } = await import('vite');
  await build({ root: dir, logLevel: 'warn', configFile: false, build: { outDir: join(dir, 'dist') } });
  const emitted = readdirSync(join(dir, 'dist', 'assets')).filter((f) => f.endsWith('.wasm'));
  assert.equal(emitted.length, 2, `both wasm builds emitted: ${emitted}`);
  await runInChromium(join(dir, 'dist'));
});

test('webpack 5: the README\'s browser quick start, built with no configuration', async () => {
  const dir = project('webpack');
  const { default: webpack } = await import('webpack');
  const stats = await new Promise((ok, fail) =>
    webpack({ mode: 'production', context: dir, entry: './main.js', output: { path: join(dir, 'dist') } }, (e, s) => (e ? fail(e) : ok(s))),
  );
  assert.ok(!stats.hasErrors(), stats.toString('errors-only'));
  writeFileSync(join(dir, 'dist', 'index.html'), INDEX);
  assert.equal(readdirSync(join(dir, 'dist')).filter((f) => f.endsWith('.wasm')).length, 2, 'both wasm builds emitted');
  await runInChromium(join(dir, 'dist'));
});

test('Rollup 4: the README\'s browser quick start, with its copy step for the .wasm files', async () => {
  const dir = project('rollup');
  const { rollup } = await import('rollup');
  const { nodeResolve } = await import('@rollup/plugin-node-resolve');
  const bundle = await rollup({ input: join(dir, 'main.js'), plugins: [nodeResolve({ browser: true })], logLevel: 'silent' });
  await bundle.write({ dir: join(dir, 'dist'), format: 'es' });
  await bundle.close();
  // The README: "cp node_modules/jwksgate/*.wasm dist/".
  for (const f of readdirSync(join(dir, 'node_modules', 'jwksgate')).filter((f) => f.endsWith('.wasm'))) {
    cpSync(join(dir, 'node_modules', 'jwksgate', f), join(dir, 'dist', f));
  }
  writeFileSync(join(dir, 'dist', 'index.html'), INDEX);
  await runInChromium(join(dir, 'dist'));
});

test('no bundler: the README\'s import map page, the package folder served as it is', async () => {
  const dir = project('plain');
  // The README's page, its module script given `token` and `jwks` first and the remote check of
  // the quick start above, so that every page here is judged alike.
  const page = block('browser-no-bundler').replace('<script type="module">\n', `<script type="module">\n${PRELUDE}`);
  assert.notEqual(page, block('browser-no-bundler'));
  const check = `\n  import { jwtVerify, createRemoteJWKSet } from 'jwksgate';\n  const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL('${issuer.url}/keys')), { audience: 'my-app' });${REPORT}</script>`;
  writeFileSync(join(dir, 'index.html'), `<!doctype html><title>loading</title>\n${page.replace(/<\/script>\s*$/, check)}`);
  await runInChromium(dir);
});
