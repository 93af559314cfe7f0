// The real Vault clients the gate's tests log in with: hvac (PyPI, in the venv `make
// vault-clients` installs with pinned hashes) and node-vault (npm, pinned in package.json).
// Each runs a list of steps against a gate's URL and answers one result per step.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { root } from '../helpers.mjs';

const require = createRequire(import.meta.url);
const nodeVault = require('node-vault');

export const HVAC = process.env.HVAC_PYTHON || join(root, 'target', 'vault-clients', 'bin', 'python');
const HVAC_SCRIPT = join(root, 'worker', 'test', 'vault-clients', 'hvac_client.py');

/** Runs steps through hvac in a child process, at `mount`: [{ ok, body } | { ok: false, errors }]. */
export function hvac(url, steps, mount = 'jwt') {
  return new Promise((resolve, reject) => {
    const child = spawn(HVAC, [HVAC_SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`hvac exited ${code}: ${err}`))));
    child.stdin.end(JSON.stringify({ url, mount, steps }));
  });
}

/**
 * The same steps through node-vault, which keeps the token a login returns; `login` makes the
 * login call (the JWT method's by default).
 */
export async function nodeVaultSteps(url, steps, login = (v, s) => v.jwtLogin({ role: s.role ?? '', jwt: s.jwt })) {
  const v = nodeVault({ apiVersion: 'v1', endpoint: url });
  const ops = {
    login: (s) => login(v, s),
    lookup_self: () => v.tokenLookupSelf(),
    lookup_self_post: () => v.request({ path: '/auth/token/lookup-self', method: 'POST', json: {} }),
    renew_self: () => v.tokenRenewSelf(),
    revoke_self: () => v.tokenRevokeSelf().then(() => ({ status: 204 })),
  };
  const out = [];
  for (const s of steps) {
    try {
      out.push({ ok: true, body: await ops[s.op](s) });
    } catch (e) {
      out.push({ ok: false, errors: [e.message], status: e.response?.statusCode });
    }
  }
  return out;
}

export const CLIENTS = [
  ['hvac', hvac],
  ['node-vault', nodeVaultSteps],
];
