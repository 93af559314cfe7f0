// The issue-28 apps: each row a small app of its own folder here (committed package.json and
// package-lock.json, pinned versions, `npm ci` from the registry), with the packed jwksgate
// tarball installed beside jose as a user installs it, built by its framework with no
// configuration for jwksgate, then run: its handler (shared/check.mjs) verifies tokens with
// both libraries and each outcome must be the expected one, the same for both.
//   scripts/test-apps.sh (make test-apps); JWKSGATE_APPS="next jest" for some only
// Keys are made here at each run (node:crypto) and written into <app>/generated/ with the
// handler, so the key set is embedded in each build. Servers listen on 127.0.0.1: on port 0
// where the server reports the port it got, otherwise on one found free just before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { generateKeyPairSync, sign, randomUUID } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const tarball = process.env.JWKSGATE_TARBALL;
if (!tarball || !existsSync(tarball)) throw new Error('JWKSGATE_TARBALL must name the packed jwksgate tarball');
const only = (process.env.JWKSGATE_APPS ?? '').split(/\s+/).filter(Boolean);
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', CI: '1', NO_COLOR: '1', FORCE_COLOR: '0', WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_HIDE_BANNER: 'true' };
const execFileP = promisify(execFile);

/** Runs a command to completion; its output is printed when it fails. */
async function sh(cwd, cmd, ...args) {
  try {
    return (await execFileP(cmd, args, { cwd, env, maxBuffer: 64 << 20, timeout: 20 * 60_000 })).stdout;
  } catch (e) {
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) failed:\n${e.stdout}\n${e.stderr}`);
  }
}

// The keys and tokens: an RSA and a P-256 key, tokens that must verify, and tokens each library
// must refuse with the same code.
const ISSUER = 'https://issuer.example';
const AUDIENCE = 'apps';
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const jwks = {
  keys: [
    { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'rs', alg: 'RS256', use: 'sig' },
    { ...ec.publicKey.export({ format: 'jwk' }), kid: 'es', alg: 'ES256', use: 'sig' },
  ],
};
const b64 = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
function jwt(kid, claims) {
  const alg = kid === 'rs' ? 'RS256' : 'ES256';
  const input = `${b64({ alg, kid, typ: 'JWT' })}.${b64(claims)}`;
  const signature = kid === 'rs'
    ? sign('sha256', Buffer.from(input), rsa.privateKey)
    : sign('sha256', Buffer.from(input), { key: ec.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}
const now = Math.floor(Date.now() / 1000);
const claims = (over = {}) => ({ iss: ISSUER, aud: AUDIENCE, sub: 'user-1', iat: now, exp: now + 3600, jti: randomUUID(), ...over });
const rs = jwt('rs', claims());
const CASES = [
  { name: 'RS256', token: rs, expect: 'user-1' },
  { name: 'ES256', token: jwt('es', claims({ sub: 'user-2' })), expect: 'user-2' },
  { name: 'another audience', token: jwt('rs', claims({ aud: 'elsewhere' })), expect: 'ERR_JWT_CLAIM_VALIDATION_FAILED' },
  { name: 'expired', token: jwt('es', claims({ iat: now - 7200, exp: now - 3600 })), expect: 'ERR_JWT_EXPIRED' },
  { name: 'signature tampered', token: `${rs.slice(0, -6)}${rs.slice(-6, -5) === 'A' ? 'B' : 'A'}${rs.slice(-5)}`, expect: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' },
];

/** The app folder made ready: its pinned dependencies, the tarball beside them, the handler and keys. */
async function prepare(app, into = app) {
  const dir = join(here, app);
  await sh(dir, 'npm', 'ci', '--no-audit', '--no-fund', '--loglevel=error');
  await sh(dir, 'npm', 'install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--loglevel=error', tarball);
  const generated = join(here, into, 'generated');
  rmSync(generated, { recursive: true, force: true });
  mkdirSync(generated, { recursive: true });
  writeFileSync(join(generated, 'keys.mjs'), `export default ${JSON.stringify({ issuer: ISSUER, audience: AUDIENCE, jwks })};\n`);
  writeFileSync(join(generated, 'keys.json'), JSON.stringify({ issuer: ISSUER, audience: AUDIENCE, jwks }));
  writeFileSync(join(generated, 'cases.json'), JSON.stringify(CASES));
  cpSync(join(here, 'shared', 'check.mjs'), join(generated, 'check.mjs'));
  return dir;
}

/**
 * Starts a server, waits for the line that says its port (bounded), returns its base URL and a
 * stop function; the process group is ended at the stop.
 */
async function start(cwd, cmd, args, portLine, extraEnv = {}) {
  const child = spawn(cmd, args, { cwd, env: { ...env, ...extraEnv }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no port within 60 s:\n${output}`)), 60_000);
    const read = (chunk) => {
      output += chunk;
      const m = portLine.exec(output);
      if (m) { clearTimeout(timer); resolve(`http://127.0.0.1:${m[1]}`); }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`${cmd} exited (${code}):\n${output}`)); });
  });
  child.removeAllListeners('exit');
  const stop = async () => {
    if (child.exitCode === null) {
      const gone = new Promise((ok) => child.on('exit', ok));
      process.kill(-child.pid, 'SIGTERM');
      await gone;
    }
  };
  return { url, stop, output: () => output };
}

/** Every case through the app's endpoint: both libraries give the expected outcome. */
async function expectCases(url, label, server) {
  for (const c of CASES) {
    const res = await fetch(url, { headers: { authorization: `Bearer ${c.token}` } });
    const body = await res.text();
    assert.equal(res.status, 200, `${label} ${c.name}: HTTP ${res.status} ${body.slice(0, 2000)}\nserver: ${server?.output().slice(-4000)}`);
    assert.deepEqual(JSON.parse(body), { jwksgate: c.expect, jose: c.expect }, `${label} ${c.name}`);
  }
}

/** A copy of a build output in a fresh folder, away from node_modules: what is deployed. */
function deployed(t, from) {
  const dir = mkdtempSync(join(tmpdir(), 'jwksgate-app-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(from, dir, { recursive: true });
  return dir;
}

const app = (name, fn) => test(name, { skip: only.length > 0 && !only.includes(name.split(':')[0]) }, fn);
const elapsed = (t0) => `${((Date.now() - t0) / 1000).toFixed(0)} s`;

/** A port free on 127.0.0.1 now, for servers that print the port they were given, not the one they got. */
async function freePort() {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  await new Promise((ok) => server.close(ok));
  return String(port);
}

const bin = (dir, name) => join(dir, 'node_modules', '.bin', name);

app('next: middleware (edge), an edge route and a Node route, built by Turbopack and by webpack', async () => {
  const dir = await prepare('next');
  for (const bundler of ['turbopack', 'webpack']) {
    const t0 = Date.now();
    rmSync(join(dir, '.next'), { recursive: true, force: true });
    const log = await sh(dir, bin(dir, 'next'), 'build', ...(bundler === 'webpack' ? ['--webpack'] : []));
    assert.doesNotMatch(log, /DynamicWasmCodeGeneration|instantiateStreaming/, `${bundler}: the build warns about wasm`);
    const port = await freePort();
    const server = await start(dir, bin(dir, 'next'), ['start', '-H', '127.0.0.1', '-p', port], /Ready in/);
    try {
      for (const path of ['/mw', '/api/edge', '/api/node']) await expectCases(`http://127.0.0.1:${port}${path}`, `${bundler} ${path}`, server);
      assert.doesNotMatch(server.output(), /DynamicWasmCodeGeneration|instantiateStreaming|⨯|Error:/, `${bundler}: the server logs`);
    } finally {
      await server.stop();
    }
    console.log(`next ${bundler}: built and checked in ${elapsed(t0)}`);
  }
});

app('jest: Jest 30, its default CommonJS runtime', async () => {
  const dir = await prepare('jest');
  await sh(dir, bin(dir, 'jest'), '--ci');
});

app('sveltekit: adapter-node, jwksgate bundled into build/ (a devDependency), run without node_modules', async (t) => {
  const dir = await prepare('sveltekit');
  await sh(dir, bin(dir, 'vite'), 'build');
  const out = deployed(t, join(dir, 'build'));
  writeFileSync(join(out, 'package.json'), '{ "type": "module" }\n');
  const port = await freePort();
  const server = await start(out, process.execPath, ['index.js'], /Listening on/, { PORT: port, HOST: '127.0.0.1' });
  try {
    await expectCases(`http://127.0.0.1:${port}/verify`, 'sveltekit', server);
  } finally {
    await server.stop();
  }
});

app('nitro: the node-server preset, .output/ run alone', async (t) => {
  const dir = await prepare('nitro');
  await sh(dir, bin(dir, 'nitropack'), 'build');
  const out = deployed(t, join(dir, '.output'));
  const port = await freePort();
  const server = await start(out, process.execPath, ['server/index.mjs'], /Listening on/, { NITRO_PORT: port, NITRO_HOST: '127.0.0.1' });
  try {
    await expectCases(`http://127.0.0.1:${port}/verify`, 'nitro', server);
  } finally {
    await server.stop();
  }
});

app('esbuild: a Node server bundled as an ES module and as CommonJS, each run alone', async (t) => {
  const dir = await prepare('esbuild');
  rmSync(join(dir, 'dist'), { recursive: true, force: true });
  await sh(dir, process.execPath, 'build.mjs');
  const out = deployed(t, join(dir, 'dist'));
  for (const file of ['server.mjs', 'server.cjs']) {
    const server = await start(out, process.execPath, [file], /listening on (\d+)/);
    try {
      await expectCases(`${server.url}/verify`, `esbuild ${file}`, server);
    } finally {
      await server.stop();
    }
  }
});

app('workers: @cloudflare/vitest-pool-workers in a monorepo, node_modules hoisted to its root', async () => {
  const dir = await prepare('workers', 'workers/worker');
  await sh(join(dir, 'worker'), bin(dir, 'vitest'), 'run');
});
