// The gate's throughput under `wrangler dev` against a stateless jose-based gate
// (bench/workerd/jose-worker.mjs): each runs in its own `wrangler dev` (local mode, workerd, on
// 127.0.0.1, ports chosen free) with the same JWKS, role and a loopback origin, and this process
// drives 16 concurrent keep-alive connections at one of them for a bounded time per round:
// (a) logins (POST /v1/auth/jwt/login, Vault's shape), (b) proxied requests (GET with the
// session from a login in X-Vault-Token, forwarded to the origin), and (c) the gate's Kubernetes
// method's login (local_verification with the key as pem_keys, no TokenReview; a third `wrangler
// dev`) against the jose gate's JWT login with the same tokens. Rounds alternate gate and jose,
// order swapped every round; req/s per side, the ratios, the CPU model and the load are printed.
// On a shared machine the rates move with the load; the ratio that means something is each
// round's (gate and jose measured back to back), so the median of those is printed with the range,
// and the CPU time each `wrangler dev`'s processes spend per request (from /proc; THROUGHPUT_DEBUG=1
// prints each process's). Needs `make gate-pkg` and npm ci in worker/ and bench/. No verdict; figures in RESULTS.md.
//   THROUGHPUT_CASE=RS256-2048 THROUGHPUT_ROUNDS=15 THROUGHPUT_WARMUP=2 THROUGHPUT_SECONDS=2 \
//   THROUGHPUT_CONNECTIONS=16 THROUGHPUT_KINDS=login,proxied,kubernetes node bench/throughput.mjs
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, createServer, request as httpRequest } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { wranglerBin, wranglerEnv, workerDir } from '../worker/dev/wrangler-env.mjs';
import { SECRET, freePort, sleep } from '../worker/test/helpers.mjs';
import { makeCase, median, quantile } from './fixtures.mjs';
import { cpuSeconds } from './proc.mjs';

const CASE = process.env.THROUGHPUT_CASE ?? 'RS256-2048';
const ROUNDS = Number(process.env.THROUGHPUT_ROUNDS ?? 15);
const WARMUP = Number(process.env.THROUGHPUT_WARMUP ?? 2);
const SECONDS = Number(process.env.THROUGHPUT_SECONDS ?? 2);
const CONNECTIONS = Number(process.env.THROUGHPUT_CONNECTIONS ?? 16);
const KINDS = (process.env.THROUGHPUT_KINDS ?? 'login,proxied,kubernetes').split(',');
const ISSUER = 'https://bench.issuer.test';
const AUDIENCE = 'https://gate.example';
const here = fileURLToPath(new URL('.', import.meta.url));
const version = (pkg) => JSON.parse(readFileSync(join(workerDir, 'node_modules', pkg, 'package.json'), 'utf8')).version;

const c = makeCase(CASE, { now: Math.floor(Date.now() / 1000), issuer: ISSUER, audience: AUDIENCE });
const ROLES = JSON.stringify({ bench: { role_type: 'jwt', user_claim: 'sub', bound_audiences: [AUDIENCE], token_policies: ['read'] } });
const shared = { JWKS: c.jwksText, ROLES, JWT_SUPPORTED_ALGS: c.alg, BOUND_ISSUER: ISSUER, SESSION_SECRET: SECRET };
// Vault's Kubernetes method, verified locally (no TokenReview): the gate's departure, which is
// what a login there costs when no API server is asked. kubernetes_host is never contacted.
const kubernetesConfig = JSON.stringify({
  auth: [{
    type: 'kubernetes',
    config: { kubernetes_host: 'https://127.0.0.1:9', disable_local_ca_jwt: true, local_verification: true, pem_keys: [c.publicKey.export({ type: 'spki', format: 'pem' })] },
    roles: [{ name: 'bench', bound_service_account_names: ['web'], bound_service_account_namespaces: ['default'], audience: AUDIENCE, policies: ['read'] }],
  }],
});

/** The proxied requests' origin: a small JSON answer, on loopback. */
async function startOrigin() {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
  });
  await new Promise((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, stop: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }) };
}

/** One `wrangler dev` on free loopback ports, in its own process group; resolves once `ready` says it answers. */
async function startWrangler(name, { cwd, vars, ready }) {
  const [port, inspector] = [await freePort(), await freePort()];
  const persist = mkdtempSync(join(tmpdir(), 'jwksgate-throughput-'));
  const args = ['dev', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspector), '--show-interactive-dev-session=false',
    '--log-level', 'warn', '--persist-to', persist, ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`])];
  const child = spawn(wranglerBin, args, { cwd, env: wranglerEnv(), stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(-child.pid, 'SIGTERM');
      await Promise.race([exited, sleep(10_000)]);
      if (child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    }
    rmSync(persist, { recursive: true, force: true });
  };
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) break;
    try {
      if (await ready(base)) return { name, base, stop, cpu: (each) => groupCpu(child.pid, each), agent: new Agent({ keepAlive: true, maxSockets: CONNECTIONS }) };
    } catch {}
    await sleep(500);
  }
  await stop();
  throw new Error(`${name}: wrangler dev did not answer within 120 s: ${stderr}`);
}

/**
 * CPU seconds (user and system) used so far by a process group's living processes (a `wrangler
 * dev`: its node, its two workerd, esbuild), from /proc: what its requests cost whatever else
 * the machine runs, where req/s moves with the load.
 */
function groupCpu(pgid, each = null) {
  return cpuSeconds(({ pgrp }) => pgrp === pgid, each);
}

/** One HTTP/1.1 request on `agent`'s keep-alive connections; the answer's status and body. */
function send(agent, base, { method = 'GET', path, headers = {}, body }) {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ agent, host: hostname, port, method, path, headers: body == null ? headers : { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const loginRequest = (mount, i) => ({
  method: 'POST', path: `/v1/auth/${mount}/login`, headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ role: 'bench', jwt: c.tokens[i % c.tokens.length].token }),
});
const proxiedRequest = (session) => () => ({ path: '/api/items?page=1', headers: { 'x-vault-token': session, accept: 'application/json' } });

/** `CONNECTIONS` loops, each sending its next request when the last is answered, for `seconds`. */
async function drive(side, make, seconds) {
  const end = performance.now() + seconds * 1000;
  let done = 0;
  const failures = new Map();
  const loop = async (k) => {
    for (let i = k; performance.now() < end; i += CONNECTIONS) {
      const r = await send(side.agent, side.base, make(i)).catch((e) => ({ status: e.code ?? e.message, body: '' }));
      if (r.status === 200) done++;
      else failures.set(r.status, (failures.get(r.status) ?? 0) + 1);
    }
  };
  const before = {};
  const [start, cpu] = [performance.now(), side.cpu(before)];
  await Promise.all(Array.from({ length: CONNECTIONS }, (_, k) => loop(k)));
  if (process.env.THROUGHPUT_DEBUG) {
    const after = {};
    side.cpu(after);
    console.log(side.name, Object.entries(after).map(([k, v]) => `${k}: ${(((v - (before[k] ?? 0)) * 1e6) / done).toFixed(0)} µs`).join(', '));
  }
  return { rate: done / ((performance.now() - start) / 1000), cpuPer: ((side.cpu() - cpu) * 1e6) / done, failures };
}

async function check(what, r, status, test = () => true) {
  const answer = await r;
  if (![status].flat().includes(answer.status) || !test(answer.body)) throw new Error(`${what}: expected ${status}, got ${answer.status} ${answer.body.slice(0, 300)}`);
  return answer.body;
}

const cpuModel = cpus()[0]?.model ?? 'unknown';
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const startLoad = load();
const origin = await startOrigin();
const sides = [];
try {
  const gate = await startWrangler('the gate', { cwd: workerDir, vars: { ...shared, ORIGIN: origin.url }, ready: async (b) => (await fetch(`${b}/v1/auth/token/lookup-self`)).status === 403 });
  sides.push(gate);
  const jose = await startWrangler('jose gate', { cwd: join(here, 'workerd'), vars: { ...shared, ORIGIN: origin.url }, ready: async (b) => (await fetch(`${b}/floor`)).ok });
  sides.push(jose);
  const kubernetes = KINDS.includes('kubernetes')
    ? await startWrangler('the gate, Kubernetes method', { cwd: workerDir, vars: { AUTH_CONFIG: kubernetesConfig, SESSION_SECRET: SECRET }, ready: async (b) => (await fetch(`${b}/v1/auth/token/lookup-self`)).status === 403 })
    : null;
  if (kubernetes) sides.push(kubernetes);

  // Both must log in, refuse a tampered token, proxy with a session and refuse without one.
  const tampered = c.tokens[0].token.slice(0, -4) + (c.tokens[0].token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
  const sessions = new Map();
  for (const [side, mount] of [[gate, 'jwt'], [jose, 'jwt'], ...(kubernetes ? [[kubernetes, 'kubernetes']] : [])]) {
    const body = await check(`${side.name} login`, send(side.agent, side.base, loginRequest(mount, 0)), 200, (b) => typeof JSON.parse(b).auth?.client_token === 'string');
    sessions.set(side, JSON.parse(body).auth.client_token);
    await check(`${side.name} tampered login`, send(side.agent, side.base, { ...loginRequest(mount, 0), body: JSON.stringify({ role: 'bench', jwt: tampered }) }), [400, 403]);
  }
  for (const side of [gate, jose]) {
    await check(`${side.name} proxied`, send(side.agent, side.base, proxiedRequest(sessions.get(side))()), 200, (b) => b === '{"ok":true}');
    await check(`${side.name} proxied without a session`, send(side.agent, side.base, { path: '/api/items' }), 401);
  }

  const kinds = {
    login: { title: 'login (POST /v1/auth/jwt/login)', pair: [[gate, (i) => loginRequest('jwt', i)], [jose, (i) => loginRequest('jwt', i)]] },
    proxied: { title: 'proxied GET with a session', pair: [[gate, proxiedRequest(sessions.get(gate))], [jose, proxiedRequest(sessions.get(jose))]] },
    kubernetes: { title: 'Kubernetes login (local_verification) vs jose JWT login', pair: [[kubernetes, (i) => loginRequest('kubernetes', i)], [jose, (i) => loginRequest('jwt', i)]] },
  };
  const results = new Map(KINDS.map((k) => [k, { gate: [], jose: [], ratios: [], cpu: { gate: [], jose: [] }, failures: new Map() }]));
  console.log(`CPU: ${cpuModel} (${cpus().length} cores); load average before: ${startLoad}`);
  console.log(`wrangler ${version('wrangler')}, workerd ${version('workerd')}, node ${process.version} client; ${CASE}; ${CONNECTIONS} keep-alive connections; ${WARMUP} warm-up + ${ROUNDS} rounds of ${SECONDS} s per side and kind`);
  for (let round = 0; round < WARMUP + ROUNDS; round++) {
    for (const kind of KINDS) {
      const { pair } = kinds[kind];
      const order = round % 2 ? [pair[1], pair[0]] : pair;
      const [rates, cpu] = [{}, {}];
      for (const [side, make] of order) {
        const { rate, cpuPer, failures } = await drive(side, make, SECONDS);
        rates[side === jose ? 'jose' : 'gate'] = rate;
        cpu[side === jose ? 'jose' : 'gate'] = cpuPer;
        for (const [k, v] of failures) results.get(kind).failures.set(k, (results.get(kind).failures.get(k) ?? 0) + v);
      }
      const warm = round < WARMUP ? ' (warm-up)' : '';
      console.log(`round ${round} ${kind}: gate ${rates.gate.toFixed(0)} req/s, jose ${rates.jose.toFixed(0)} req/s, gate/jose ${(rates.gate / rates.jose).toFixed(2)}; CPU µs per request gate ${cpu.gate.toFixed(0)}, jose ${cpu.jose.toFixed(0)}${warm}; load ${load()}`);
      if (round >= WARMUP) {
        const r = results.get(kind);
        r.gate.push(rates.gate);
        r.jose.push(rates.jose);
        r.ratios.push(rates.gate / rates.jose);
        r.cpu.gate.push(cpu.gate);
        r.cpu.jose.push(cpu.jose);
      }
    }
  }
  const spread = (xs) => `${quantile(xs, 0.25).toFixed(0)} to ${quantile(xs, 0.75).toFixed(0)}`;
  console.log('');
  console.log(`| ${CASE}, ${CONNECTIONS} connections | the gate req/s (IQR) | jose gate req/s (IQR) | gate/jose, median of rounds (IQR; range) |`);
  console.log('| --- | ---: | ---: | ---: |');
  const cpuLines = [];
  for (const kind of KINDS) {
    const r = results.get(kind);
    console.log(`| ${kinds[kind].title} | ${median(r.gate).toFixed(0)} (${spread(r.gate)}) | ${median(r.jose).toFixed(0)} (${spread(r.jose)}) | ${median(r.ratios).toFixed(2)} (${quantile(r.ratios, 0.25).toFixed(2)} to ${quantile(r.ratios, 0.75).toFixed(2)}; ${Math.min(...r.ratios).toFixed(2)} to ${Math.max(...r.ratios).toFixed(2)}) |`);
    cpuLines.push(`| ${kinds[kind].title} | ${median(r.cpu.gate).toFixed(0)} | ${median(r.cpu.jose).toFixed(0)} | ${(median(r.cpu.gate) / median(r.cpu.jose)).toFixed(2)} |`);
    if (r.failures.size) console.log(`  answers other than 200 in ${kind}: ${JSON.stringify(Object.fromEntries(r.failures))}`);
  }
  console.log('');
  console.log('CPU time per request of each `wrangler dev` (its node, both workerd and esbuild, from /proc), median of rounds:');
  console.log('');
  console.log('| what | the gate µs | jose gate µs | gate/jose |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const line of cpuLines) console.log(line);
  console.log(`load average after: ${load()}`);
} finally {
  for (const side of sides) {
    side.agent.destroy();
    await side.stop();
  }
  await origin.stop();
}
