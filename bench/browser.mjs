// RS256 (2048/3072/4096), ES256, ES384 and EdDSA in Debian's Chromium, side by side in one page:
// jwksgate's web build against jose's browser build (jose/dist/webapi) and raw WebCrypto. Serves
// bench/browser/ (the page), pkg/ and jose on 127.0.0.1 (port 0, with COOP/COEP so that
// performance.now() is fine-grained), drives the page with playwright-core, prints the medians and
// the ratios last. Needs `make pkg` and /usr/bin/chromium (scripts/chromium.sh). Figures in
// RESULTS.md; no verdict, no test depends on a timing.
//   BENCH_CASES=RS256-2048,ES256 BENCH_ROUNDS=15 BENCH_WARMUP=2 BENCH_BATCH_MS=40 node bench/browser.mjs
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { AUDIENCE, ISSUER, NOW, makeCase, median, quantile } from './fixtures.mjs';

const NAMES = (process.env.BENCH_CASES ?? 'RS256-2048,RS256-3072,RS256-4096,ES256,ES384,EdDSA').split(',');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);
const BATCH_MS = Number(process.env.BENCH_BATCH_MS ?? 40);

const here = fileURLToPath(new URL('.', import.meta.url));
const ROOTS = { '/pkg/': join(here, '..', 'pkg'), '/jose/': join(here, 'node_modules', 'jose', 'dist', 'webapi'), '/': join(here, 'browser') };
const TYPES = { '.html': 'text/html', '.mjs': 'text/javascript', '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };
const cases = NAMES.map((name) => makeCase(name));
const fixtures = JSON.stringify({ now: NOW, issuer: ISSUER, audience: AUDIENCE, cases: cases.map(({ name, alg, jwks, tokens }) => ({ name, alg, jwks, tokens })) });
const fetched = [];

const server = createServer(async (req, res) => {
  const headers = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp', 'cache-control': 'no-store' };
  const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  fetched.push(path);
  if (path === '/fixtures.json') return res.writeHead(200, { ...headers, 'content-type': TYPES['.json'] }).end(fixtures);
  const prefix = Object.keys(ROOTS).find((p) => path.startsWith(p));
  const file = normalize(join(ROOTS[prefix], path.slice(prefix.length) || 'index.html'));
  if (!file.startsWith(ROOTS[prefix])) return res.writeHead(403, headers).end();
  try {
    const body = await readFile(file);
    res.writeHead(200, { ...headers, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
  } catch {
    res.writeHead(404, headers).end();
  }
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const origin = `http://127.0.0.1:${server.address().port}`;

const profile = mkdtempSync(join(tmpdir(), 'jwksgate-bench-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
let out;
try {
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => window.benchReady === true, null, { timeout: 60_000 });
  out = await page.evaluate((o) => window.bench(o), { rounds: ROUNDS, warmup: WARMUP, batchMs: BATCH_MS });
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
  server.close();
}

const wasms = [...new Set(fetched.filter((p) => p.endsWith('.wasm')))];
console.log(`${out.userAgent}; crossOriginIsolated ${out.crossOriginIsolated}; wasm fetched: ${wasms.join(', ')} (wasmSimd() ${out.simd})`);
console.log(`${ROUNDS} rounds after ${WARMUP} warm-up rounds, batches of about ${BATCH_MS} ms; median µs per verify (interquartile range)`);
console.log('');
const contestantNames = [...new Set(out.results.map((r) => r.contestant))];
const cell = (c, x) => out.results.find((r) => r.case === c && r.contestant === x);
console.log(`| what | ${NAMES.join(' | ')} |`);
console.log(`| --- | ${NAMES.map(() => '---:').join(' | ')} |`);
contestantNames.forEach((x, i) => {
  const cells = NAMES.map((c) => {
    const t = cell(c, x).times;
    return `${median(t).toFixed(1)} (${(quantile(t, 0.75) - quantile(t, 0.25)).toFixed(0)})`;
  });
  console.log(`| (${'abc'[i]}) ${x} | ${cells.join(' | ')} |`);
});
console.log('');
for (const c of NAMES) {
  const [ours, jose, subtle] = contestantNames.map((x) => median(cell(c, x).times));
  console.log(`Chromium ${c}: Verifier/jose ${(ours / jose).toFixed(2)}x, Verifier/subtle ${(ours / subtle).toFixed(2)}x, jose/subtle ${(jose / subtle).toFixed(2)}x`);
}
