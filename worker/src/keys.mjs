// Key sets for the gate: OIDC discovery (OpenID Connect Discovery 1.0 section 4) or a JWKS URL
// (RFC 7517), fetched and cached per isolate by the package's remote key sets, persisted in KV.
// Only HTTP lives here; whether a key verifies a token is decided in Rust. A mount with a pinned
// CA (oidc_discovery_ca_pem, jwks_ca_pem) fetches through the gate's own TLS (net.mjs), never
// through fetch(); one without keeps fetch().
import * as wasm from '../pkg/workerd.mjs';
import { httpsFetch } from './net.mjs';

const { createIssuerJWKSet, createRemoteJWKSet, customFetch, fetchableUrl, sameOrigin } = wasm;

/** Thrown when no key set is available: the worker answers 503. */
export class NoKeysError extends Error {
  constructor(message) {
    super(message);
    this.name = 'NoKeysError';
  }
}

/**
 * https only, except on loopback (local development and tests); no credentials in URLs: the
 * crate's one rule (src/fetch.rs, `fetchableUrl`), on the URL as fetch will request it.
 */
export function checkKeyUrl(text, what) {
  let url;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`${what} is not a valid URL`);
  }
  const refusal = fetchableUrl(url.href, what);
  if (refusal) throw new Error(refusal.message);
  return url;
}

// Request bodies are read as the package reads key set responses: capped, refused early.
export { readCapped } from '../pkg/remote.mjs';

/**
 * The fetch the key set uses: with a CA, a fetch-shaped function over httpsFetch (the pinned
 * roots only, through connect()); without, the platform's fetch(). With a bearer token
 * (oidc_discovery_bearer_token), Authorization: Bearer goes to the discovery URL's origin only
 * (decided in Rust, `sameOrigin`): never to a jwks_uri elsewhere, never over plain http.
 */
export function keysFetch({ caPem = null, bearer = null, discoveryUrl = null, maxBytes, timeoutMs }) {
  const send = caPem
    ? async (url, { headers, signal } = {}) => {
        const r = await httpsFetch(wasm, { url: String(url), caPem, method: 'GET', headers, maxBytes, timeoutMs, signal });
        return new Response(r.status === 204 ? null : r.body, { status: r.status, headers: r.headers });
      }
    : (url, init) => fetch(url, init);
  if (!bearer) return send;
  return (url, init = {}) => {
    const headers = new Headers(init.headers);
    headers.delete('authorization');
    if (discoveryUrl && sameOrigin(String(url), discoveryUrl)) headers.set('authorization', `Bearer ${bearer}`);
    return send(url, { ...init, headers });
  };
}

/**
 * A remote key set: discovery (issuer must equal the configured URL exactly) or a JWKS URL,
 * fetched and cached by the package's createIssuerJWKSet / createRemoteJWKSet (js/remote.mjs,
 * the project's one implementation of remote keys): one fetch in flight, the lifetime from
 * Cache-Control clamped to [minTtl, maxTtl], an expired set refreshed in the background while it
 * keeps serving, one refetch on an unknown kid per cooldown, the last good set served while
 * refreshes fail up to maxStale, KV as its persistent store. Settings are in seconds.
 */
export class RemoteKeys {
  constructor({ discoveryUrl, jwksUrl, caPem = null, bearer = null, settings: s, kv, kvScope = '', install }) {
    const url = discoveryUrl ? checkKeyUrl(discoveryUrl, 'OIDC_DISCOVERY_URL') : checkKeyUrl(jwksUrl, 'JWKS_URL');
    if (caPem && url.protocol !== 'https:') throw new Error('a pinned CA (oidc_discovery_ca_pem, jwks_ca_pem) needs an https URL');
    // One entry per mount: two mounts never share a cached set, even for one URL.
    const kvKey = kvScope ? `jwks:${kvScope}:${discoveryUrl || jwksUrl}` : `jwks:${discoveryUrl || jwksUrl}`;
    // What KV holds, as last read or written here: KV bills writes (the free plan allows 1,000 a
    // day), so an unchanged set is written again only once the entry is half-way through
    // maxStale, which keeps it from lapsing.
    let stored = null;
    const options = {
      timeoutDuration: s.timeoutMs,
      maxResponseBytes: s.maxBytes,
      cacheDefaultAge: s.defaultTtl * 1000,
      cacheMinAge: s.minTtl * 1000,
      cacheMaxAge: s.maxTtl * 1000,
      cooldownDuration: s.cooldown * 1000,
      maxStaleDuration: s.maxStale * 1000,
      // (jwksText) => void: installs the set as published (an empty one is a revocation), throws
      // on a body that is not a JWKS.
      onKeys: install,
      onError: (e) => console.error(`jwksgate: key refresh failed: ${e.code && e.code !== 'ERR_JOSE_GENERIC' ? `${e.code}: ` : ''}${e.message}`),
      [customFetch]: caPem || bearer ? keysFetch({ caPem, bearer, discoveryUrl, maxBytes: s.maxBytes, timeoutMs: s.timeoutMs }) : undefined,
      store: kv && {
        // Entries written before the package kept them name `uat` `fetchedAt`.
        get: async () => {
          const saved = await kv.get(kvKey, 'json');
          stored = saved && { url: saved.url, jwks: saved.jwks, uat: saved.uat ?? saved.fetchedAt };
          return saved && { ...saved, uat: saved.uat ?? saved.fetchedAt };
        },
        put: async (entry) => {
          // An entry without the set's URL (written before entries named it) is rewritten once.
          if (stored && stored.url === entry.url && stored.jwks === entry.jwks && entry.uat - stored.uat < s.maxStale * 500) return;
          console.log(`jwksgate: key set cached in KV (${kvKey})`);
          const expirationTtl = Math.max(60, Math.ceil(s.maxStale + (entry.expiresAt - Date.now()) / 1000));
          await kv.put(kvKey, JSON.stringify(entry), { expirationTtl });
          stored = { url: entry.url, jwks: entry.jwks, uat: entry.uat };
        },
      },
    };
    // Strict JSON and the exact issuer are checked in Rust; the URL policy is the package's.
    this.set = discoveryUrl ? createIssuerJWKSet(s.discoveryIssuer, options) : createRemoteJWKSet(url, options);
  }

  /**
   * Makes sure a usable set is installed; throws NoKeysError when none is. While an expired set
   * is refreshed, requests go on with it if it is within the staleness bound, and `waitUntil`
   * (the request's ctx.waitUntil) keeps the refresh alive; without such a set they wait for it.
   * A token naming a key the set lacks still waits for the refresh, through `unknownKid`.
   */
  async ready(waitUntil) {
    try {
      await this.set.ready({ waitUntil });
    } catch (e) {
      if (this.set.fetchedAt === undefined) throw new NoKeysError(`no keys available to verify tokens (${e.message})`);
      throw new NoKeysError(`cached keys are older than the staleness bound and the issuer cannot be reached (${e.message})`);
    }
  }

  /** A token named a kid the set lacks: refetch once, unless one happened within the cooldown. */
  async unknownKid() {
    return (await this.set.unknownKid()) !== null;
  }
}

/** A fixed key set (JWKS or PEM keys in the configuration): nothing to fetch. */
export class StaticKeys {
  async ready() {}
  async unknownKid() {
    return false;
  }
}
