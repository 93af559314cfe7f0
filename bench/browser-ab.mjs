// A/B of two builds of the package in one Chromium page: Verifier.verify of each case by build A
// and build B (each its own web glue and .wasm), batches of about AB_BATCH_MS alternating, order
// swapped each round; prints each build's median µs per verify and the median of the paired
// ratios B/A, which holds better than either time on a loaded machine. No verdict.
// usage: node bench/browser-ab.mjs <pkg dir A> <pkg dir B>  (AB_CASES=RS256-2048,PS256-4096,
// AB_ROUNDS=41, AB_BATCH_MS=20; cases from bench/fixtures.mjs)
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { AUDIENCE, ISSUER, NOW, makeCase, median } from './fixtures.mjs';

const [dirA, dirB] = process.argv.slice(2).map((d) => resolve(d));
const NAMES = (process.env.AB_CASES ?? 'RS256-2048,RS256-3072,RS256-4096').split(',');
const ROUNDS = Number(process.env.AB_ROUNDS ?? 41);
const BATCH_MS = Number(process.env.AB_BATCH_MS ?? 20);
const cases = NAMES.map((name) => makeCase(name)).map(({ name, alg, jwks, tokens }) => ({ name, alg, jwks, token: tokens[0].token }));
const ROOTS = { '/a/': dirA, '/b/': dirB };
const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm' };
const PAGE = `<!doctype html><script type="module">
import initA, * as A from '/a/jwksgate.js';
import initB, * as B from '/b/jwksgate.js';
await initA(); await initB();
window.make = (c) => [A, B].map((m) => new m.Verifier(c.jwks, { algorithms: [c.alg], issuer: ${JSON.stringify(ISSUER)}, audience: ${JSON.stringify(AUDIENCE)}, currentDate: ${NOW} }));
window.run = (c, which, n) => {
  window.vs ??= {};
  const v = (window.vs[c.name] ??= window.make(c))[which];
  const start = performance.now();
  for (let i = 0; i < n; i++) v.verify(c.token);
  return ((performance.now() - start) * 1000) / n;
};
window.ready = true;
</script>`;
const server = createServer(async (req, res) => {
  const headers = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp', 'cache-control': 'no-store' };
  const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  if (path === '/') return res.writeHead(200, { ...headers, 'content-type': 'text/html' }).end(PAGE);
  const prefix = Object.keys(ROOTS).find((p) => path.startsWith(p));
  const file = prefix && normalize(join(ROOTS[prefix], path.slice(prefix.length)));
  if (!file || !file.startsWith(ROOTS[prefix])) return res.writeHead(404, headers).end();
  try {
    res.writeHead(200, { ...headers, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(await readFile(file));
  } catch {
    res.writeHead(404, headers).end();
  }
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const profileDir = mkdtempSync(join(tmpdir(), 'jwksgate-ab-'));
const context = await chromium.launchPersistentContext(profileDir, {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await page.waitForFunction(() => window.ready === true, null, { timeout: 60_000 });
  console.log(`${await page.evaluate(() => navigator.userAgent)}; A ${dirA}, B ${dirB}`);
  for (const c of cases) {
    const run = (which, n) => page.evaluate(([k, w, m]) => window.run(k, w, m), [c, which, n]);
    for (let i = 0; i < 5; i++) await run(0, 100), await run(1, 100); // both tiered up
    const n = Math.max(10, Math.round((BATCH_MS * 1000) / (await run(0, 50))));
    const t = [[], []], ratios = [];
    for (let r = 0; r < ROUNDS; r++) {
      const cur = [];
      for (const w of r % 2 ? [1, 0] : [0, 1]) cur[w] = await run(w, n);
      t[0].push(cur[0]), t[1].push(cur[1]), ratios.push(cur[1] / cur[0]);
    }
    console.log(`${c.name}: A ${median(t[0]).toFixed(1)} µs, B ${median(t[1]).toFixed(1)} µs, paired B/A ${median(ratios).toFixed(3)}`);
  }
} finally {
  await context.close();
  rmSync(profileDir, { recursive: true, force: true });
  server.close();
}
