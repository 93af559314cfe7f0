// An in-cluster client of the gate, to copy: it reads the pod's projected ServiceAccount token
// (the file the kubelet keeps fresh), logs in with a Vault client library (node-vault, from npm),
// uses the session, and logs in again when the kubelet rotates the file or the session ends.
// The pod spec is the seed's (tests/vectors/bank-vaults/oidc-pod.yaml): a projected token with
// audience `vault` at /var/run/secrets/tokens/oidc-token, KUBERNETES_SERVICE_ACCOUNT_TOKEN
// naming it and VAULT_PATH the mount.
//
//   npm install node-vault
//   VAULT_ADDR=https://gate.example.com VAULT_PATH=k8s-prod VAULT_ROLE=cart \
//   VAULT_SECRET_PATH=secret/data/cart node in-cluster-client.mjs
//
// Settings (environment): VAULT_ADDR (the gate), VAULT_PATH (the mount; default jwt), VAULT_ROLE
// (default: the mount's default_role), KUBERNETES_SERVICE_ACCOUNT_TOKEN (the token file),
// VAULT_SECRET_PATH (what to read through the gate), INTERVAL_MS (between reads; default 10000),
// ITERATIONS (stop after this many reads; default: never). One JSON line per event on stdout.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const nodeVault = require('node-vault');

const env = process.env;
const tokenFile = env.KUBERNETES_SERVICE_ACCOUNT_TOKEN || '/var/run/secrets/tokens/oidc-token';
const mount = env.VAULT_PATH || 'jwt';
const role = env.VAULT_ROLE || '';
const secretPath = env.VAULT_SECRET_PATH || 'secret/data/app';
const interval = Number(env.INTERVAL_MS || 10_000);
const iterations = env.ITERATIONS ? Number(env.ITERATIONS) : Infinity;

const vault = nodeVault({ apiVersion: 'v1', endpoint: env.VAULT_ADDR || 'http://127.0.0.1:8787' });
const log = (event) => console.log(JSON.stringify({ at: new Date().toISOString(), ...event }));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// The token the current session was made from. The kubelet replaces the file (an atomic swap
// of its ..data link) well before the token expires; it is small, so it is read every round.
let loggedInWith = null;
let expiresAt = 0;

async function login(jwt) {
  const r = await vault.jwtLogin({ mount_point: mount, role, jwt });
  loggedInWith = jwt;
  expiresAt = Date.now() + r.auth.lease_duration * 1000;
  log({ event: 'login', mount, accessor: r.auth.accessor, lease_duration: r.auth.lease_duration, jwt_iat: JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url')).iat });
}

for (let i = 0; i < iterations; i++) {
  const jwt = readFileSync(tokenFile, 'utf8').trim();
  try {
    // A new token file, or a session about to end: log in again.
    if (jwt !== loggedInWith || Date.now() > expiresAt - interval) await login(jwt);
    const secret = await vault.read(secretPath);
    log({ event: 'read', path: secretPath, ok: true, data: secret?.path ?? null });
  } catch (e) {
    const status = e.response?.statusCode;
    log({ event: 'error', status, message: e.message });
    // A refused session (revoked, used up, expired): the next round logs in afresh.
    if (status === 401 || status === 403) loggedInWith = null;
  }
  if (i + 1 < iterations) await sleep(interval);
}
