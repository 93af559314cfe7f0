// `wrangler dev` itself (not Miniflare's API): AUTH_CONFIG given as `--var AUTH_CONFIG:"$(cat
// auth.yaml)"` works, and the SessionStore Durable Object declared in wrangler.toml keeps its
// state across a restart of wrangler dev (--persist-to): a use-limited session's count goes on,
// a revoked session stays revoked.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Issuer } from '../dev/issuer.mjs';
import { wranglerBin, wranglerEnv, workerDir } from '../dev/wrangler-env.mjs';
import { SECRET, sleep } from './helpers.mjs';

let issuer;
let persist;
let wrangler = null;
let stderr = '';

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const authYaml = () => `auth:
  - type: jwt
    path: k8s-prod
    config:
      oidc_discovery_url: ${issuer.url}
    roles:
      - name: counted
        bound_audiences: vault
        user_claim: sub
        num_uses: 4
`;

/** wrangler dev on a free loopback port; resolves with its base URL once it answers. */
async function startWrangler() {
  const port = await freePort();
  const args = ['dev', '--ip', '127.0.0.1', '--port', String(port), '--show-interactive-dev-session=false', '--log-level', 'warn', '--persist-to', persist,
    '--var', `AUTH_CONFIG:${authYaml()}`, '--var', `SESSION_SECRET:${SECRET}`];
  // Its own process group, so stopping it stops workerd too; stderr kept for a failure's message.
  wrangler = spawn(wranglerBin, args, { cwd: workerDir, env: wranglerEnv(), stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  wrangler.stderr.on('data', (c) => (stderr = (stderr + c).slice(-4000)));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 240; i++) {
    if (wrangler.exitCode !== null) throw new Error(`wrangler dev exited (${wrangler.exitCode}): ${stderr}`);
    try {
      if ((await fetch(`${base}/v1/auth/token/lookup-self`)).status === 403) return base;
    } catch {}
    await sleep(500);
  }
  throw new Error(`wrangler dev did not answer within 120 s: ${stderr}`);
}

async function stopWrangler() {
  if (!wrangler || wrangler.exitCode !== null) return;
  const exited = new Promise((resolve) => wrangler.once('exit', resolve));
  process.kill(-wrangler.pid, 'SIGTERM');
  await Promise.race([exited, sleep(10_000)]);
  if (wrangler.exitCode === null) process.kill(-wrangler.pid, 'SIGKILL');
  wrangler = null;
}

before(async () => {
  issuer = await new Issuer().start();
  persist = mkdtempSync(join(tmpdir(), 'jwksgate-wrangler-'));
});
after(async () => {
  await stopWrangler();
  await issuer?.stop();
  rmSync(persist, { recursive: true, force: true });
});

test('wrangler dev: AUTH_CONFIG as a --var, and the Durable Object across a restart', { timeout: 300_000 }, async () => {
  let base = await startWrangler();
  const post = (path, headers, body) => fetch(`${base}${path}`, { method: 'POST', headers, body }).then(async (r) => ({ status: r.status, body: r.status === 204 ? null : await r.json() }));
  const lookup = (token) => post('/v1/auth/token/lookup-self', { 'x-vault-token': token });
  const login = async () => {
    const r = await post('/v1/auth/k8s-prod/login', { 'content-type': 'application/json' }, JSON.stringify({ role: 'counted', jwt: issuer.mint({ audience: 'vault' }) }));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.auth.client_token;
  };
  const counted = await login();
  const revoked = await login();
  assert.deepEqual([(await lookup(counted)).body.data.num_uses, (await lookup(counted)).body.data.num_uses], [3, 2]);
  assert.equal((await post('/v1/auth/token/revoke-self', { 'x-vault-token': revoked })).status, 204);
  await stopWrangler();
  base = await startWrangler();
  const l = await lookup(counted);
  assert.deepEqual([l.status, l.body.data.num_uses, l.body.data.path], [200, 1, 'auth/k8s-prod/login']);
  assert.equal((await lookup(revoked)).status, 403);
  assert.equal((await lookup(counted)).body.data.num_uses, -1, 'the fourth and last use');
  assert.equal((await lookup(counted)).status, 403);
});
