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
//   BENCH_CASES=RS256-2048,ES256 BENCH_ROUNDS=15 BENCH_WARMUP=2 BENCH_BATCH=24 node bench/workerd.mjs
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SECRET, startGate } from '../worker/test/helpers.mjs';
import { makeCase, median, quantile } from './fixtures.mjs';

const NAMES = (process.env.BENCH_CASES ?? 'RS256-2048,RS256-3072,RS256-4096,ES256,ES384,ES512,EdDSA').split(',');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);
const BATCH = Number(process.env.BENCH_BATCH ?? 24);
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

const gate = await startGate(bindings);
const jose = new Miniflare({
  modules: true,
  scriptPath: join(here, 'workerd', 'jose-worker.mjs'),
  modulesRoot: here,
  modulesRules: [{ type: 'ESModule', include: ['**/*.js', '**/*.mjs'] }],
  compatibilityDate: '2026-04-01',
  cf: false,
  bindings: { ...bindings, SESSION_SECRET: SECRET },
});
const workers = [['the gate (jwksgate wasm)', String(gate.url)], ['jose worker', String(await jose.ready)]];

const login = async (base, jwt) => {
  const r = await fetch(new URL('/v1/auth/jwt/login', base), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ role: 'bench', jwt }) });
  return { status: r.status, body: await r.json() };
};

try {
  const slots = [];
  for (const c of cases) {
    for (const [name, base] of workers) {
      for (const { token } of c.tokens) {
        const r = await login(base, token);
        if (r.status !== 200 || typeof r.body.auth?.client_token !== 'string') throw new Error(`${name} refused ${c.name}: ${JSON.stringify(r.body)}`);
      }
      const tampered = c.tokens[0].token.slice(0, -4) + (c.tokens[0].token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
      if ((await login(base, tampered)).status !== 400) throw new Error(`${name} did not refuse a tampered ${c.name} token`);
      slots.push({ c: c.name, name, run: (i) => login(base, c.tokens[i % c.tokens.length].token), times: [] });
    }
  }
  for (const [name, base] of workers.slice(1)) slots.push({ c: 'floor', name, run: () => fetch(new URL('/floor', base)).then((r) => r.json()), times: [] });
  for (let round = 0; round < WARMUP + ROUNDS; round++) {
    for (let j = 0; j < slots.length; j++) {
      const s = slots[(j + round * 3) % slots.length];
      const start = performance.now();
      for (let i = 0; i < BATCH; i++) await s.run(i);
      if (round >= WARMUP) s.times.push(((performance.now() - start) * 1000) / BATCH);
    }
  }
  const floor = median(slots.find((s) => s.c === 'floor').times);
  console.log(`workerd ${version('workerd')} (Miniflare ${version('miniflare')}), node ${process.version} client; ${ROUNDS} rounds of ${BATCH} sequential logins after ${WARMUP} warm-up rounds; median µs per login (interquartile range)`);
  console.log('');
  console.log(`| what | ${NAMES.join(' | ')} |`);
  console.log(`| --- | ${NAMES.map(() => '---:').join(' | ')} |`);
  for (const [name] of workers) {
    const cells = NAMES.map((c) => {
      const t = slots.find((s) => s.c === c && s.name === name).times;
      return `${median(t).toFixed(0)} (${(quantile(t, 0.75) - quantile(t, 0.25)).toFixed(0)})`;
    });
    console.log(`| ${name} | ${cells.join(' | ')} |`);
  }
  console.log(`| GET /floor (HTTP and workerd alone) | ${floor.toFixed(0)} |`);
  console.log('');
  for (const c of NAMES) {
    const [g, j] = workers.map(([name]) => median(slots.find((s) => s.c === c && s.name === name).times));
    console.log(`workerd ${c}: gate/jose ${(g / j).toFixed(2)}x; above the floor ${((g - floor) / (j - floor)).toFixed(2)}x`);
  }
} finally {
  await gate.dispose();
  await jose.dispose();
}
