// Where the gate's requests spend their time inside workerd: the gate under Miniflare with
// workerd's inspector on a free loopback port, V8's sampling profiler over the DevTools protocol
// while 16 connections send logins or proxied requests (as bench/throughput.mjs does), then the
// self time per function (wasm functions by Rust name when the build keeps names) and the share
// of JS, wasm and the runtime. Needs `make gate-pkg`; for Rust names, a gate build without
// wasm-opt (its names kept), e.g.
//   CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-C target-feature=+simd128" wasm-pack build --release --no-opt \
//     --no-pack --target web --out-dir target/gate-names --out-name jwksgate -- --features gate && node scripts/assemble-pkg.mjs --glue target/gate-names
//   PROFILE_PKG=target/gate-names PROFILE_KIND=login|proxied PROFILE_N=3000 PROFILE_CASE=RS256-2048 node bench/throughput-profile.mjs
// (PROFILE_PKG: the gate's worker/src run over that build, copied to a temporary folder;
// PROFILE_SRC: another worker/src over worker/pkg, to compare two versions of the host.)
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { Agent, createServer, request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SECRET, freePort, fromSource } from '../worker/test/helpers.mjs';
import { makeCase } from './fixtures.mjs';
import { cpuSeconds } from './proc.mjs';

const KIND = process.env.PROFILE_KIND ?? 'login';
const N = Number(process.env.PROFILE_N ?? 3000);
const CONNECTIONS = 16;
const ISSUER = 'https://bench.issuer.test';
const AUDIENCE = 'https://gate.example';
const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const workerRequire = createRequire(join(root, 'worker', 'package.json'));
const { Miniflare } = await import(workerRequire.resolve('miniflare'));
const WebSocket = workerRequire('ws');

const c = makeCase(process.env.PROFILE_CASE ?? 'RS256-2048', { now: Math.floor(Date.now() / 1000), issuer: ISSUER, audience: AUDIENCE });
const origin = createServer((req, res) => req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')));
await new Promise((resolve) => origin.listen(0, '127.0.0.1', resolve));
const inspectorPort = await freePort();
// Another build of the gate's wasm: worker/src beside it in a temporary tree, as ../pkg.
let tree = root;
if (process.env.PROFILE_PKG || process.env.PROFILE_SRC) {
  tree = mkdtempSync(join(tmpdir(), 'jwksgate-profile-'));
  cpSync(process.env.PROFILE_SRC ?? join(root, 'worker', 'src'), join(tree, 'worker', 'src'), { recursive: true });
  cpSync(process.env.PROFILE_PKG ?? join(root, 'worker', 'pkg'), join(tree, 'worker', 'pkg'), { recursive: true });
}
const mf = new Miniflare({
  workers: [{
    name: 'gate',
    ...fromSource('worker/src/index.mjs', tree),
    kvNamespaces: ['KEYS_CACHE'],
    durableObjects: { SESSIONS: 'SessionStore', PUBLISHED: 'PublishStore' },
    bindings: {
      SESSION_SECRET: SECRET, JWKS: c.jwksText, JWT_SUPPORTED_ALGS: c.alg, BOUND_ISSUER: ISSUER, ORIGIN: `http://127.0.0.1:${origin.address().port}`,
      ROLES: JSON.stringify({ bench: { role_type: 'jwt', user_claim: 'sub', bound_audiences: [AUDIENCE], token_policies: ['read'] } }),
    },
  }],
  cf: false,
  host: '127.0.0.1',
  port: 0,
  inspectorPort,
});
const base = new URL(await mf.ready);
const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });

function send({ method = 'GET', path, headers = {}, body }) {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ agent, host: base.hostname, port: base.port, method, path, headers: body == null ? headers : { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk)).on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject).end(body);
  });
}
const login = (i) => ({ method: 'POST', path: '/v1/auth/jwt/login', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ role: 'bench', jwt: c.tokens[i % c.tokens.length].token }) });
const first = await send(login(0));
if (first.status !== 200) throw new Error(`login refused: ${first.body}`);
const session = JSON.parse(first.body).auth.client_token;
const make = KIND === 'proxied' ? () => ({ path: '/api/items?page=1', headers: { 'x-vault-token': session } }) : login;

/** CPU seconds used so far by this process's workerd children (Miniflare's), from /proc. */
function workerdCpu() {
  return cpuSeconds(({ ppid, command }) => ppid === process.pid && command === 'workerd');
}

async function drive(n) {
  let next = 0;
  const loop = async () => {
    while (next < n) {
      const r = await send(make(next++));
      if (r.status !== 200) throw new Error(`${KIND}: ${r.status} ${r.body}`);
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, loop));
}

// The DevTools protocol on the gate's own isolate (workerd lists one target per worker).
const targets = await (await fetch(`http://127.0.0.1:${inspectorPort}/json/list`)).json();
const target = targets.find((t) => t.id?.includes('gate') || t.title?.includes('gate')) ?? targets[0];
const ws = new WebSocket(target.webSocketDebuggerUrl);
await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
let id = 0;
const pending = new Map();
ws.on('message', (m) => {
  const msg = JSON.parse(m);
  if (msg.id && pending.has(msg.id)) {
    pending.get(msg.id)(msg);
    pending.delete(msg.id);
  }
});
const post = (method, params = {}) => new Promise((resolve) => {
  pending.set(++id, resolve);
  ws.send(JSON.stringify({ id, method, params }));
});

try {
  await drive(300); // warm-up: keys imported, code tiered up
  // workerd's CPU per request without the profiler (PROFILE_CPU_N requests), then the profile.
  const cpuN = Number(process.env.PROFILE_CPU_N ?? 2000);
  const cpu0 = workerdCpu();
  await drive(cpuN);
  console.log(`${KIND}: workerd's CPU per request, profiler off: ${(((workerdCpu() - cpu0) * 1e6) / cpuN).toFixed(0)} µs (${cpuN} requests)`);
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 100 });
  await post('Profiler.start');
  const t0 = performance.now();
  await drive(N);
  const seconds = (performance.now() - t0) / 1000;
  const { result } = await post('Profiler.stop');
  const profile = result.profile;
  // Shares by kind of frame: wasm (functions of the gate's module), JS, the runtime's own.
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const share = { wasm: 0, js: 0, 'idle, program, GC': 0 };
  for (const s of profile.samples) {
    const f = byId.get(s).callFrame;
    if (['(idle)', '(program)', '(garbage collector)'].includes(f.functionName)) share['idle, program, GC']++;
    else if (f.url.startsWith('wasm://') || /^wasm-function|^\$/.test(f.functionName)) share.wasm++;
    else share.js++;
  }
  const total = profile.samples.length;
  console.log(`${KIND}: ${N} requests on ${CONNECTIONS} connections in ${seconds.toFixed(1)} s (${(N / seconds).toFixed(0)} req/s under the profiler); samples: ${Object.entries(share).map(([k, v]) => `${k} ${((100 * v) / total).toFixed(1)}%`).join(', ')}`);
  // Self time per function, named with its place when it has no name (a closure).
  const self = new Map();
  for (const s of profile.samples) {
    const f = byId.get(s).callFrame;
    if (f.functionName === '(idle)' || f.functionName === '(program)') continue;
    const name = (f.functionName.replace(/::h[0-9a-f]{16}$/, '') || `(anonymous) ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`).slice(0, 120);
    self.set(name, (self.get(name) ?? 0) + 1);
  }
  const busy = [...self.values()].reduce((a, b) => a + b, 0);
  console.log(`self time in the gate's isolate, idle and (program) left out (${busy} samples of 100 µs):`);
  for (const [name, n] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.PROFILE_TOP ?? 40))) console.log(`${((100 * n) / busy).toFixed(1).padStart(5)}%  ${name}`);
  if (process.env.PROFILE_TOTAL) {
    // Total (inclusive) time: each sample counted once for every function on its stack.
    const parent = new Map();
    for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
    const total = new Map();
    for (const s of profile.samples) {
      const seen = new Set();
      for (let id = s; id != null; id = parent.get(id)) {
        const f = byId.get(id).callFrame;
        if (['(idle)', '(program)', '(root)'].includes(f.functionName)) break;
        seen.add((f.functionName.replace(/::h[0-9a-f]{16}$/, '') || `(anonymous) ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`).slice(0, 120));
      }
      for (const name of seen) total.set(name, (total.get(name) ?? 0) + 1);
    }
    console.log('total (inclusive) time, same samples:');
    for (const [name, n] of [...total].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.PROFILE_TOTAL))) console.log(`${((100 * n) / busy).toFixed(1).padStart(5)}%  ${name}`);
  }
} finally {
  ws.close();
  agent.destroy();
  await mf.dispose();
  origin.closeAllConnections();
  origin.close();
  if (tree !== root) rmSync(tree, { recursive: true, force: true });
}
