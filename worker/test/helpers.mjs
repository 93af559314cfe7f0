// Shared by the gate's tests: the worker in workerd through Miniflare, straight from source
// (ES modules plus the .wasm as a compiled module, as wrangler bundles it), with KV bindings and
// the session store's Durable Object.
import { Miniflare } from 'miniflare';
import { connect, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '..', '..');
export const SECRET = 'test-secret-0123456789abcdef0123456789abcdef';
/** The compatibility date every worker of the tests runs at (wrangler.toml's). */
export const COMPATIBILITY_DATE = '2026-04-01';

/**
 * Miniflare's options for a worker straight from source (`script`, from the repository's root,
 * or from `tree`, a copy of its worker/ folders: the benchmarks' other builds): ES modules plus
 * the .wasm as a compiled module, as wrangler bundles it. The gate's tests, net.test.mjs,
 * worker/dev/tls-cost.mjs and bench/workerd.mjs start their workers from these.
 */
export function fromSource(script, tree = root) {
  return {
    modules: true,
    scriptPath: join(tree, script),
    modulesRoot: tree,
    modulesRules: [
      { type: 'ESModule', include: ['**/*.js', '**/*.mjs'] },
      { type: 'CompiledWasm', include: ['**/*.wasm'] },
    ],
    compatibilityDate: COMPATIBILITY_DATE,
  };
}

// handleRuntimeStdio: Miniflare's hook for workerd's stdout and stderr (by default they are
// piped to this process's output), for tests that read what the gate logs.
// durableObjectsPersist: a folder, so a second gate started on it finds the sessions (as
// `wrangler dev --persist-to` keeps them across restarts).
// brokenStore: SESSIONS bound to a second worker's SessionStore whose every call throws, as
// an object out of reach does.
// port: a port chosen beforehand (freePort), for a gate whose own URL is in its settings (GATE_URL).
// https: { key, cert } (PEM text), for a gate that workerd serves over TLS (its URL then https).
export async function startGate(bindings, { kvPersist, durableObjectsPersist, handleRuntimeStdio, noStore, brokenStore, port = 0, https } = {}) {
  const worker = {
    name: 'gate',
    ...fromSource('worker/src/index.mjs'),
    kvNamespaces: ['KEYS_CACHE'],
    durableObjects: noStore ? {} : { SESSIONS: brokenStore ? { className: 'SessionStore', scriptName: 'broken-store' } : 'SessionStore', PUBLISHED: 'PublishStore' },
    bindings: { SESSION_SECRET: SECRET, ...bindings },
  };
  const broken = {
    name: 'broken-store',
    modules: true,
    compatibilityDate: COMPATIBILITY_DATE,
    script: "import { DurableObject } from 'cloudflare:workers';\nexport class SessionStore extends DurableObject { async apply() { throw new Error('storage unavailable'); } }\nexport default { fetch() { return new Response(null, { status: 404 }); } };",
  };
  const mf = new Miniflare({
    workers: brokenStore ? [worker, broken] : [worker],
    cf: false,
    kvPersist: kvPersist ?? false,
    durableObjectsPersist: durableObjectsPersist ?? false,
    // A real HTTP listener on loopback, a port of the system's choosing, for Vault clients.
    host: '127.0.0.1',
    port,
    ...(https ? { https: true, httpsKey: https.key, httpsCert: https.cert } : {}),
    ...(handleRuntimeStdio ? { handleRuntimeStdio } : {}),
  });
  // Miniflare always listens on 127.0.0.1 (a port of its own): raw requests go there.
  const url = (await mf.ready).toString().replace(/\/$/, '');
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
  const login = (role, jwt, extra = {}, headers = {}, mount = 'jwt') =>
    call(`/v1/auth/${mount}/login`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ role, jwt, ...extra }) });
  return { mf, url, call, login, raw: (request) => rawRequest(url, request), dispose: () => mf.dispose() };
}

export const roles = (r) => JSON.stringify(r);

/** A loopback port free a moment ago (the system's choice), for a server that must know its URL before it starts. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One HTTP/1.1 request written byte for byte, as `curl --path-as-is` sends it: the target as
 * given (fetch and undici normalise `/\\`, `/../` and friends before sending), and header fields
 * as listed (two fields of one name stay two fields). The answer is read until it is complete
 * (workerd may keep the connection open despite `Connection: close`), de-chunked, and its body
 * parsed as JSON when it is JSON.
 */
export function rawRequest(base, { method = 'GET', target, headers = [], body = '', host = 'gate.test' }) {
  const { hostname, port } = new URL(base);
  const payload = Buffer.from(body);
  const lines = [`${method} ${target} HTTP/1.1`, `Host: ${host}`, ...headers.map(([k, v]) => `${k}: ${v}`), 'Connection: close'];
  if (payload.length || !['GET', 'HEAD'].includes(method)) lines.push(`Content-Length: ${payload.length}`);
  return new Promise((resolve, reject) => {
    let bytes = Buffer.alloc(0);
    const socket = connect(Number(port), hostname, () => socket.write(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), payload])));
    socket.setTimeout(30_000, () => socket.destroy(new Error(`no answer to ${method} ${target} within 30 s`)));
    const done = (final) => {
      const r = parseResponse(bytes, method, final);
      if (!r) return;
      socket.destroy();
      resolve(r);
    };
    socket.on('data', (c) => {
      bytes = Buffer.concat([bytes, c]);
      try {
        done(false);
      } catch (e) {
        socket.destroy();
        reject(e);
      }
    });
    socket.on('error', reject);
    socket.on('end', () => {
      try {
        done(true);
      } catch (e) {
        reject(e);
      }
    });
  });
}

/** The response in `bytes`, or null while it is incomplete (and the connection still open). */
function parseResponse(bytes, method, final) {
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) {
    if (final) throw new Error(`not an HTTP response: ${JSON.stringify(bytes.toString('latin1').slice(0, 200))}`);
    return null;
  }
  const [statusLine, ...fields] = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(statusLine.split(' ')[1]);
  const headers = new Headers();
  for (const f of fields) {
    const i = f.indexOf(':');
    headers.append(f.slice(0, i).trim(), f.slice(i + 1).trim());
  }
  let rest = bytes.subarray(end + 4);
  if (method === 'HEAD' || status === 204 || status === 304) {
    rest = Buffer.alloc(0);
  } else if (/chunked/i.test(headers.get('transfer-encoding') || '')) {
    const parts = [];
    for (let guard = 0; ; guard++) {
      const eol = rest.indexOf('\r\n');
      if (eol < 0 || guard > 100_000) return final ? fail('a truncated chunked body') : null;
      const size = parseInt(rest.subarray(0, eol).toString('latin1'), 16);
      if (size === 0) break;
      if (rest.length < eol + 2 + size + 2) return final ? fail('a truncated chunk') : null;
      parts.push(rest.subarray(eol + 2, eol + 2 + size));
      rest = rest.subarray(eol + 2 + size + 2);
    }
    rest = Buffer.concat(parts);
  } else if (headers.has('content-length')) {
    const length = Number(headers.get('content-length'));
    if (rest.length < length) return final ? fail('a truncated body') : null;
    rest = rest.subarray(0, length);
  } else if (!final) {
    return null; // delimited by the end of the connection
  }
  const text = rest.toString('utf8');
  let body = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {}
  return { status, headers, body };
}

function fail(what) {
  throw new Error(`the answer ended with ${what}`);
}
