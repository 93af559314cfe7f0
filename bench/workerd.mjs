// The gate's login under workerd against a jose-based worker (bench/workerd/jose-worker.mjs)
// that does the same verification and checks, then MACs a session token. Neither stores
// anything at login: the gate's session store starts from the token at its first use
// (src/gate/store.rs), so a login is a verification and a MAC on both sides. Same
// harness: both run in workerd through Miniflare with one
// JWKS of every case's key, and this process sends sequential POST /v1/auth/jwt/login requests
// to each over HTTP on 127.0.0.1, interleaved by rounds in a rotating order, plus GET /floor (the
// HTTP and workerd cost alone). Needs `make gate-pkg` and npm ci in worker/ and bench/. Figures in
// RESULTS.md; no verdict, no test depends on a timing.
// Cases: every one bench/fixtures.mjs makes (RSA at three sizes, ES256, ES384, ES512, EdDSA).
//   BENCH_CASES=RS256-2048,ES256 BENCH_ROUNDS=25 BENCH_WARMUP=40 BENCH_BATCH=16 node bench/workerd.mjs
// The warm-up is long on purpose: V8 runs wasm first in its baseline compiler (Liftoff) and
// moves a function to TurboFan once it has run enough; after 2 rounds of 24 logins the gate
// was still partly in Liftoff (its CPU per login fell by a third over the next thousand).
// Besides the wall clock it reads the CPU time each worker's own workerd process spent on each
// batch (every thread's se.sum_exec_runtime in /proc/<pid>/task/*/sched, nanoseconds, Linux
// only): the client's and the other side's scheduling then count for nothing, so on a loaded
// machine the CPU ratio is the one to read. WORKERD_BASE=<dir> adds a third contestant, the gate
// of another tree (its worker/src and worker/pkg, e.g. a copy of both made before a change),
// interleaved in the same rounds: before and after in one run.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SECRET, fromSource } from '../worker/test/helpers.mjs';
import { makeCase, median, quantile } from './fixtures.mjs';

const NAMES = (process.env.BENCH_CASES ?? 'RS256-2048,RS256-3072,RS256-4096,PS256-2048,ES256,ES384,ES512,EdDSA').split(',');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 25);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 40);
const BATCH = Number(process.env.BENCH_BATCH ?? 16);
const ISSUER = 'https://bench.issuer.test';
const AUDIENCE = 'https://gate.example';
const here = fileURLToPath(new URL('.', import.meta.url));
const workerRequire = createRequire(join(here, '..', 'worker', 'package.json'));
const { Miniflare } = await import(pathToFileURL(workerRequire.resolve('miniflare')).href);
const version = (pkg) => JSON.parse(readFileSync(join(here, '..', 'worker', 'node_modules', pkg, 'package.json'), 'utf8')).version;

// Tokens valid now: both workers read the clock.
const cases = NAMES.map((name) => makeCase(name, { now: Math.floor(Date.now() / 1000), issuer: ISSUER, audience: AUDIENCE }));
const jwks = JSON.stringify({ keys: cases.flatMap((c) => c.jwks.keys) });
const algs = [...new Set(cases.map((c) => c.alg))].join(',');
const ROLES = JSON.stringify({ bench: { role_type: 'jwt', user_claim: 'sub', bound_audiences: [AUDIENCE], token_policies: ['read'] } });
const bindings = { JWKS: jwks, ROLES, JWT_SUPPORTED_ALGS: algs, BOUND_ISSUER: ISSUER };

/** The workerd processes this process started (Miniflare's), by pid. */
const workerdPids = () => new Set(readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
  try {
    const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
    return stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) === 'workerd' && Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid;
  } catch {
    return false;
  }
}));
/** CPU nanoseconds used so far by every thread of `pid`, living or not (the group's own sched). */
function cpuNs(pid) {
  let ms = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ms += Number(/se\.sum_exec_runtime\s*:\s*([\d.]+)/.exec(readFileSync(`/proc/${pid}/task/${tid}/sched`, 'utf8'))[1]);
    } catch {}
  }
  return ms * 1e6;
}
/** A Miniflare and the pid of the workerd it started. */
async function start(options) {
  const before = workerdPids();
  const mf = new Miniflare(options);
  const url = String(await mf.ready);
  const pid = [...workerdPids()].find((p) => !before.has(p));
  return { mf, url, pid };
}
/** The gate of `tree` (its worker/src over its worker/pkg), as worker/test/helpers.mjs starts it. */
const startGate = (tree) => start({
  ...fromSource('worker/src/index.mjs', tree),
  kvNamespaces: ['KEYS_CACHE'],
  durableObjects: { SESSIONS: 'SessionStore', PUBLISHED: 'PublishStore' },
  cf: false,
  host: '127.0.0.1',
  port: 0,
  bindings: { SESSION_SECRET: SECRET, ...bindings },
});
let baseTree = null;
if (process.env.WORKERD_BASE) {
  baseTree = mkdtempSync(join(tmpdir(), 'jwksgate-workerd-base-'));
  cpSync(join(process.env.WORKERD_BASE, 'worker', 'src'), join(baseTree, 'worker', 'src'), { recursive: true });
  cpSync(join(process.env.WORKERD_BASE, 'worker', 'pkg'), join(baseTree, 'worker', 'pkg'), { recursive: true });
}
const gate = await startGate(join(here, '..'));
const base = baseTree && await startGate(baseTree);
const jose = await start({
  modules: true,
  scriptPath: join(here, 'workerd', 'jose-worker.mjs'),
  modulesRoot: here,
  modulesRules: [{ type: 'ESModule', include: ['**/*.js', '**/*.mjs'] }],
  compatibilityDate: '2026-04-01',
  cf: false,
  bindings: { ...bindings, SESSION_SECRET: SECRET },
});
const workers = [['the gate (jwksgate wasm)', gate], ...(base ? [[`the gate of WORKERD_BASE`, base]] : []), ['jose worker', jose]];

const login = async (base, jwt) => {
  const r = await fetch(new URL('/v1/auth/jwt/login', base), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ role: 'bench', jwt }) });
  return { status: r.status, body: await r.json() };
};

try {
  const slots = [];
  for (const c of cases) {
    for (const [name, { url: base, pid }] of workers) {
      for (const { token } of c.tokens) {
        const r = await login(base, token);
        if (r.status !== 200 || typeof r.body.auth?.client_token !== 'string') throw new Error(`${name} refused ${c.name}: ${JSON.stringify(r.body)}`);
      }
      const tampered = c.tokens[0].token.slice(0, -4) + (c.tokens[0].token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
      if ((await login(base, tampered)).status !== 400) throw new Error(`${name} did not refuse a tampered ${c.name} token`);
      slots.push({ c: c.name, name, pid, run: (i) => login(base, c.tokens[i % c.tokens.length].token), times: [], cpu: [] });
    }
  }
  for (const [name, { url: base, pid }] of workers.slice(-1)) slots.push({ c: 'floor', name, pid, run: () => fetch(new URL('/floor', base)).then((r) => r.json()), times: [], cpu: [] });
  for (let round = 0; round < WARMUP + ROUNDS; round++) {
    for (let j = 0; j < slots.length; j++) {
      const s = slots[(j + round * 3) % slots.length];
      const cpu0 = cpuNs(s.pid);
      const start = performance.now();
      for (let i = 0; i < BATCH; i++) await s.run(i);
      const wall = performance.now() - start;
      if (round >= WARMUP) {
        s.times.push((wall * 1000) / BATCH);
        s.cpu.push((cpuNs(s.pid) - cpu0) / 1000 / BATCH);
      }
    }
  }
  if (process.env.BENCH_DEBUG) for (const s of slots) console.log(s.c, s.name, s.cpu.map((t) => t.toFixed(0)).join(" "));
  const floor = median(slots.find((s) => s.c === 'floor').times);
  const floorCpu = median(slots.find((s) => s.c === 'floor').cpu);
  console.log(`workerd ${version('workerd')} (Miniflare ${version('miniflare')}), node ${process.version} client; ${ROUNDS} rounds of ${BATCH} sequential logins after ${WARMUP} warm-up rounds; median µs per login (interquartile range)`);
  console.log('');
  /** One table: median µs per login of `key` ('times' or 'cpu') with the interquartile range. */
  const table = (key, floorValue) => {
    console.log(`| what | ${NAMES.join(' | ')} |`);
    console.log(`| --- | ${NAMES.map(() => '---:').join(' | ')} |`);
    for (const [name] of workers) {
      const cells = NAMES.map((c) => {
        const t = slots.find((s) => s.c === c && s.name === name)[key];
        return `${median(t).toFixed(0)} (${(quantile(t, 0.75) - quantile(t, 0.25)).toFixed(0)})`;
      });
      console.log(`| ${name} | ${cells.join(' | ')} |`);
    }
    console.log(`| GET /floor (HTTP and workerd alone) | ${floorValue.toFixed(0)} |`);
  };
  table('times', floor);
  console.log('');
  console.log('CPU µs of the worker\'s own workerd process per login, median of rounds (interquartile range)');
  console.log('');
  table('cpu', floorCpu);
  console.log('');
  const pick = (c, name, key) => slots.find((s) => s.c === c && s.name === name)[key];
  // The ratio of each round's two batches (measured back to back), then their median.
  const roundRatio = (c, a, b, key) => median(pick(c, a, key).map((t, i) => t / pick(c, b, key)[i]));
  const joseName = workers.at(-1)[0];
  for (const c of NAMES) {
    for (const [name] of workers.slice(0, -1)) {
      const [g, j] = [name, joseName].map((n) => median(pick(c, n, 'times')));
      const [gc, jc] = [name, joseName].map((n) => median(pick(c, n, 'cpu')));
      console.log(`workerd ${c}: ${name}/jose wall ${(g / j).toFixed(2)}x (median of rounds' ratios ${roundRatio(c, name, joseName, 'times').toFixed(2)}x), above the floor ${((g - floor) / (j - floor)).toFixed(2)}x; CPU ${(gc / jc).toFixed(2)}x (rounds ${roundRatio(c, name, joseName, 'cpu').toFixed(2)}x), above the floor ${((gc - floorCpu) / (jc - floorCpu)).toFixed(2)}x`);
    }
    if (base) console.log(`workerd ${c}: this gate / WORKERD_BASE's, CPU ${roundRatio(c, workers[0][0], workers[1][0], 'cpu').toFixed(2)}x, wall ${roundRatio(c, workers[0][0], workers[1][0], 'times').toFixed(2)}x (medians of rounds' ratios)`);
  }
} finally {
  for (const [, w] of workers) await w.mf.dispose();
  if (baseTree) rmSync(baseTree, { recursive: true, force: true });
}
