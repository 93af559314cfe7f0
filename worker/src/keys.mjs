// Key sets for the gate: OIDC discovery (OpenID Connect Discovery 1.0 section 4) or a JWKS URL
// (RFC 7517), fetched defensively and cached per isolate, optionally persisted in KV.
// Only HTTP lives here; whether a key verifies a token is decided in Rust.
import { discoveryJwksUri } from '../pkg/workerd.mjs';

/** Thrown when no key set is available: the worker answers 503. */
export class NoKeysError extends Error {
  constructor(message) {
    super(message);
    this.name = 'NoKeysError';
  }
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\]|localhost)$/i;

/** https only, except on loopback (local development and tests). No credentials in URLs. */
export function checkKeyUrl(text, what) {
  let url;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`${what} is not a valid URL`);
  }
  const loopback = LOOPBACK.test(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new Error(`${what} must use https (plain http is allowed on loopback addresses only)`);
  }
  if (url.username || url.password) throw new Error(`${what} must not carry credentials`);
  return url;
}

/** Cache-Control max-age (RFC 9111 section 5.2.2.1), or null; no-store/no-cache count as 0. */
export function maxAge(header) {
  if (!header) return null;
  let age = null;
  for (const part of header.split(',')) {
    const [k, v] = part.trim().split('=');
    const key = k.toLowerCase();
    if (key === 'no-store' || key === 'no-cache') return 0;
    if (key === 'max-age' && /^\d+$/.test((v || '').replace(/"/g, ''))) age = Number(v.replace(/"/g, ''));
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
    await message.body?.cancel();
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
      await reader.cancel();
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

/** GET with a timeout, no redirects followed, 200 only, a size cap. Returns {text, maxAge}. */
export async function fetchBounded(url, { timeoutMs, maxBytes, fetchImpl = fetch }) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetchImpl(url.toString(), {
      method: 'GET',
      redirect: 'manual',
      headers: { accept: 'application/json' },
      signal: controller.signal,
    });
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new Error(`${url.origin}${url.pathname} answered ${response.status}`);
    }
    const bytes = await readCapped(response, maxBytes, () => new Error(`response larger than ${maxBytes} bytes`));
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return { text, maxAge: maxAge(response.headers.get('cache-control')) };
  } catch (e) {
    if (controller.signal.aborted) throw new Error(`${url.origin}${url.pathname} did not answer within ${timeoutMs} ms`);
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A remote key set: discovery (issuer must equal the configured URL exactly) or a JWKS URL.
 * One fetch in flight at a time; cache lifetime from Cache-Control, clamped; an expired set
 * refreshed in the background while it keeps serving; one refetch on an unknown kid outside a
 * cooldown; the last good set served while refreshes fail, up to maxStale.
 */
export class RemoteKeys {
  constructor({ discoveryUrl, jwksUrl, settings, kv, install }) {
    this.discoveryUrl = discoveryUrl ? checkKeyUrl(discoveryUrl, 'OIDC_DISCOVERY_URL') : null;
    this.jwksUrl = jwksUrl ? checkKeyUrl(jwksUrl, 'JWKS_URL') : null;
    this.settings = settings;
    this.kv = kv || null;
    this.install = install; // (jwksText) => void, throws on a bad set
    this.kvKey = `jwks:${discoveryUrl || jwksUrl}`;
    this.good = null; // { fetchedAt, expiresAt } of the installed set
    this.inflight = null;
    this.lastFailure = 0;
    this.lastFailureReason = '';
    this.lastKidRefetch = -Infinity;
    this.kvChecked = false;
  }

  ttl(age) {
    const s = this.settings;
    const seconds = age == null ? s.defaultTtl : age;
    return Math.min(Math.max(seconds, s.minTtl), s.maxTtl) * 1000;
  }

  async fetchSet() {
    const limits = { timeoutMs: this.settings.timeoutMs, maxBytes: this.settings.maxBytes };
    let jwksUrl = this.jwksUrl;
    let ages = [];
    if (this.discoveryUrl) {
      const base = this.discoveryUrl.toString().replace(/\/$/, '');
      const doc = await fetchBounded(new URL(`${base}/.well-known/openid-configuration`), limits);
      // Strict JSON and the exact issuer are checked in Rust; the URL policy is the worker's.
      jwksUrl = checkKeyUrl(discoveryJwksUri(doc.text, this.settings.discoveryIssuer), 'jwks_uri');
      ages.push(doc.maxAge);
    }
    const set = await fetchBounded(jwksUrl, limits);
    ages.push(set.maxAge);
    const known = ages.filter((a) => a != null);
    return { text: set.text, maxAge: known.length ? Math.min(...known) : null };
  }

  /** One refresh at a time: concurrent callers share the same promise. */
  refresh() {
    if (!this.inflight) {
      this.inflight = (async () => {
        try {
          const { text, maxAge: age } = await this.fetchSet();
          this.install(text);
          const now = Date.now();
          this.good = { fetchedAt: now, expiresAt: now + this.ttl(age) };
          this.lastFailure = 0;
          if (this.kv) {
            const expirationTtl = Math.max(60, Math.ceil(this.settings.maxStale + this.ttl(age) / 1000));
            await this.kv.put(this.kvKey, JSON.stringify({ jwks: text, ...this.good }), { expirationTtl }).catch(() => {});
          }
          return true;
        } catch (e) {
          this.lastFailure = Date.now();
          this.lastFailureReason = e.message;
          console.error(`jwksgate: key refresh failed: ${e.message}`);
          return false;
        } finally {
          this.inflight = null;
        }
      })();
    }
    return this.inflight;
  }

  async warmFromKv() {
    this.kvChecked = true;
    if (!this.kv || this.good) return;
    try {
      const saved = await this.kv.get(this.kvKey, 'json');
      if (saved && typeof saved.jwks === 'string' && Date.now() - saved.expiresAt < this.settings.maxStale * 1000) {
        this.install(saved.jwks);
        this.good = { fetchedAt: saved.fetchedAt, expiresAt: saved.expiresAt };
      }
    } catch (e) {
      console.error(`jwksgate: cached keys in KV are unusable: ${e.message}`);
    }
  }

  /**
   * Makes sure a usable set is installed; throws NoKeysError when none is. An expired set is
   * refreshed (unless a refresh failed within the cooldown: the issuer is not hammered by every
   * request while it is down). While a refresh runs, requests go on with the installed set if
   * it is within the staleness bound, and `waitUntil` (the request's ctx.waitUntil) keeps the
   * refresh alive; without such a set they wait for it. A token naming a key the set lacks
   * still waits for the refresh, through `unknownKid`.
   */
  async ready(waitUntil) {
    if (!this.kvChecked) await this.warmFromKv();
    const now = Date.now();
    if (!this.inflight && (!this.good || now >= this.good.expiresAt)) {
      const backingOff = this.lastFailure && now - this.lastFailure < this.settings.cooldown * 1000;
      if (!backingOff) this.refresh();
    }
    if (this.inflight) {
      const usable = this.good && now - this.good.expiresAt < this.settings.maxStale * 1000;
      if (usable && waitUntil) waitUntil(this.inflight);
      else await this.inflight;
    }
    if (!this.good) {
      throw new NoKeysError(`no keys available to verify tokens (${this.lastFailureReason || 'not fetched yet'})`);
    }
    if (Date.now() - this.good.expiresAt >= this.settings.maxStale * 1000) {
      throw new NoKeysError(`cached keys are older than the staleness bound and the issuer cannot be reached (${this.lastFailureReason})`);
    }
  }

  /** A token named a kid the set lacks: refetch once, unless one happened within the cooldown. */
  async unknownKid() {
    const now = Date.now();
    if (this.inflight) return this.inflight;
    if (now - this.lastKidRefetch < this.settings.cooldown * 1000) return false;
    this.lastKidRefetch = now;
    return this.refresh();
  }
}

/** A fixed key set (JWKS or PEM keys in the configuration): nothing to fetch. */
export class StaticKeys {
  async ready() {}
  async unknownKid() {
    return false;
  }
}
