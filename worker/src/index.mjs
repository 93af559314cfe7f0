// jwksgate's edge login gate (Cloudflare Workers module format): Vault-compatible JWT login
// (vault-plugin-auth-jwt's HTTP API) and a proxy that lets authenticated requests through to ORIGIN.
// A thin host: HTTP, key fetching and KV here; every security decision in Rust (pkg/, via wasm).
import { Gate, GateProxy, importPublicKeyPem, requestCredential } from '../pkg/workerd.mjs';
import { NoKeysError, RemoteKeys, StaticKeys, readCapped } from './keys.mjs';

const MAX_BODY = 64 * 1024;
const COOKIE = '__Host-jwksgate-session';

class HttpError extends Error {
  constructor(status, message, headers = {}) {
    super(message ?? ''); // none (a 405): Vault's `{"errors": []}`
    this.status = status;
    this.headers = headers;
  }
}

function json(status, body, headers = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
  });
}

function vaultError(status, message, headers = {}) {
  return json(status, { errors: message == null ? [] : [message] }, headers);
}

function number(env, name, fallback) {
  const v = env[name];
  if (v == null || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number`);
  return n;
}

function text(v) {
  return typeof v === 'string' ? v : v == null ? '' : JSON.stringify(v);
}

/** Reads the configuration once per isolate (per distinct settings). Throws with the reason. */
function configure(env) {
  const sources = ['OIDC_DISCOVERY_URL', 'JWKS_URL', 'JWKS', 'PUBLIC_KEYS_PEM'].filter((n) => text(env[n]).trim() !== '');
  if (sources.length !== 1) {
    throw new Error(`exactly one key source must be set among OIDC_DISCOVERY_URL, JWKS_URL, JWKS and PUBLIC_KEYS_PEM (found ${sources.length ? sources.join(', ') : 'none'})`);
  }
  if (!text(env.ROLES).trim()) throw new Error('ROLES is not set');
  if (!env.SESSION_SECRET) throw new Error('SESSION_SECRET is not set (wrangler secret put SESSION_SECRET)');
  if (!env.REVOKED || typeof env.REVOKED.get !== 'function') throw new Error('the REVOKED KV namespace binding is missing');
  const discoveryUrl = text(env.OIDC_DISCOVERY_URL).trim();
  // Empty: Vault's list for JWT login, as far as this build verifies it (decided in Rust).
  const algs = text(env.JWT_SUPPORTED_ALGS).split(',').map((s) => s.trim()).filter(Boolean);
  const config = { jwt_supported_algs: algs };
  const boundIssuer = text(env.BOUND_ISSUER).trim() || discoveryUrl;
  if (boundIssuer) config.bound_issuer = boundIssuer;
  // Vault's default_role: lower-cased, and it must name a role (checked in Rust).
  if (text(env.DEFAULT_ROLE).trim()) config.default_role = text(env.DEFAULT_ROLE).trim();
  const gate = new Gate(config, text(env.ROLES), env.SESSION_SECRET, text(env.MOUNT).trim() || 'jwt');
  const defaultRole = gate.defaultRole || '';
  // What Vault would have answered in `warnings` when these roles were written.
  for (const w of gate.warnings) console.warn(`jwksgate: ${w}`);
  // ORIGIN is checked in Rust (src/gate/proxy.rs); the URL parser that connects must read its
  // host as Rust does (it reads 0x7f.1 as 127.0.0.1, and an IDN as punycode).
  const proxy = new GateProxy(text(env.ORIGIN).trim() || null, gate.mount);
  if (proxy.origin && new URL(text(env.ORIGIN).trim()).origin !== proxy.origin) {
    throw new Error(`ORIGIN must name its host as a URL parser writes it: ${new URL(text(env.ORIGIN).trim()).origin}`);
  }
  let keys;
  const source = sources[0];
  if (source === 'JWKS') {
    gate.setKeys(text(env.JWKS));
    keys = new StaticKeys();
  } else if (source === 'PUBLIC_KEYS_PEM') {
    // Vault's jwt_validation_pubkeys: one or more PEM blocks, or a JSON list of them.
    const raw = text(env.PUBLIC_KEYS_PEM).trim();
    const pems = raw.startsWith('[') ? JSON.parse(raw) : raw.match(/-----BEGIN [^-]+-----[\s\S]+?-----END [^-]+-----/g) || [];
    if (!pems.length) throw new Error('PUBLIC_KEYS_PEM holds no PEM block');
    // Every key is tried whatever the token's kid, as Vault's static key set does.
    gate.setStaticKeys({ keys: pems.map((p) => importPublicKeyPem(p)) });
    keys = new StaticKeys();
  } else {
    const settings = {
      timeoutMs: number(env, 'KEYS_FETCH_TIMEOUT_MS', 5000),
      maxBytes: number(env, 'KEYS_MAX_BYTES', 256 * 1024),
      defaultTtl: number(env, 'KEYS_CACHE_DEFAULT_TTL', 600),
      minTtl: number(env, 'KEYS_CACHE_MIN_TTL', 60),
      maxTtl: number(env, 'KEYS_CACHE_MAX_TTL', 86400),
      cooldown: number(env, 'KEYS_REFETCH_COOLDOWN', 30),
      maxStale: number(env, 'KEYS_MAX_STALE', 86400),
      discoveryIssuer: discoveryUrl,
    };
    if (settings.minTtl > settings.maxTtl) throw new Error('KEYS_CACHE_MIN_TTL must not exceed KEYS_CACHE_MAX_TTL');
    keys = new RemoteKeys({
      discoveryUrl: discoveryUrl || null,
      jwksUrl: text(env.JWKS_URL).trim() || null,
      settings,
      kv: env.KEYS_CACHE || null,
      install: (set) => gate.setKeys(set),
    });
  }
  return { gate, proxy, keys, defaultRole, mount: gate.mount, revoked: env.REVOKED };
}

let current = null; // { env, fingerprint, state } | { env, fingerprint, error }

function fingerprint(env) {
  const parts = [];
  for (const k of Object.keys(env).sort()) {
    const v = env[k];
    parts.push(k, typeof v === 'string' ? v : typeof v);
  }
  return parts.join('\u0000');
}

/** The configured gate for `env`: built once, rebuilt only when a setting changes. */
function state(env) {
  // The runtime usually hands every request the same env object; only a new one is fingerprinted.
  if (current?.env !== env) {
    const fp = fingerprint(env);
    if (current?.fingerprint === fp) {
      current.env = env;
    } else {
      try {
        current = { env, fingerprint: fp, state: configure(env) };
      } catch (e) {
        current = { env, fingerprint: fp, error: e.message || String(e) };
      }
    }
  }
  if (current.error) {
    console.error(`jwksgate: bad configuration: ${current.error}`);
    throw new HttpError(500, 'the gate is misconfigured; see its log');
  }
  return current.state;
}

/**
 * The request body as bytes, at most MAX_BODY of them; stops reading as soon as it is over. A
 * body whose Content-Length is over is refused unread: cancelling it made `wrangler dev` answer
 * the next request, from any client, 503 "Your worker restarted mid-request" (8 of 10 tries;
 * 0 of 25 unread). workerd discards an unread body. A streamed body is still cancelled at the cap.
 */
async function readBody(request) {
  const tooLarge = () => new HttpError(413, `request body larger than ${MAX_BODY} bytes`);
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > MAX_BODY) throw tooLarge();
  return readCapped(request, MAX_BODY, tooLarge);
}

function allow(request, methods) {
  if (!methods.includes(request.method)) {
    throw new HttpError(405, null, { allow: methods.join(', ') });
  }
}

function clientAddress(request) {
  // Cloudflare sets CF-Connecting-IP at its edge and a client cannot override it there.
  return request.headers.get('cf-connecting-ip') || undefined;
}

/**
 * Where the caller's credential is (decided in Rust, `proxy::credential`): X-Vault-Token, then
 * Authorization: Bearer, then, where `cookie` allows, the session cookie in any `;` or `,` part.
 * lookup-self and renew-self do not read the cookie: lookup-self's answer names the token, which
 * HttpOnly keeps from the page. The proxy and revoke-self (a browser's logout) do.
 */
function credential(request, cookie) {
  return requestCredential([...request.headers], cookie);
}

const now = () => Date.now() / 1000;

/** Runs a token check; on an unknown kid, refetches keys once (outside the cooldown) and retries. */
async function withKeys(s, ctx, check) {
  await s.keys.ready(ctx && ((p) => ctx.waitUntil(p)));
  try {
    return check();
  } catch (e) {
    if (e.code === 'ERR_JWKS_NO_MATCHING_KEY' && (await s.keys.unknownKid())) return check();
    throw e;
  }
}

async function session(s, token, request) {
  const identity = s.gate.session(token, clientAddress(request), now());
  if (await s.revoked.get(`revoked:${identity.id}`)) {
    const e = new Error('session revoked');
    e.code = 'ERR_SESSION_INVALID';
    e.status = 403;
    throw e;
  }
  return identity;
}

async function login(s, request, ctx) {
  allow(request, ['POST', 'PUT']);
  // Parsed in Rust, strictly: one body cannot read as two different logins.
  const input = s.gate.parseLogin(await readBody(request));
  // The cookie only for the gate's own pages: same-origin JSON (login CSRF; decided in Rust).
  if (input.set_cookie === true) s.proxy.checkCookieLogin([...request.headers], request.url);
  // An empty role is DEFAULT_ROLE's; names are lower-cased; every check is Vault's, in Rust.
  const role = input.role || '';
  const jwt = input.jwt || '';
  const remote = clientAddress(request);
  const requestId = crypto.randomUUID();
  const sessionId = crypto.randomUUID();
  let result;
  try {
    // Vault answers the role, its type, a missing token and the CIDRs before it looks at keys.
    s.gate.precheck(role, jwt, remote);
    result = await withKeys(s, ctx, () => s.gate.login(role, jwt, remote, now(), sessionId, requestId));
  } catch (e) {
    // The failed check and its claim, never a claim's value (the issuer's mismatch names both).
    if (e && typeof e.log === 'string') console.log(`jwksgate: ${e.log}`);
    throw e;
  }
  const headers = {};
  if (input.set_cookie === true) {
    const ttl = Math.max(0, result.session.exp - result.session.iat);
    headers['set-cookie'] = `${COOKIE}=${result.token}; Path=/; Max-Age=${ttl}; Secure; HttpOnly; SameSite=Strict`;
  }
  return json(200, result.body, headers);
}

function sessionToken(request, { cookie = false } = {}) {
  const c = credential(request, cookie);
  if (!c) throw new HttpError(403, 'permission denied');
  return c.token;
}

/** Vault's token store serves lookup-self to reads and writes alike (GET, POST, PUT). */
async function lookupSelf(s, request) {
  allow(request, ['GET', 'POST', 'PUT']);
  const token = sessionToken(request);
  await session(s, token, request);
  return json(200, s.gate.lookupSelf(token, clientAddress(request), now(), crypto.randomUUID()));
}

async function revokeSelf(s, request) {
  allow(request, ['POST', 'PUT']);
  const token = sessionToken(request, { cookie: true });
  const identity = await session(s, token, request);
  // Kept until the session would have expired anyway (KV's minimum TTL is 60 s).
  const ttl = Math.max(60, Math.ceil(identity.exp - now()) + 60);
  await s.revoked.put(`revoked:${identity.id}`, '1', { expirationTtl: ttl });
  return new Response(null, { status: 204 });
}

/** Vault's answer for a token that is not renewable; a bad session is refused first. */
async function renewSelf(s, request) {
  allow(request, ['POST', 'PUT']);
  await session(s, sessionToken(request), request);
  return vaultError(400, 'lease is not renewable');
}

/**
 * A proxied path's answer to a missing or refused credential: one answer whatever the reason
 * (which goes to the log), so a stolen session does not tell whether it was revoked. 401 with a
 * Bearer challenge (RFC 6750 section 3), which makes an HTTP client log in again.
 */
function refused(reason) {
  if (reason) console.log(`jwksgate: credential refused on a proxied path: ${reason}`);
  return vaultError(401, 'permission denied', { 'www-authenticate': reason ? 'Bearer error="invalid_token"' : 'Bearer' });
}

/** The request to `upstream` (built in Rust from ORIGIN alone) with the caller's identity. */
async function proxy(s, request, upstream, ctx) {
  if (!upstream) return vaultError(404, null);
  const headers = [...request.headers];
  const c = credential(request, true);
  if (!c) return refused(null);
  let identity;
  try {
    if (c.token.startsWith('jgs.')) {
      identity = await session(s, c.token, request);
    } else if (c.from === 'authorization' && s.defaultRole) {
      identity = await withKeys(s, ctx, () => s.gate.authorize(s.defaultRole, c.token, clientAddress(request), now()));
    } else {
      return refused(`not a session, nor a ServiceAccount token as Bearer${s.defaultRole ? '' : ' (no DEFAULT_ROLE)'}`);
    }
  } catch (e) {
    if (e instanceof NoKeysError || e instanceof HttpError || !e.code) throw e;
    return refused(e.message);
  }
  // The URL parser that connects must read the URL as Rust wrote it, and as ORIGIN's.
  const target = new URL(upstream);
  if (target.href !== upstream || target.origin !== s.proxy.origin) {
    console.error('jwksgate: the upstream URL reads differently to the URL parser; nothing fetched');
    throw new HttpError(400, 'invalid request path');
  }
  const init = {
    method: request.method,
    headers: s.proxy.forwardHeaders(headers, identity.headers, request.url, clientAddress(request)),
    redirect: 'manual',
    // The answer is per identity and a cache's key is the URL: Cloudflare's cache neither
    // answers this request nor keeps its response.
    cache: 'no-store',
  };
  if (!['GET', 'HEAD'].includes(request.method)) {
    init.body = await readBody(request);
  }
  let response;
  try {
    response = await fetch(upstream, init);
  } catch (e) {
    console.error(`jwksgate: origin unreachable: ${e && e.message ? e.message : e}`);
    return vaultError(502, 'origin unreachable');
  }
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers: s.proxy.responseHeaders([...response.headers]) });
}

async function route(request, env, ctx) {
  const s = state(env);
  // One reading of the path (normalised in Rust) decides the route and the upstream URL, so the
  // gate routes on the path the origin would serve. A path it will not send anywhere is a 400.
  const { route: to, upstream } = s.proxy.route(request.url);
  switch (to) {
    case 'login':
      return login(s, request, ctx);
    case 'lookup-self':
      return lookupSelf(s, request);
    case 'revoke-self':
      return revokeSelf(s, request);
    case 'renew-self':
      return renewSelf(s, request);
    case 'not-found':
      return vaultError(404, null);
    default:
      return proxy(s, request, upstream, ctx);
  }
}

export default {
  async fetch(request, env, ctx) {
    try {
      return await route(request, env, ctx);
    } catch (e) {
      if (e instanceof HttpError) return vaultError(e.status, e.message || null, e.headers);
      if (e instanceof NoKeysError) {
        // How the keys are fetched (URLs, answers, limits) is the operator's to read, not the caller's.
        console.error(`jwksgate: ${e.message}`);
        return vaultError(503, 'no keys available');
      }
      if (typeof e.status === 'number' && e.code) {
        // A refusal decided in Rust: Vault's status and wording. Session failures are Vault's
        // "permission denied"; the reason goes to the log only.
        if (e.code === 'ERR_SESSION_INVALID') {
          console.log(`jwksgate: session refused: ${e.message}`);
          return vaultError(403, 'permission denied');
        }
        if (e.status >= 500) {
          console.error(`jwksgate: ${e.message}`);
          return vaultError(500, 'internal error');
        }
        return vaultError(e.status, e.message);
      }
      console.error(`jwksgate: unexpected error: ${e && e.stack ? e.stack : e}`);
      return vaultError(500, 'internal error');
    }
  },
};
