// jwksgate's edge login gate (Cloudflare Workers module format): Vault-compatible JWT login
// (vault-plugin-auth-jwt's HTTP API) at one or more mounts, and a proxy that lets authenticated
// requests through to ORIGIN. Sessions' state lives in a Durable Object (SessionStore, one per
// session), written only once a session has state to keep: a login is a verification and a MAC.
// A thin host: HTTP, key fetching, KV and storage here; every security decision in Rust (pkg/, via wasm).
import { DurableObject } from 'cloudflare:workers';
import { Gate, GateProxy, checkWebSocketUpgrade, importPublicKeysPem, isWebSocketUpgrade, parseAuthConfig, requestCredential, routeBearer, sessionApply, webSocketHeaders } from '../pkg/workerd.mjs';
import { NoKeysError, RemoteKeys, StaticKeys, readCapped } from './keys.mjs';
import { kubernetesMount } from './kubernetes.mjs';
import { PUBLISH_PREFIX, PublishedKeys, publishRoute } from './publish.mjs';
import { assertionsFrom, documentResponse, originIdentity } from './assertion.mjs';
import { relay } from './websocket.mjs';

export { PublishStore } from './publish.mjs';

const MAX_BODY = 64 * 1024;
const COOKIE = '__Host-jwksgate-session';

class HttpError extends Error {
  constructor(status, message, headers = {}) {
    super(message ?? ''); // none (a 405): Vault's `{"errors": []}`
    this.status = status;
    this.headers = headers;
  }
}

const JSON_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' };

/** A JSON answer; `text` already JSON (the login's answer, written in Rust). */
function jsonText(status, text, headers) {
  return new Response(text, { status, headers: headers ? { ...JSON_HEADERS, ...headers } : JSON_HEADERS });
}

function json(status, body, headers) {
  return jsonText(status, JSON.stringify(body), headers);
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

const SINGLE_MOUNT_VARS = ['MOUNT', 'OIDC_DISCOVERY_URL', 'JWKS_URL', 'JWKS', 'PUBLIC_KEYS_PEM', 'ROLES', 'DEFAULT_ROLE', 'BOUND_ISSUER', 'JWT_SUPPORTED_ALGS', 'SESSION_EPOCH'];

/** The one mount the single-mount variables describe, in AUTH_CONFIG's shape. */
function shorthandMount(env) {
  const sources = ['OIDC_DISCOVERY_URL', 'JWKS_URL', 'JWKS', 'PUBLIC_KEYS_PEM'].filter((n) => text(env[n]).trim() !== '');
  if (sources.length !== 1) {
    throw new Error(`exactly one key source must be set among OIDC_DISCOVERY_URL, JWKS_URL, JWKS and PUBLIC_KEYS_PEM (found ${sources.length ? sources.join(', ') : 'none'}), or AUTH_CONFIG`);
  }
  if (!text(env.ROLES).trim()) throw new Error('ROLES is not set');
  const discoveryUrl = text(env.OIDC_DISCOVERY_URL).trim();
  // Empty: Vault's list for JWT login, as far as this build verifies it (decided in Rust).
  const algs = text(env.JWT_SUPPORTED_ALGS).split(',').map((s) => s.trim()).filter(Boolean);
  const config = { jwt_supported_algs: algs };
  const boundIssuer = text(env.BOUND_ISSUER).trim() || discoveryUrl;
  if (boundIssuer) config.bound_issuer = boundIssuer;
  // Vault's default_role: lower-cased, and it must name a role (checked in Rust).
  if (text(env.DEFAULT_ROLE).trim()) config.default_role = text(env.DEFAULT_ROLE).trim();
  // The gate's own: changing it ends every session of the mount (src/gate/session.rs MountTrust).
  if (text(env.SESSION_EPOCH).trim()) config.session_epoch = text(env.SESSION_EPOCH).trim();
  const source = {
    OIDC_DISCOVERY_URL: { kind: 'oidc_discovery_url', url: discoveryUrl },
    JWKS_URL: { kind: 'jwks_url', url: text(env.JWKS_URL).trim() },
    JWKS: { kind: 'jwks', jwks: text(env.JWKS) },
    PUBLIC_KEYS_PEM: { kind: 'pem', pem: text(env.PUBLIC_KEYS_PEM).trim() },
  }[sources[0]];
  return { path: text(env.MOUNT).trim() || 'jwt', source, config, roles: text(env.ROLES) };
}

/** A mount's key set: its own cache, cooldown, stale window and KV entry. */
function mountKeys(env, gate, source) {
  if (source.kind === 'jwks_published') return new PublishedKeys(env, gate, source);
  if (source.kind === 'jwks') {
    gate.setKeys(source.jwks);
    return new StaticKeys();
  }
  if (source.kind === 'pem' || source.kind === 'jwt_validation_pubkeys') {
    // Vault's jwt_validation_pubkeys: one or more PEM blocks, or a JSON list of them.
    const raw = source.pems ? source.pems.join('\n') : source.pem;
    // The crate's one PEM reader (src/pem.rs): every block, each a public key or a certificate.
    const pems = raw.startsWith('[') ? JSON.parse(raw).join('\n') : raw;
    let keys;
    try {
      keys = importPublicKeysPem(pems);
    } catch (e) {
      throw new Error(`mount ${gate.mount}: its public keys: ${e.message}`);
    }
    // Every key is tried whatever the token's kid, as Vault's static key set does.
    gate.setStaticKeys({ keys: keys.map((k) => k.jwk) });
    return new StaticKeys();
  }
  const discoveryUrl = source.kind === 'oidc_discovery_url' ? source.url : '';
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
  return new RemoteKeys({
    discoveryUrl: discoveryUrl || null,
    jwksUrl: source.kind === 'jwks_url' ? source.url : null,
    caPem: source.ca_pem || null,
    bearer: source.bearer_token || null,
    settings,
    kv: env.KEYS_CACHE || null,
    kvScope: gate.mount,
    install: (set) => gate.setFetchedKeys(set), // a published empty set revokes (issue 22)
  });
}

/** Reads the configuration once per isolate (per distinct settings). Throws with the reason. */
function configure(env) {
  if (!env.SESSION_SECRET) throw new Error('SESSION_SECRET is not set (wrangler secret put SESSION_SECRET)');
  if (!env.SESSIONS || typeof env.SESSIONS.idFromName !== 'function') {
    throw new Error('the SESSIONS Durable Object binding is missing (wrangler.toml [[durable_objects.bindings]])');
  }
  let described;
  let kubernetes = [];
  if (text(env.AUTH_CONFIG).trim()) {
    const also = SINGLE_MOUNT_VARS.filter((n) => text(env[n]).trim() !== '');
    if (also.length) throw new Error(`AUTH_CONFIG configures every mount: unset ${also.join(', ')}`);
    // A Bank-Vaults externalConfig, YAML or JSON, read in Rust with its templates evaluated
    // (`${ file `PATH` }` from the FILES secret, `${ env `NAME` }` from these variables and
    // secrets); skipped parts logged once.
    const vars = {};
    for (const [k, v] of Object.entries(env)) if (typeof v === 'string') vars[k] = v;
    const parsed = parseAuthConfig(text(env.AUTH_CONFIG), text(env.FILES), vars);
    for (const line of parsed.skipped) console.log(`jwksgate: ${line}`);
    described = parsed.mounts;
    kubernetes = parsed.kubernetes;
  } else {
    described = [shorthandMount(env)];
  }
  const mounts = new Map();
  for (const d of described) {
    const roleText = typeof d.roles === 'string' ? d.roles : JSON.stringify(d.roles);
    // The key source, with the path, bound_issuer and session_epoch, binds the mount's sessions.
    const gate = new Gate(d.config, roleText, env.SESSION_SECRET, d.path, d.source);
    // What Vault would have answered in `warnings` when these roles were written.
    for (const w of gate.warnings) console.warn(`jwksgate: mount ${gate.mount}: ${w}`);
    mounts.set(gate.mount, { gate, path: gate.mount, defaultRole: gate.defaultRole || '', issuer: gate.issuer ?? null, keys: mountKeys(env, gate, d.source) });
  }
  // Vault's Kubernetes method (kubernetes.mjs): TokenReview, or local_verification's keys.
  for (const entry of kubernetes) {
    // local_verification's keys from a URL; pinned to the cluster's CA when the API server serves them.
    const keys = (gate, local) => {
      if (local !== 'oidc_discovery_url' && local !== 'jwks_url') return new StaticKeys();
      const atHost = new URL(gate.keyUrl).origin === new URL(gate.host).origin;
      return mountKeys(env, gate, { kind: local, url: gate.keyUrl, ca_pem: atHost ? gate.caPem : null });
    };
    const m = kubernetesMount(env, entry, keys);
    for (const w of m.gate.warnings) console.warn(`jwksgate: mount ${m.path}: ${w}`);
    mounts.set(m.path, m);
  }
  const list = [...mounts.values()];
  // ORIGIN is checked in Rust (src/gate/proxy.rs); the URL parser that connects must read its
  // host as Rust does (it reads 0x7f.1 as 127.0.0.1, and an IDN as punycode).
  const proxy = new GateProxy(text(env.ORIGIN).trim() || null, list.map((m) => m.path));
  if (proxy.origin && new URL(text(env.ORIGIN).trim()).origin !== proxy.origin) {
    throw new Error(`ORIGIN must name its host as a URL parser writes it: ${new URL(text(env.ORIGIN).trim()).origin}`);
  }
  return { mounts, list, issuers: list.map((m) => m.issuer), proxy, store: env.SESSIONS, assertions: assertionsFrom(env) };
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
 * One whose Content-Length is within the cap is read whole, natively: the HTTP framing ends it at
 * that length (10% less CPU per login than the stream reader, bench/RESULTS.md).
 */
async function readBody(request) {
  const tooLarge = () => new HttpError(413, `request body larger than ${MAX_BODY} bytes`);
  const length = request.headers.get('content-length');
  const declared = Number(length);
  if (Number.isFinite(declared) && declared > MAX_BODY) throw tooLarge();
  if (length !== null && Number.isInteger(declared) && declared >= 0) {
    const bytes = new Uint8Array(await request.arrayBuffer());
    if (bytes.byteLength > MAX_BODY) throw tooLarge();
    return bytes;
  }
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

/**
 * Runs a check of `token`; on an unknown kid, refetches keys once (outside the cooldown) and
 * retries, for a token that could verify once the key is there (decided in Rust, `mayRefetch`:
 * never an unsigned or malformed one, nor another issuer's).
 */
async function withKeys(s, ctx, token, check) {
  // A static set (JWKS, PEM keys) is always ready and never refetched.
  if (s.keys instanceof StaticKeys) return check();
  await s.keys.ready(ctx && ((p) => ctx.waitUntil(p)));
  try {
    return check();
  } catch (e) {
    if (e.code === 'ERR_JWKS_NO_MATCHING_KEY' && s.gate.mayRefetch(token) && (await s.keys.unknownKid())) return check();
    throw e;
  }
}

function sessionRefused(reason) {
  const e = new Error(reason || 'session refused');
  e.code = 'ERR_SESSION_INVALID';
  e.status = 403;
  return e;
}

/**
 * Sends an op to the session's Durable Object, which applies it in Rust (`sessionApply`). The
 * object unreachable, the request fails closed: 503, nothing let through.
 */
async function storeApply(s, id, op) {
  try {
    return await s.store.get(s.store.idFromName(id)).apply(op);
  } catch (e) {
    console.error(`jwksgate: session store unreachable: ${e && e.message ? e.message : e}`);
    throw new HttpError(503, 'session storage unavailable');
  }
}

/**
 * A session's mount once its MAC verifies (refused here, without storage, when forged), with
 * the session checked again by that mount's gate.
 */
function sessionMount(s, token, request) {
  const any = s.list[0].gate;
  const mount = s.mounts.get(any.sessionMount(token, clientAddress(request), now()));
  if (!mount) throw sessionRefused('the session belongs to a mount that is not configured');
  return mount;
}

/** One request made with a session: checked in Rust, then counted by its store. */
async function useSession(s, token, request, purpose = 'use') {
  const mount = sessionMount(s, token, request);
  const { identity, op } = mount.gate.session(token, clientAddress(request), now(), purpose);
  const answer = await storeApply(s, identity.id, op);
  if (!answer.ok) throw sessionRefused(answer.reason);
  return { mount, identity, answer };
}

/** A refused login's log line: the failed check and its claim, never a claim's value. */
function logRefusal(e) {
  if (e && typeof e.log === 'string') console.log(`jwksgate: ${e.log}`);
}

async function login(s, mount, request, ctx) {
  allow(request, ['POST', 'PUT']);
  const body = await readBody(request);
  const remote = clientAddress(request);
  const requestId = crypto.randomUUID();
  const sessionId = crypto.randomUUID();
  if (!mount.kubernetes && mount.keys instanceof StaticKeys) {
    // Keys at hand: the body parsed and the login made in one call, in Rust (undefined: the
    // body asks for the cookie, whose check comes first: the long way below).
    let answer;
    try {
      answer = mount.gate.loginBody(body, remote, now(), sessionId, requestId);
    } catch (e) {
      logRefusal(e);
      throw e;
    }
    if (answer !== undefined) return jsonText(200, answer);
  }
  // Parsed in Rust, strictly: one body cannot read as two different logins.
  const input = mount.gate.parseLogin(body); // [role, jwt, set_cookie]
  const setCookie = input[2] === true;
  // The cookie only for the gate's own pages: same-origin JSON (login CSRF; decided in Rust).
  if (setCookie) s.proxy.checkCookieLogin([...request.headers], request.url);
  // An empty role is DEFAULT_ROLE's; names are lower-cased; every check is Vault's, in Rust.
  const role = input[0] || '';
  const jwt = input[1] || '';
  let answer; // Vault's answer as JSON text, written in Rust
  try {
    if (mount.kubernetes) {
      // Vault's Kubernetes method: the checks, then the API server's TokenReview (kubernetes.mjs).
      answer = await mount.kubernetes.login(role, jwt, remote, now, sessionId, requestId, () => mount.keys.ready(ctx && ((p) => ctx.waitUntil(p))));
    } else {
      // Vault answers the role, its type, a missing token and the CIDRs before it looks at keys:
      // before a remote set is fetched. A static set is at hand, and login runs those checks
      // first, in the same order, with the same answers.
      if (!(mount.keys instanceof StaticKeys)) mount.gate.precheck(role, jwt, remote);
      answer = await withKeys(mount, ctx, jwt, () => mount.gate.login(role, jwt, remote, now(), sessionId, requestId));
    }
  } catch (e) {
    // The failed check and its claim, never a claim's value (the issuer's mismatch names both).
    logRefusal(e);
    throw e;
  }
  // A login writes nothing: the session's store starts from the session itself (its token,
  // under the MAC) at its first use, and keeps a record only once there is something to keep
  // (uses counted, a renewal, a revocation's tombstone; src/gate/store.rs).
  if (!setCookie) return jsonText(200, answer);
  const { auth } = JSON.parse(answer);
  const cookie = `${COOKIE}=${auth.client_token}; Path=/; Max-Age=${Math.max(0, auth.lease_duration)}; Secure; HttpOnly; SameSite=Strict`;
  return jsonText(200, answer, { 'set-cookie': cookie });
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
  const { mount, answer } = await useSession(s, token, request);
  return json(200, mount.gate.lookupSelf(token, clientAddress(request), now(), crypto.randomUUID(), answer));
}

/** Ends the session in its store: every later request, on any path and anywhere, is refused. */
async function revokeSelf(s, request) {
  allow(request, ['POST', 'PUT']);
  const c = credential(request, true);
  if (!c) throw new HttpError(403, 'permission denied');
  // A browser's logout: the cookie acts only for the gate's own pages (logout CSRF; in Rust).
  if (c.from === 'cookie') s.proxy.checkCookieRequest(request.method, [...request.headers], request.url);
  const token = c.token;
  await useSession(s, token, request, 'revoke');
  return new Response(null, { status: 204 });
}

/** Vault's renew-self: one use, then a new expiry from the role as it is now, up to its maximum. */
async function renewSelf(s, request) {
  allow(request, ['POST', 'PUT']);
  const token = sessionToken(request);
  const mount = sessionMount(s, token, request);
  const body = await readBody(request);
  const { identity, op } = mount.gate.renewal(token, body, clientAddress(request), now());
  const answer = await storeApply(s, identity.id, op);
  if (!answer.ok) {
    // CalculateTTL's own refusal keeps Vault's words; any other is a bad session.
    if (answer.reason === 'past the max TTL, cannot renew') return vaultError(400, answer.reason);
    throw sessionRefused(answer.reason);
  }
  return json(200, mount.gate.renewResponse(token, clientAddress(request), now(), crypto.randomUUID(), answer));
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
  // The cookie acts only for the gate's own origin on a state-changing method (CSRF, in Rust):
  // checked before the session is used, so a forged request spends none of its uses.
  if (c.from === 'cookie') s.proxy.checkCookieRequest(request.method, headers, request.url);
  // A WebSocket: refused before its credential is used when a browser's page elsewhere opened it.
  const upgrade = isWebSocketUpgrade(request.method, headers);
  if (upgrade) checkWebSocketUpgrade(headers, request.url, c.from);
  let identity;
  let mount;
  try {
    if (c.token.startsWith('jgs.')) {
      let answer;
      ({ identity, mount, answer } = await useSession(s, c.token, request));
      // The store's expiry (renewals move it), not the one the session was minted with.
      identity = { ...identity, exp: answer.record?.exp ?? identity.exp };
    } else if (c.from === 'authorization') {
      // A ServiceAccount token goes to the mount its issuer names (read in Rust; that mount
      // then checks it whole), and logs in there with the mount's default_role.
      mount = s.list.length === 1 ? s.list[0] : s.list[routeBearer(c.token, s.issuers)];
      if (!mount) return refused('a Bearer token of no configured issuer');
      if (!mount.defaultRole) return refused(`a Bearer token for mount ${mount.path}, which has no default_role`);
      if (mount.kubernetes) {
        // A Kubernetes mount vouches for a token only through a TokenReview (kubernetes.mjs).
        identity = await mount.kubernetes.authorize(mount.defaultRole, c.token, clientAddress(request), now, () => mount.keys.ready(ctx && ((p) => ctx.waitUntil(p))));
      } else {
        identity = await withKeys(mount, ctx, c.token, () => mount.gate.authorize(mount.defaultRole, c.token, clientAddress(request), now()));
      }
    } else {
      return refused('not a session, nor a ServiceAccount token as Bearer');
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
  const forwarded = s.proxy.forwardHeaders(headers, originIdentity(s.assertions, identity, now()), request.url, clientAddress(request));
  if (upgrade) return webSocket(s, request, upstream, forwarded, c, mount, identity);
  const init = {
    method: request.method,
    headers: forwarded,
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

/**
 * A WebSocket through the gate (worker/src/websocket.mjs), checked again while it is open: a
 * session with its store (`check`: no use counted), a Bearer token by its mount again.
 */
async function webSocket(s, request, upstream, forwarded, c, mount, identity) {
  const check = c.token.startsWith('jgs.')
    ? async () => (await useSession(s, c.token, request, 'check')).answer.record?.exp
    : async () => mount.gate.authorize(mount.defaultRole, c.token, clientAddress(request), now()).exp;
  let out;
  try {
    out = await relay({ upstream, headers: webSocketHeaders(forwarded), exp: identity.exp, check, now, log: (line) => console.log(line) });
  } catch (e) {
    console.error(`jwksgate: origin unreachable: ${e && e.message ? e.message : e}`);
    return vaultError(502, 'origin unreachable');
  }
  if (out.upgraded) return out.response;
  const r = out.response;
  return new Response(r.body, { status: r.status, statusText: r.statusText, headers: s.proxy.responseHeaders([...r.headers]) });
}

async function route(request, env, ctx) {
  const s = state(env);
  // PUT/GET /.jwksgate/keys/<mount>: the gate's own, outside Vault's API (worker/src/publish.mjs).
  // (request.url is serialized by the URL parser: a path under the prefix has it in the text.)
  if (request.url.includes(PUBLISH_PREFIX)) {
    const published = await publishRoute(request, env, s.mounts);
    if (published) return published;
  }
  // One reading of the path (normalised in Rust) decides the route and the upstream URL, so the
  // gate routes on the path the origin would serve. A path it will not send anywhere is a 400.
  const [to, upstream, mount] = s.proxy.route(request.url);
  switch (to) {
    case 'login':
      return login(s, s.mounts.get(mount), request, ctx);
    case 'lookup-self':
      return lookupSelf(s, request);
    case 'revoke-self':
      return revokeSelf(s, request);
    case 'renew-self':
      return renewSelf(s, request);
    case 'not-found':
      return vaultError(404, null);
    default:
      // The gate's own keys and discovery document, when it signs assertions (ASSERTION_KEY).
      return documentResponse(s.assertions, request) ?? proxy(s, request, upstream, ctx);
  }
}

/**
 * The session store: one Durable Object per session (named by its id), so every request of a
 * session is seen by one object, in order, with strongly consistent storage. Each op is applied
 * in Rust (`sessionApply`: uses counted, renewals capped, revocation at once); this class only
 * reads and writes the record, and drops it by alarm once it has expired.
 */
export class SessionStore extends DurableObject {
  async apply(op) {
    const stored = (await this.ctx.storage.get('record')) ?? null;
    const { keep, answer } = sessionApply(stored, op, Date.now() / 1000);
    if (keep) {
      // An unlimited session's use changes nothing: no write.
      if (JSON.stringify(keep) !== JSON.stringify(stored)) await this.ctx.storage.put('record', keep);
      if (!stored || stored.exp !== keep.exp) await this.ctx.storage.setAlarm(keep.exp * 1000);
    } else if (stored) {
      await this.ctx.storage.deleteAlarm();
      await this.ctx.storage.deleteAll();
    }
    return answer;
  }

  async alarm() {
    await this.apply({ expire: {} });
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
