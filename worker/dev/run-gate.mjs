// `make run-gate`: the stand-in Kubernetes issuer (127.0.0.1:8790), a demo origin
// (127.0.0.1:8791) and the gate in workerd via `wrangler dev` (127.0.0.1:8787), then the
// Vault-style walkthrough to copy and paste. Ctrl-C stops all three.
import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Issuer } from './issuer.mjs';
import { startOrigin } from './origin.mjs';
import { wranglerBin, wranglerEnv, workerDir } from './wrangler-env.mjs';

const GATE = 'http://127.0.0.1:8787';
const AUDIENCE = 'jwksgate-demo';
const ROLES = {
  demo: {
    role_type: 'jwt',
    user_claim: 'sub',
    bound_audiences: [AUDIENCE],
    bound_claims: { '/kubernetes.io/namespace': 'shop' },
    claim_mappings: { '/kubernetes.io/namespace': 'namespace', '/kubernetes.io/serviceaccount/name': 'service_account' },
    token_policies: ['shop-read'],
    token_ttl: '1h',
  },
};

const issuer = await new Issuer().start(Number(process.env.ISSUER_PORT || 8790));
const origin = await startOrigin(Number(process.env.ORIGIN_PORT || 8791));
const vars = {
  OIDC_DISCOVERY_URL: issuer.url,
  ROLES: JSON.stringify(ROLES),
  DEFAULT_ROLE: 'demo',
  ORIGIN: origin.url,
  GATE_URL: GATE,
};
// A fresh secret per run (sessions from an earlier run stop verifying), handed over in
// .dev.vars (wrangler dev's secrets file, git-ignored) rather than on a command line.
const devVars = join(workerDir, '.dev.vars');
// The assertion's key likewise: a fresh P-256 key per run, as a private JWK on one line.
const assertionKey = JSON.stringify(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }));
writeFileSync(devVars, `SESSION_SECRET=${randomBytes(32).toString('base64url')}\nASSERTION_KEY='${assertionKey}'\n`, { mode: 0o600 });
const args = ['dev', '--ip', '127.0.0.1', '--port', '8787', '--show-interactive-dev-session=false', '--log-level', 'warn'];
for (const [k, v] of Object.entries(vars)) args.push('--var', `${k}:${v}`);
const wrangler = spawn(wranglerBin, args, { cwd: workerDir, env: wranglerEnv(), stdio: ['ignore', 'inherit', 'inherit'] });

// The demo role and config as files for the jwksgate command's walkthrough (make run builds it).
const demoDir = join(workerDir, '..', 'target', 'demo');
mkdirSync(demoDir, { recursive: true });
const roleFile = join(demoDir, 'role.json');
const configFile = join(demoDir, 'config.json');
writeFileSync(roleFile, `${JSON.stringify(ROLES, null, 2)}\n`);
writeFileSync(configFile, `${JSON.stringify({ oidc_discovery_url: issuer.url, default_role: 'demo' }, null, 2)}\n`);
const cli = join(workerDir, '..', 'target', 'release', 'jwksgate');
const jwksgate = existsSync(cli) ? cli : 'jwksgate';

let stopping = false;
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  if (wrangler.exitCode === null) wrangler.kill('SIGTERM');
  rmSync(devVars, { force: true });
  await issuer.stop();
  await origin.stop();
  process.exit(code);
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
wrangler.on('exit', (code) => {
  if (!stopping) {
    console.error(`wrangler dev exited (${code})`);
    stop(1);
  }
});

// Wait for the gate, at most 120 tries half a second apart.
let up = false;
for (let i = 0; i < 120 && !up; i++) {
  try {
    const r = await fetch(`${GATE}/v1/auth/token/lookup-self`);
    up = r.status === 403;
  } catch {
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
if (!up) {
  console.error('the gate did not come up on 127.0.0.1:8787');
  await stop(1);
}

console.log(`
jwksgate edge login gate, in workerd on ${GATE}
  stand-in Kubernetes issuer: ${issuer.url}   (OIDC discovery: ${issuer.url}/.well-known/openid-configuration)
  demo origin behind the gate: ${origin.url}
  role "demo": audience "${AUDIENCE}", namespace "shop" only

Copy and paste (the steps of Vault's JWT auth walkthrough):

# 1. Get a ServiceAccount token (in a real cluster: kubectl create token cart -n shop --audience ${AUDIENCE})
TOKEN=$(curl -s '${issuer.url}/_standin/token?namespace=shop&serviceaccount=cart&audience=${AUDIENCE}')

# 2. Log in (Vault CLI: VAULT_ADDR=${GATE} vault write auth/jwt/login role=demo jwt=$TOKEN)
curl -s -X POST ${GATE}/v1/auth/jwt/login -d "{\\"role\\":\\"demo\\",\\"jwt\\":\\"$TOKEN\\"}"
SESSION=$(curl -s -X POST ${GATE}/v1/auth/jwt/login -d "{\\"role\\":\\"demo\\",\\"jwt\\":\\"$TOKEN\\"}" | node -pe 'JSON.parse(require("fs").readFileSync(0)).auth.client_token')

# 3. Look the session up (Vault CLI: VAULT_ADDR=${GATE} VAULT_TOKEN=$SESSION vault token lookup)
curl -s -H "X-Vault-Token: $SESSION" ${GATE}/v1/auth/token/lookup-self

# 4. Call the origin through the gate: with the session, or with the ServiceAccount token itself
#    (the origin sees X-Jwksgate-Assertion, a JWT it verifies against ${GATE}/.well-known/jwks.json)
curl -s -H "X-Vault-Token: $SESSION" ${GATE}/hello
curl -s -H "Authorization: Bearer $TOKEN" ${GATE}/hello
curl -s -i ${GATE}/hello        # no credential: 401

# 5. Revoke the session; it is refused from then on
curl -s -i -X POST -H "X-Vault-Token: $SESSION" ${GATE}/v1/auth/token/revoke-self
curl -s -H "X-Vault-Token: $SESSION" ${GATE}/v1/auth/token/lookup-self

# 6. The same questions from a terminal, with the jwksgate command (make cli; cargo install --path .)
${jwksgate} inspect $TOKEN                 # decoded, NOT verified: claims, times in words, warnings
${jwksgate} discover ${issuer.url}     # the issuer as Vault fetches it (http: a warning, loopback only)
${jwksgate} discover ${GATE}           # the gate itself, as an origin fetches its assertion keys
${jwksgate} verify --issuer ${issuer.url} --audience ${AUDIENCE} $TOKEN
${jwksgate} explain --role ${roleFile} --config ${configFile} $TOKEN
# and why Vault would refuse another namespace's token, rule by rule:
${jwksgate} explain --role ${roleFile} --config ${configFile} "$(curl -s '${issuer.url}/_standin/token?namespace=dev&serviceaccount=cart&audience=${AUDIENCE}')"

Ctrl-C stops the gate, the issuer and the origin.
`);
