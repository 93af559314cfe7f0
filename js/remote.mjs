// Remote key sets: createRemoteJWKSet (a JWKS URL) with the options, defaults and errors of
// panva/jose src/jwks/remote.ts, and createIssuerJWKSet (OpenID Connect Discovery 1.0 section 4:
// <issuer>/.well-known/openid-configuration names the jwks_uri). Beyond jose, as the login gate
// needs: Cache-Control max-age (clamped), the last good set served while the issuer is down
// (bounded), a back-off after a failed fetch, a hook for a persistent cache, size caps. Only
// HTTP and caching live here: the discovery document's issuer, the key set and every token are
// checked in Rust.
import { Verifier, decodeUnverified, discoveryJwksUri, fetchableUrl, version } from './jwksgate.js';
import { JOSEError, JWKSInvalid, JWKSTimeout, DiscoveryInvalid } from './errors.mjs';
import { invalidArgument, keySetFunction } from './jose.mjs';

/** jose's `customFetch` option: a fetch-like function used instead of the global fetch. */
export const customFetch = Symbol('customFetch');
/** jose's `jwksCache` option: a plain object seeded from, and updated with, `{ jwks, uat }`. */
export const jwksCache = Symbol('jwksCache');

// The core refuses larger key sets and discovery documents (src/jwk.rs, src/discovery.rs).
const MAX_RESPONSE_BYTES = 512 * 1024;
const DAY = 86_400_000;

// jose sends a User-Agent outside browsers only: in a browser it would force a CORS preflight.
const inBrowser = () => typeof navigator !== 'undefined' && navigator.userAgent?.startsWith?.('Mozilla/5.0 ');

/** A duration option in milliseconds, validated as jose's validateDuration does. */
function duration(options, name, fallback) {
  const value = options[name];
  if (Number.isNaN(value)) throw invalidArgument(`"${name}" option must not be NaN`);
  if (typeof value === 'number' && value < 0) throw invalidArgument(`"${name}" option must not be negative`);
  return typeof value === 'number' ? value : fallback;
}

/** The options shared by both remote sets, with jose's defaults where jose has the option. */
function settings(options) {
  const o = options ?? {};
  if (typeof o !== 'object') throw invalidArgument('argument options must be an object');
  const timeout = o.timeoutDuration;
  if (typeof timeout === 'number' && (!Number.isInteger(timeout) || timeout < 0)) {
    throw invalidArgument('"timeoutDuration" option must be a non-negative integer');
  }
  const cooldownDuration = duration(o, 'cooldownDuration', 30_000);
  const cacheMaxAge = duration(o, 'cacheMaxAge', 600_000);
  const maxBytes = duration(o, 'maxResponseBytes', MAX_RESPONSE_BYTES);
  for (const hook of ['store', 'onKeys', 'onError']) {
    if (o[hook] != null && typeof o[hook] !== (hook === 'store' ? 'object' : 'function')) throw invalidArgument(`"${hook}" option has the wrong type`);
  }
  if (o.store && (typeof o.store.get !== 'function' || typeof o.store.put !== 'function')) {
    throw invalidArgument('"store" option must have get() and put()');
  }
  // Malformed headers are refused here, as jose refuses them, not at the first fetch; with this
  // package's code and the option's name, where the Headers constructor's TypeError has neither.
  try {
    new Headers(o.headers);
  } catch (e) {
    throw invalidArgument(`"headers" option is not a set of HTTP headers: ${e?.message}`);
  }
  const fetchImpl = o[customFetch] ?? ((...args) => fetch(...args));
  if (typeof fetchImpl !== 'function') throw invalidArgument('"customFetch" option must be a function');
  return {
    timeoutDuration: typeof timeout === 'number' ? timeout : 5000,
    cooldownDuration,
    cacheMaxAge,
    cacheMinAge: duration(o, 'cacheMinAge', cooldownDuration),
    cacheDefaultAge: duration(o, 'cacheDefaultAge', cacheMaxAge),
    maxStaleDuration: duration(o, 'maxStaleDuration', DAY),
    maxBytes: Math.min(maxBytes, MAX_RESPONSE_BYTES),
    headers: o.headers,
    fetchImpl,
    cache: o[jwksCache] && typeof o[jwksCache] === 'object' ? o[jwksCache] : null,
    store: o.store ?? null,
    onKeys: o.onKeys ?? null,
    onError: o.onError ?? null,
  };
}

function requestHeaders(given, accept) {
  const headers = new Headers(given);
  if (!inBrowser() && !headers.has('user-agent')) headers.set('user-agent', `jwksgate/${version()}`);
  if (!headers.has('accept')) headers.set('accept', accept);
  return headers;
}

/** Cache-Control max-age in milliseconds (RFC 9111 section 5.2.2.1); no-store and no-cache count as 0. */
export function maxAge(header) {
  if (!header) return null;
  let age = null;
  for (const part of header.split(',')) {
    const [k, v = ''] = part.trim().split('=');
    const key = k.toLowerCase();
    if (key === 'no-store' || key === 'no-cache') return 0;
    const value = v.replace(/^"(.*)"$/, '$1');
    if (key === 'max-age' && age === null && /^\d{1,10}$/.test(value)) age = Number(value) * 1000;
  }
  return age;
}

/**
 * The body of a Request or Response as bytes, at most `cap` of them: refused on its declared
 * length before any is read, otherwise as soon as the stream passes the cap. `tooLarge()` makes
 * the error thrown.
 */
export async function readCapped(message, cap, tooLarge) {
  const declared = Number(message.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > cap) {
    await message.body?.cancel().catch(() => {});
    throw tooLarge();
  }
  if (!message.body) return new Uint8Array(0);
  const reader = message.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > cap) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return all;
}

/**
 * GET as jose's fetchJwks does (no redirect followed, 200 only, JWKSTimeout at the deadline),
 * with the body read under the same deadline and capped. Resolves to `{ text, maxAge }`.
 */
async function get(url, s, { accept, what, Invalid }) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), s.timeoutDuration);
  try {
    const response = await s.fetchImpl(url, { method: 'GET', redirect: 'manual', headers: requestHeaders(s.headers, accept), signal: controller.signal });
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => {});
      throw new JOSEError(`Expected 200 OK from the ${what} HTTP response`);
    }
    // The refusal's code is the error's `cause` ({ code, message }), as checkUrl's: a caller
    // tells them apart by it, never by the words (ERR_HTTP_TOO_LARGE is the gate's, src/net).
    const refuse = (code, message, more) => new Invalid(message, { cause: { code, message, ...more } });
    const bytes = await readCapped(response, s.maxBytes, () => refuse('ERR_HTTP_TOO_LARGE', `the ${what} HTTP response is over ${s.maxBytes} bytes`, { maxBytes: s.maxBytes }));
    let text;
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch (cause) {
      throw refuse('ERR_HTTP_NOT_UTF8', `the ${what} HTTP response is not UTF-8`, { cause });
    }
    return { text, maxAge: maxAge(response.headers.get('cache-control')) };
  } catch (e) {
    if (controller.signal.aborted) throw new JWKSTimeout(undefined, { cause: e });
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A URL that may be fetched for keys, by the crate's one rule (src/fetch.rs, `fetchableUrl`):
 * https, or plain http to a loopback address only (127.0.0.0/8, [::1], localhost), no
 * credentials. Checked on the URL as fetch will request it (WHATWG's href), so the rule and the
 * request cannot read it two ways. Beyond jose, whose createRemoteJWKSet fetches plain http
 * from anywhere.
 */
function checkUrl(value, what, Invalid = null) {
  // The refusal ({ code: 'ERR_URL_*', message }) is the error's `cause`: a caller tells the
  // rules apart by its code, never by the words.
  const fail = (refusal) => (Invalid ? new Invalid(refusal.message, { cause: refusal }) : invalidArgument(refusal.message));
  let url;
  try {
    url = new URL(value);
  } catch {
    throw fail({ code: 'ERR_URL_INVALID', message: `${what} is not a valid URL` });
  }
  const refusal = fetchableUrl(url.href, what);
  if (refusal) throw fail(refusal);
  return url;
}

/**
 * The cache and fetch logic behind both remote sets. `load(s)` fetches and resolves to
 * `{ text, maxAge }` (the JWKS text and the smallest max-age of the responses). One fetch is in
 * flight at a time. A set is fresh for its response's max-age clamped to [cacheMinAge,
 * cacheMaxAge] (cacheDefaultAge without one); past that it is refetched, and while refetches
 * fail it keeps serving up to maxStaleDuration past its freshness. After a failed fetch the next
 * waits cooldownDuration; an unknown kid refetches at most once per cooldownDuration.
 */
class RemoteKeySet {
  #s;
  #load;
  #verifier = null;
  #text = null;
  #uat = undefined; // when the installed set was fetched, ms since the epoch (jose's `uat`)
  #expiresAt = 0;
  #pending = null;
  #failedAt = -Infinity;
  #error = null;
  #kidRefetchAt = -Infinity;
  #warming = null;

  constructor(s, load) {
    this.#s = s;
    this.#load = load;
    const c = s.cache;
    // jose seeds from the jwksCache object when its `uat` is within cacheMaxAge.
    if (c && Number.isFinite(c.uat) && Date.now() < c.uat + s.cacheMaxAge && c.jwks && typeof c.jwks === 'object') {
      try {
        this.#install(JSON.stringify(c.jwks), c.uat, c.uat + s.cacheMaxAge);
      } catch {
        // An unusable cached set is as good as none.
      }
    }
  }

  #install(text, uat, expiresAt) {
    // A 200 with a well-formed JWKS is the issuer's word, even one with no usable key (a
    // revocation): it replaces the set, as jose's reload does. Only a body that is not a JWKS
    // throws here, and is then treated as an outage (the last good set keeps serving).
    const verifier = Verifier.fromPublished(text);
    this.#s.onKeys?.(text);
    this.#verifier = verifier;
    this.#text = text;
    this.#uat = uat;
    this.#expiresAt = expiresAt;
  }

  #lifetime(age) {
    const { cacheMinAge, cacheMaxAge, cacheDefaultAge } = this.#s;
    return Math.min(Math.max(age ?? cacheDefaultAge, cacheMinAge), cacheMaxAge);
  }

  get fresh() {
    return this.#verifier !== null && Date.now() < this.#expiresAt;
  }

  /** Whether the installed set may still be used: fresh, or stale within maxStaleDuration. */
  get usable() {
    return this.#verifier !== null && Date.now() < this.#expiresAt + this.#s.maxStaleDuration;
  }

  get coolingDown() {
    const now = Date.now();
    return now - this.#kidRefetchAt < this.#s.cooldownDuration || now - this.#failedAt < this.#s.cooldownDuration;
  }

  get reloading() {
    return this.#pending !== null;
  }

  get fetchedAt() {
    return this.#uat;
  }

  jwks() {
    return this.#text === null ? undefined : JSON.parse(this.#text);
  }

  /** One fetch at a time: callers share its promise, which settles once the set is installed. */
  reload() {
    this.#pending ??= (async () => {
      try {
        const { text, maxAge: age } = await this.#load(this.#s);
        const now = Date.now();
        this.#install(text, now, now + this.#lifetime(age));
        this.#failedAt = -Infinity;
        this.#error = null;
        if (this.#s.cache) {
          this.#s.cache.uat = now;
          this.#s.cache.jwks = JSON.parse(text);
        }
        if (this.#s.store) {
          await Promise.resolve()
            .then(() => this.#s.store.put({ url: this.#s.id, jwks: text, uat: now, expiresAt: this.#expiresAt }))
            .catch((e) => this.#s.onError?.(e));
        }
      } catch (e) {
        this.#failedAt = Date.now();
        this.#error = e;
        this.#s.onError?.(e);
        throw e;
      } finally {
        this.#pending = null;
      }
    })();
    return this.#pending;
  }

  /** The persistent cache, read once before the first fetch. */
  #warm() {
    if (!this.#s.store || this.#verifier) return null;
    this.#warming ??= (async () => {
      try {
        const saved = await this.#s.store.get();
        // An entry is this set's only if it names this set's URL (a store shared by sets, or a
        // set whose URL changed, never lends keys). Its times are clamped: fetched no later than
        // now, fresh at most cacheMaxAge after that, so a wrong or hostile entry cannot keep a
        // set alive longer than a fetch would have.
        if (saved && saved.url === this.#s.id && typeof saved.jwks === 'string' && Number.isFinite(saved.uat) && !this.#verifier) {
          const uat = Math.min(saved.uat, Date.now());
          const latest = uat + this.#s.cacheMaxAge;
          const expiresAt = Number.isFinite(saved.expiresAt) ? Math.min(saved.expiresAt, latest) : latest;
          if (Date.now() < expiresAt + this.#s.maxStaleDuration) this.#install(saved.jwks, uat, expiresAt);
        }
      } catch (e) {
        this.#s.onError?.(e);
      }
    })();
    return this.#warming;
  }

  /**
   * Resolves to the Verifier for the current keys. A set past its freshness is refetched (unless
   * a fetch failed within the cooldown); the caller waits for that fetch, unless `waitUntil` is
   * given and a usable set is installed: then the fetch goes on in the background, handed to
   * `waitUntil` (a Worker's ctx.waitUntil) to be kept alive. Rejects with the last fetch's
   * error when no usable set is left.
   */
  async ready({ waitUntil, token } = {}) {
    await this.#warm();
    if (!this.#pending && !this.fresh && Date.now() - this.#failedAt >= this.#s.cooldownDuration) {
      // A malformed token is refused as it would be with keys at hand, before any fetch.
      if (token !== undefined && !this.usable) decodeUnverified(token);
      this.reload().catch(() => {});
    }
    if (this.#pending) {
      if (this.usable && waitUntil) waitUntil(this.#pending.catch(() => {}));
      else await this.#pending.catch(() => {});
    }
    if (this.usable) return this.#verifier;
    throw this.#error ?? new JOSEError('no JSON Web Key Set could be fetched');
  }

  /**
   * A token named a key the set lacks: refetch, unless one was made for an unknown kid (or a
   * fetch failed) within the cooldown. Resolves to the new Verifier, or null when none was fetched.
   */
  async unknownKid() {
    if (!this.#pending) {
      if (this.coolingDown) return null;
      this.#kidRefetchAt = Date.now();
    }
    try {
      await this.reload();
    } catch {
      return null;
    }
    return this.#verifier;
  }
}

/** jose's RemoteJWKSet function and properties, plus this package's, over a RemoteKeySet. */
function expose(set, extra = {}) {
  const get = (f) => ({ get: f, enumerable: true });
  return keySetFunction(
    { verifier: (token) => set.ready({ token }), unknownKid: () => set.unknownKid() },
    {
      coolingDown: get(() => set.coolingDown),
      fresh: get(() => set.fresh),
      reloading: get(() => set.reloading),
      reload: { value: () => set.reload(), enumerable: true },
      jwks: { value: () => set.jwks(), enumerable: true },
      // Beyond jose: the gate's calls.
      ready: { value: (options) => set.ready(options), enumerable: true },
      unknownKid: { value: () => set.unknownKid(), enumerable: true },
      fetchedAt: get(() => set.fetchedAt),
      ...extra,
    },
  );
}

/**
 * A key set fetched from a JWKS URL, with jose's createRemoteJWKSet options and defaults
 * (timeoutDuration 5 s, cooldownDuration 30 s, cacheMaxAge 10 min, headers, customFetch,
 * jwksCache) and this package's (cacheMinAge, cacheDefaultAge, maxStaleDuration,
 * maxResponseBytes, store, onKeys, onError). Nothing is fetched until the first verify.
 */
export function createRemoteJWKSet(url, options) {
  if (!(url instanceof URL) && typeof url !== 'string') throw invalidArgument('url must be an instance of URL');
  const href = checkUrl(url instanceof URL ? url.href : url, 'url').href;
  const s = { ...settings(options), id: href };
  const set = new RemoteKeySet(s, (o) => get(href, o, { accept: 'application/json, application/jwk-set+json', what: 'JSON Web Key Set', Invalid: JWKSInvalid }));
  return expose(set);
}

/**
 * A key set found by OpenID Connect discovery: `<issuer>/.well-known/openid-configuration`,
 * whose `issuer` must equal `issuer` exactly (checked in Rust), then its `jwks_uri`, both
 * fetched on every refresh with the rules and options of createRemoteJWKSet. The issuer and
 * the jwks_uri must use https (plain http on loopback addresses only).
 */
export function createIssuerJWKSet(issuer, options) {
  if (typeof issuer !== 'string') throw invalidArgument('argument issuer must be a string');
  const base = checkUrl(issuer, 'issuer');
  if (base.search || base.hash) throw invalidArgument('argument issuer must have no query or fragment (OpenID Connect Discovery section 2)');
  const discovery = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  const s = { ...settings(options), id: discovery };
  const origin = new URL(discovery).origin;
  let jwksUri;
  const set = new RemoteKeySet(s, async (o) => {
    const doc = await get(discovery, o, { accept: 'application/json', what: 'OpenID Connect discovery document', Invalid: DiscoveryInvalid });
    const uri = checkUrl(discoveryJwksUri(doc.text, issuer), 'jwks_uri', DiscoveryInvalid);
    // The caller's headers (an Authorization, say) are for the issuer: a jwks_uri on another
    // origin, which the discovery document chooses, gets none of them.
    const sameOrigin = uri.origin === origin;
    const keys = await get(uri.href, sameOrigin ? o : { ...o, headers: undefined }, { accept: 'application/json, application/jwk-set+json', what: 'JSON Web Key Set', Invalid: JWKSInvalid });
    jwksUri = uri.href;
    const ages = [doc.maxAge, keys.maxAge].filter((a) => a !== null);
    return { text: keys.text, maxAge: ages.length ? Math.min(...ages) : null };
  });
  return expose(set, {
    issuer: { value: issuer, enumerable: true },
    discoveryUrl: { value: discovery, enumerable: true },
    jwksUri: { get: () => jwksUri, enumerable: true },
  });
}
