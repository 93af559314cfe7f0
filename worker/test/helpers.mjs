// Shared by the gate's tests: the worker in workerd through Miniflare, straight from source
// (ES modules plus the .wasm as a compiled module, as wrangler bundles it), with KV bindings.
import { Miniflare } from 'miniflare';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '..', '..');
export const SECRET = 'test-secret-0123456789abcdef0123456789abcdef';

// handleRuntimeStdio: Miniflare's hook for workerd's stdout and stderr (by default they are
// piped to this process's output), for tests that read what the gate logs.
export async function startGate(bindings, { kvPersist, handleRuntimeStdio } = {}) {
  const mf = new Miniflare({
    modules: true,
    scriptPath: join(root, 'worker', 'src', 'index.mjs'),
    modulesRoot: root,
    modulesRules: [
      { type: 'ESModule', include: ['**/*.js', '**/*.mjs'] },
      { type: 'CompiledWasm', include: ['**/*.wasm'] },
    ],
    compatibilityDate: '2026-04-01',
    cf: false,
    kvNamespaces: ['REVOKED', 'KEYS_CACHE'],
    kvPersist: kvPersist ?? false,
    bindings: { SESSION_SECRET: SECRET, ...bindings },
    ...(handleRuntimeStdio ? { handleRuntimeStdio } : {}),
  });
  await mf.ready;
  const call = async (path, init = {}) => {
    const r = await mf.dispatchFetch(`http://gate.test${path}`, { redirect: 'manual', ...init });
    const text = await r.text();
    let body = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = text;
    }
    return { status: r.status, headers: r.headers, body };
  };
  const login = (role, jwt, extra = {}, headers = {}) =>
    call('/v1/auth/jwt/login', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ role, jwt, ...extra }) });
  return { mf, call, login, dispose: () => mf.dispose() };
}

export const roles = (r) => JSON.stringify(r);
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
