// RS256 (2048/3072/4096), ES256, ES384, ES512 and EdDSA (BENCH_CASES: any case of fixtures.mjs,
// PS256-2048 or RS512-2048 say) in Debian's Chromium, side by side in one page:
// jwksgate's web build against jose's browser build (jose/dist/webapi) and raw WebCrypto. Serves
// bench/browser/ (the page), pkg/ and jose on 127.0.0.1 (port 0, with COOP/COEP so that
// performance.now() is fine-grained), drives the page with playwright-core, prints the medians and
// the ratios last. Needs `make pkg` and /usr/bin/chromium (scripts/chromium.sh). Figures in
// RESULTS.md; no verdict, no test depends on a timing.
//   BENCH_CASES=RS256-2048,ES256 BENCH_ROUNDS=15 BENCH_WARMUP=2 BENCH_BATCH_MS=40 node bench/browser.mjs
// CPU=1 times the three contestants by the renderer's CPU time instead (for a loaded machine).
// BREAKDOWN=1 times an empty crossing, decodeUnverified and Verifier.verify in Node and the page.
// PROFILE=ES256 (a case; N=3000 calls) instead samples Verifier.verify with V8's CPU profiler
// through the DevTools protocol and prints self time per function, as bench/profile.mjs does in
// Node; PKG=<dir> serves another build of the package (one with names: see profile.mjs).
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { AUDIENCE, ISSUER, NOW, makeCase, median, quantile } from './fixtures.mjs';
import { printSelfTime } from './cpuprofile.mjs';
import { decodeUnverified, initSync, Verifier, wasmSimd } from '../pkg/jwksgate.js';

const NAMES = (process.env.BENCH_CASES ?? 'RS256-2048,RS256-3072,RS256-4096,ES256,ES384,ES512,EdDSA').split(',');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);
const BATCH_MS = Number(process.env.BENCH_BATCH_MS ?? 40);

const here = fileURLToPath(new URL('.', import.meta.url));
const ROOTS = { '/pkg/': process.env.PKG ?? join(here, '..', 'pkg'), '/jose/': join(here, 'node_modules', 'jose', 'dist', 'webapi'), '/': join(here, 'browser') };
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

// The same .wasm (pkg/jwksgate_bg.wasm) and the same loop of Verifier.verify in this Node process
// and in the page, alternating: Chromium's time over Node's, per case.
async function hosts(page) {
  const dir = process.env.PKG ?? join(here, '..', 'pkg');
  initSync({ module: new WebAssembly.Module(await readFile(join(dir, 'jwksgate_bg.wasm'))) });
  const rows = [];
  for (const c of cases) {
    const verifier = new Verifier(c.jwks, { algorithms: [c.alg], issuer: ISSUER, audience: AUDIENCE, currentDate: NOW });
    const node = (n) => {
      const start = performance.now();
      for (let i = 0; i < n; i++) verifier.verify(c.tokens[i % c.tokens.length].token);
      return ((performance.now() - start) * 1000) / n;
    };
    // Both hosts warmed (tiered up) first; then batches of about BATCH_MS in Node.
    for (let i = 0; i < 10; i++) node(50);
    await page.evaluate((k) => { for (let i = 0; i < 10; i++) window.profileRun(k, 50); }, c.name);
    const n = Math.max(50, Math.round((BATCH_MS * 1000) / median([node(50), node(50), node(50)])));
    const times = { node: [], chromium: [] };
    for (let r = 0; r < WARMUP + ROUNDS; r++) {
      const pair = [['node', () => node(n)], ['chromium', () => page.evaluate(([k, m]) => window.profileRun(k, m), [c.name, n])]];
      for (const [host, run] of r % 2 ? pair.reverse() : pair) {
        const us = await run();
        if (r >= WARMUP) times[host].push(us);
      }
    }
    rows.push({ name: c.name, node: median(times.node), chromium: median(times.chromium) });
  }
  return rows;
}

// BREAKDOWN=1: what a verify is made of, in this Node and in the page, alternating by rounds: µs
// per call of an empty crossing (wasmSimd()), of decodeUnverified(token) (the token's string in,
// base64url and JSON, the header and payload out as one JSON text: what a verify does besides the
// signature and the claims) and of Verifier.verify(token).
async function breakdown(page) {
  initSync({ module: new WebAssembly.Module(await readFile(join(process.env.PKG ?? join(here, '..', 'pkg'), 'jwksgate_bg.wasm'))) });
  const steps = ['empty', 'decode', 'verify'];
  console.log(`µs per call, medians of ${ROUNDS} rounds (Node ${process.version}, Chromium), hosts alternating`);
  console.log('');
  console.log(`| case | ${steps.map((x) => `${x}: Node | ${x}: Chromium`).join(' | ')} |`);
  console.log(`| --- | ${steps.map(() => '---: | ---:').join(' | ')} |`);
  for (const c of cases) {
    const verifier = new Verifier(c.jwks, { algorithms: [c.alg], issuer: ISSUER, audience: AUDIENCE, currentDate: NOW });
    const runs = { empty: () => wasmSimd(), decode: (t) => decodeUnverified(t), verify: (t) => verifier.verify(t) };
    const node = (step, n) => {
      const start = performance.now();
      for (let i = 0; i < n; i++) runs[step](c.tokens[i % c.tokens.length].token);
      return ((performance.now() - start) * 1000) / n;
    };
    const cells = [];
    for (const step of steps) {
      for (let i = 0; i < 10; i++) node(step, 50);
      await page.evaluate(([k, x]) => { for (let i = 0; i < 10; i++) window.stepRun(k, x, 50); }, [c.name, step]);
      const n = Math.max(50, Math.round((BATCH_MS * 1000) / median([node(step, 50), node(step, 50), node(step, 50)])));
      const times = { node: [], chromium: [] };
      for (let r = 0; r < WARMUP + ROUNDS; r++) {
        const pair = [['node', async () => node(step, n)], ['chromium', () => page.evaluate(([k, x, m]) => window.stepRun(k, x, m), [c.name, step, n])]];
        for (const [host, run] of r % 2 ? pair.reverse() : pair) {
          const us = await run();
          if (r >= WARMUP) times[host].push(us);
        }
      }
      cells.push(median(times.node).toFixed(2), median(times.chromium).toFixed(2));
    }
    console.log(`| ${c.name} | ${cells.join(' | ')} |`);
  }
}

// CPU=1: the three contestants by the CPU time of Chromium's renderer processes (every thread,
// /proc/<pid>/task/*/schedstat, in ns) around each batch, instead of the wall clock: on a loaded
// machine time spent waiting for a core is not counted. jose's WebCrypto work runs on the
// renderer's threads too, so it is counted; its wait for them is not. Linux only.
function rendererCpuNs() {
  let ns = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let cmd;
    try { cmd = readFileSync(`/proc/${pid}/cmdline`, 'latin1'); } catch { continue; }
    if (!cmd.includes('--type=renderer') || !cmd.includes(profileDir)) continue;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try { ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'latin1').split(' ')[0]); } catch {}
    }
  }
  return ns;
}

async function cpuBench(page) {
  const names = ['jwksgate Verifier.verify', 'jose jwtVerify createLocalJWKSet', 'crypto.subtle.verify, awaited'];
  console.log(`CPU µs per verify of Chromium's renderer, medians of ${ROUNDS} rounds (batches of about ${BATCH_MS} ms), contestants alternating`);
  console.log('');
  console.log(`| what | ${NAMES.join(' | ')} |`);
  console.log(`| --- | ${NAMES.map(() => '---:').join(' | ')} |`);
  const table = names.map(() => []);
  // Every case's batch size first, after 300 verifies of each contestant: so that no case is
  // timed while TurboFan still compiles on the renderer's other threads (their CPU counts too).
  const sizes = new Map();
  for (const name of NAMES) {
    const n = [];
    for (let i = 0; i < names.length; i++) {
      await page.evaluate(([k, x]) => window.batchRun(k, x, 300), [name, i]);
      n[i] = Math.max(20, Math.round((BATCH_MS * 1000) / (await page.evaluate(([k, x]) => window.batchRun(k, x, 50), [name, i]))));
    }
    sizes.set(name, n);
  }
  for (const name of NAMES) {
    const n = sizes.get(name);
    const cpu = names.map(() => []);
    for (let r = 0; r < WARMUP + ROUNDS; r++) {
      const order = names.map((_, i) => (i + r) % names.length);
      for (const i of order) {
        const before = rendererCpuNs();
        await page.evaluate(([k, x, m]) => window.batchRun(k, x, m), [name, i, n[i]]);
        if (r >= WARMUP) cpu[i].push((rendererCpuNs() - before) / 1000 / n[i]);
      }
    }
    cpu.forEach((t, i) => table[i].push(t));
  }
  table.forEach((row, i) => console.log(`| (${'abc'[i]}) ${names[i]} | ${row.map((t) => `${median(t).toFixed(1)} (${(quantile(t, 0.75) - quantile(t, 0.25)).toFixed(0)})`).join(' | ')} |`));
  console.log('');
  NAMES.forEach((c, k) => console.log(`Chromium ${c}, renderer CPU: Verifier/jose ${(median(table[0][k]) / median(table[1][k])).toFixed(2)}x, Verifier/subtle ${(median(table[0][k]) / median(table[2][k])).toFixed(2)}x`));
}

// TIERUP=<case>: from a fresh instance in each host, µs per verify of 40 consecutive batches of
// 10 calls (then every 40th of 400 more): how long each host runs the baseline (Liftoff) code
// before the optimized (TurboFan) code replaces it.
async function tierUp(page, name) {
  const c = cases.find((x) => x.name === name);
  initSync({ module: new WebAssembly.Module(await readFile(join(process.env.PKG ?? join(here, '..', 'pkg'), 'jwksgate_bg.wasm'))) });
  const verifier = new Verifier(c.jwks, { algorithms: [c.alg], issuer: ISSUER, audience: AUDIENCE, currentDate: NOW });
  const series = { node: [], chromium: [] };
  for (let b = 0; b < 440; b++) {
    const start = performance.now();
    for (let i = 0; i < 10; i++) verifier.verify(c.tokens[i % c.tokens.length].token);
    series.node.push(((performance.now() - start) * 1000) / 10);
  }
  series.chromium = await page.evaluate((k) => { const out = []; for (let b = 0; b < 440; b++) out.push(window.profileRun(k, 10)); return out; }, name);
  const pick = (xs) => [...xs.slice(0, 40), ...xs.slice(40).filter((_, i) => i % 40 === 39)].map((x) => x.toFixed(0)).join(' ');
  console.log(`${name}, µs per verify, batches of 10 from a fresh instance (batches 1-40, then every 40th):`);
  console.log(`Node:     ${pick(series.node)}`);
  console.log(`Chromium: ${pick(series.chromium)}`);
}

async function profile(page, name, n) {
  await page.evaluate(([c, k]) => window.profileRun(c, k), [name, 500]); // warm-up
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  await cdp.send('Profiler.start');
  const us = await page.evaluate(([c, k]) => window.profileRun(c, k), [name, n]);
  const { profile: p } = await cdp.send('Profiler.stop');
  printSelfTime(`Chromium Verifier.verify ${name}: ${us.toFixed(1)} µs per call under the profiler`, p);
}

const profileDir = mkdtempSync(join(tmpdir(), 'jwksgate-bench-'));
const context = await chromium.launchPersistentContext(profileDir, {
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
  if (process.env.PROFILE) {
    await profile(page, process.env.PROFILE, Number(process.env.N ?? 3000));
  } else if (process.env.CPU) {
    await cpuBench(page);
  } else if (process.env.BREAKDOWN) {
    await breakdown(page);
  } else if (process.env.TIERUP) {
    await tierUp(page, process.env.TIERUP);
  } else {
    out = await page.evaluate((o) => window.bench(o), { rounds: ROUNDS, warmup: WARMUP, batchMs: BATCH_MS });
    out.hosts = await hosts(page);
  }
} finally {
  await context.close();
  rmSync(profileDir, { recursive: true, force: true });
  server.close();
}

if (!out) process.exit(0);
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
console.log('');
console.log(`The same .wasm and loop of Verifier.verify, in this Node (${process.version}) and in the page, alternating: median µs per verify`);
console.log('');
console.log(`| host | ${NAMES.join(' | ')} |`);
console.log(`| --- | ${NAMES.map(() => '---:').join(' | ')} |`);
console.log(`| Node | ${out.hosts.map((h) => h.node.toFixed(1)).join(' | ')} |`);
console.log(`| Chromium | ${out.hosts.map((h) => h.chromium.toFixed(1)).join(' | ')} |`);
console.log('');
for (const h of out.hosts) console.log(`${h.name}: Chromium/Node ${(h.chromium / h.node).toFixed(2)}x`);
for (const c of NAMES) {
  const [ours, jose, subtle] = contestantNames.map((x) => median(cell(c, x).times));
  // On a loaded machine a batch is slowed by the time it waits for a core; the fastest batches
  // (10th percentile) waited least, so their ratio is the steadier one there.
  const [fo, fj] = contestantNames.map((x) => quantile(cell(c, x).times, 0.1));
  console.log(`Chromium ${c}: Verifier/jose ${(ours / jose).toFixed(2)}x, Verifier/subtle ${(ours / subtle).toFixed(2)}x, jose/subtle ${(jose / subtle).toFixed(2)}x; fastest tenth: Verifier ${fo.toFixed(1)} µs, jose ${fj.toFixed(1)} µs, ${(fo / fj).toFixed(2)}x`);
}
