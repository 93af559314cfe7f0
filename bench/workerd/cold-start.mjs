// The gate's cold start under workerd against the jose-based worker (jose-worker.mjs): each
// sample starts a fresh Miniflare (its own workerd) for each worker, in an order rotating per
// sample, and times (a) `ready` (workerd started and the script loaded: for the gate, its wasm
// compiled, and instantiated by worker/pkg/workerd.mjs at import), (b) a first request that
// verifies nothing, (c) the first login, (d) a second, warm login. Workers:
//   the gate: (b) GET /v1/auth/token/lookup-self without a token (403): builds the configured
//     gate (roles, the JWKS imported) in the wasm; no signature verified
//   jose: (b) GET /floor
//   gate wasm only (wasm-only-worker.mjs): the gate's build imported, answering {} without a
//     call into it; (b) to (d) are GET {}
//   empty: a worker answering {}: workerd's and Miniflare's own start
//   empty, the gate's bindings: the same with the gate's Durable Objects and KV namespace
// So ready(gate wasm only) - ready(empty) is what loading the gate's wasm adds to a start.
// Needs `make gate-pkg`, npm ci in worker/ and bench/. No verdict; figures in RESULTS.md.
//   COLD_SAMPLES=15 COLD_CASE=RS256-2048 node bench/workerd/cold-start.mjs
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SECRET } from '../../worker/test/helpers.mjs';
import { makeCase, median, quantile } from '../fixtures.mjs';

const SAMPLES = Number(process.env.COLD_SAMPLES ?? 15);
const ISSUER = 'https://bench.issuer.test';
const AUDIENCE = 'https://gate.example';
const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..', '..');
const workerRequire = createRequire(join(root, 'worker', 'package.json'));
const { Miniflare } = await import(pathToFileURL(workerRequire.resolve('miniflare')).href);

const c = makeCase(process.env.COLD_CASE ?? 'RS256-2048', { now: Math.floor(Date.now() / 1000), issuer: ISSUER, audience: AUDIENCE });
const bindings = {
  JWKS: c.jwksText, JWT_SUPPORTED_ALGS: c.alg, BOUND_ISSUER: ISSUER, SESSION_SECRET: SECRET,
  ROLES: JSON.stringify({ bench: { role_type: 'jwt', user_claim: 'sub', bound_audiences: [AUDIENCE], token_policies: ['read'] } }),
};
const base = { modules: true, compatibilityDate: '2026-04-01', cf: false };
const rules = [{ type: 'ESModule', include: ['**/*.js', '**/*.mjs'] }, { type: 'CompiledWasm', include: ['**/*.wasm'] }];
const workers = {
  'the gate': {
    options: { ...base, scriptPath: join(root, 'worker', 'src', 'index.mjs'), modulesRoot: root, modulesRules: rules, kvNamespaces: ['KEYS_CACHE'], durableObjects: { SESSIONS: 'SessionStore', PUBLISHED: 'PublishStore' }, bindings },
    login: true,
    first: (url) => fetch(new URL('/v1/auth/token/lookup-self', url)),
    firstStatus: 403,
  },
  jose: { options: { ...base, scriptPath: join(here, 'jose-worker.mjs'), modulesRoot: join(here, '..'), modulesRules: rules, bindings }, login: true, first: (url) => fetch(new URL('/floor', url)), firstStatus: 200 },
  'gate wasm only': { options: { ...base, scriptPath: join(here, 'wasm-only-worker.mjs'), modulesRoot: root, modulesRules: rules }, login: false },
  empty: { options: { ...base, script: 'export default { fetch() { return Response.json({}); } };' }, login: false },
  // The gate's Durable Object and KV bindings start services of their own in Miniflare.
  'empty, the gate\'s bindings': {
    options: {
      ...base,
      script: "import { DurableObject } from 'cloudflare:workers';\nexport class SessionStore extends DurableObject {}\nexport class PublishStore extends DurableObject {}\nexport default { fetch() { return Response.json({}); } };",
      kvNamespaces: ['KEYS_CACHE'],
      durableObjects: { SESSIONS: 'SessionStore', PUBLISHED: 'PublishStore' },
    },
    login: false,
  },
};
const names = Object.keys(workers);
const login = (i) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ role: 'bench', jwt: c.tokens[i % c.tokens.length].token }) });

async function sample(name) {
  const w = workers[name];
  const t0 = performance.now();
  const mf = new Miniflare(w.options);
  try {
    const url = await mf.ready;
    const t1 = performance.now();
    const check = async (what, r, status) => {
      const body = await r.text();
      if (r.status !== status) throw new Error(`${name}, ${what}: ${r.status} ${body}`);
    };
    const floor = () => fetch(new URL('/floor', url));
    await check('first request', await (w.first ?? floor)(url), w.firstStatus ?? 200);
    const t2 = performance.now();
    const ask = async (i) => check(`request ${i}`, w.login ? await fetch(new URL('/v1/auth/jwt/login', url), login(i)) : await floor(), 200);
    await ask(0);
    const t3 = performance.now();
    await ask(1);
    const t4 = performance.now();
    return { ready: t1 - t0, first: t2 - t1, login: t3 - t2, second: t4 - t3 };
  } finally {
    await mf.dispose();
  }
}

const wasm = readFileSync(join(root, 'worker', 'pkg', 'jwksgate_bg.wasm'));
console.log(`CPU: ${cpus()[0]?.model} (${cpus().length} cores); load average before: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log(`the gate's wasm: ${wasm.length} bytes, ${gzipSync(wasm, { level: 9 }).length} gzipped; ${SAMPLES} samples, a fresh Miniflare (workerd) per worker and sample, order rotating`);
const times = Object.fromEntries(names.map((n) => [n, { ready: [], first: [], login: [], second: [] }]));
await sample('empty'); // warm the disk cache and Miniflare's own first start
for (let i = 0; i < SAMPLES; i++) {
  for (let j = 0; j < names.length; j++) {
    const name = names[(i + j) % names.length];
    const t = await sample(name);
    for (const k of Object.keys(t)) times[name][k].push(t[k]);
  }
}
const cell = (xs) => `${median(xs).toFixed(1)} (${quantile(xs, 0.25).toFixed(1)} to ${quantile(xs, 0.75).toFixed(1)})`;
console.log('');
console.log('| ms, median (IQR) | ready (workerd up, script loaded) | first request, no verification | first login | second login | ready to first login answered |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const n of names) {
  const t = times[n];
  const what = workers[n].login ? n : `${n} (GET {} each time)`;
  console.log(`| ${what} | ${cell(t.ready)} | ${cell(t.first)} | ${cell(t.login)} | ${cell(t.second)} | ${cell(t.ready.map((r, k) => r + t.first[k] + t.login[k]))} |`);
}
const m = (n, k) => median(times[n][k]);
console.log('');
console.log(`loading the gate's wasm (ready, gate wasm only - empty): ${(m('gate wasm only', 'ready') - m('empty', 'ready')).toFixed(1)} ms`);
console.log(`the gate's bindings (ready, empty with them - empty): ${(m("empty, the gate's bindings", 'ready') - m('empty', 'ready')).toFixed(1)} ms`);
console.log(`ready, the gate - jose: ${(m('the gate', 'ready') - m('jose', 'ready')).toFixed(1)} ms; first request, the gate (configured) - jose (/floor): ${(m('the gate', 'first') - m('jose', 'first')).toFixed(1)} ms; first login, the gate - jose: ${(m('the gate', 'login') - m('jose', 'login')).toFixed(1)} ms`);
console.log(`first login less the second: the gate ${(m('the gate', 'login') - m('the gate', 'second')).toFixed(1)} ms, jose ${(m('jose', 'login') - m('jose', 'second')).toFixed(1)} ms`);
console.log(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
