// The example in-cluster client (worker/examples/in-cluster-client.mjs, node-vault) against the
// gate in workerd and the stand-in issuer, its projected token file laid out as the kubelet lays
// it (a ..data link to a timestamped folder) and rotated mid-run: the client logs in again with
// the new token and every read through the gate succeeds.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Issuer } from '../dev/issuer.mjs';
import { startOrigin } from '../dev/origin.mjs';
import { root, sleep, startGate } from './helpers.mjs';

let issuer;
let origin;
let gate;
let dir;

before(async () => {
  issuer = await new Issuer().start();
  origin = await startOrigin();
  // The seed's mount: Bank-Vaults' jwt entry, role default, audience vault (cr-oidc.yaml).
  const AUTH_CONFIG = `auth:
  - type: jwt
    config: {oidc_discovery_url: ${issuer.url}, default_role: default}
    roles:
      - {name: default, role_type: jwt, bound_audiences: vault, bound_subject: "system:serviceaccount:default:default", user_claim: sub, policies: allow_secrets, ttl: 1h}
`;
  gate = await startGate({ AUTH_CONFIG, ORIGIN: origin.url });
  dir = mkdtempSync(join(tmpdir(), 'jwksgate-tokens-'));
});
after(async () => {
  await gate?.dispose();
  await origin?.stop();
  await issuer?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Writes a token as the kubelet does: a new folder, then ..data swapped to it in one rename. */
function project(n, token) {
  const folder = `..2026_token_${n}`;
  mkdirSync(join(dir, folder));
  writeFileSync(join(dir, folder, 'oidc-token'), token);
  symlinkSync(folder, join(dir, `..data_tmp${n}`));
  renameSync(join(dir, `..data_tmp${n}`), join(dir, '..data'));
}

test('the example client logs in, reads, and logs in again when its token file is rotated', { timeout: 60_000 }, async () => {
  const mint = (now) => issuer.mint({ namespace: 'default', serviceAccount: 'default', audience: 'vault', now });
  const first = mint(Math.floor(Date.now() / 1000) - 60);
  project(1, first);
  symlinkSync('..data/oidc-token', join(dir, 'oidc-token'));
  const child = spawn(process.execPath, [join(root, 'worker', 'examples', 'in-cluster-client.mjs')], {
    env: { ...process.env, VAULT_ADDR: gate.url, VAULT_PATH: 'jwt', KUBERNETES_SERVICE_ACCOUNT_TOKEN: join(dir, 'oidc-token'), VAULT_SECRET_PATH: 'secret/data/app', INTERVAL_MS: '150', ITERATIONS: '16' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events = [];
  let buffered = '';
  let err = '';
  child.stdout.on('data', (c) => {
    buffered += c;
    const lines = buffered.split('\n');
    buffered = lines.pop();
    for (const l of lines) if (l) events.push(JSON.parse(l));
  });
  child.stderr.on('data', (c) => (err += c));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  // Rotate once the client has read three times with its first session.
  for (let i = 0; i < 200 && events.filter((e) => e.event === 'read').length < 3; i++) await sleep(50);
  project(2, mint(Math.floor(Date.now() / 1000)));
  assert.equal(await exited, 0, err);
  const logins = events.filter((e) => e.event === 'login');
  const reads = events.filter((e) => e.event === 'read');
  assert.deepEqual(events.filter((e) => e.event === 'error'), []);
  assert.equal(logins.length, 2, JSON.stringify(events));
  assert.ok(logins[1].jwt_iat > logins[0].jwt_iat, 'the second login used the rotated token');
  assert.notEqual(logins[0].accessor, logins[1].accessor, 'a new session');
  assert.equal(reads.length, 16);
  assert.ok(reads.every((r) => r.data === '/v1/secret/data/app'), 'each read reached the origin through the gate');
  // The origin saw the caller as the gate names it, never the token.
  assert.ok(origin.seen.every((r) => r.headers['x-auth-request-user'] === 'jwt/system:serviceaccount:default:default' && !r.headers['x-vault-token']));
});
