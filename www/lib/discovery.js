// Fetches an issuer's keys with the package's createIssuerJWKSet (js/remote.mjs: OpenID Connect
// Discovery 1.0 section 4, <issuer>/.well-known/openid-configuration then its jwks_uri; the
// document's issuer checked in Rust; https, or http on loopback only; no redirect followed; 200
// only; bodies streamed and cut at 512 KiB; a deadline), so the page and the package share one
// implementation of remote keys. What is the page's own: it runs only when the user presses the
// button; its fetch sends no cookies, no referrer and takes nothing from the HTTP cache; the
// page's own stop (a newer fetch, another issuer) aborts it; and every failure is told in words
// for the user, with each URL as fetched (ASCII host, no password).

import { fetchableUrl } from '../pkg/jwksgate.js';
import { createIssuerJWKSet, customFetch } from '../pkg/remote.mjs';
import { asciiUrl } from './format.js';

/** How long one press of the button may take, discovery and key set together at most twice this. */
export const TIMEOUT_MS = 15000;

const CREDENTIALS = 'carries a user name and password. Browsers refuse to fetch such a URL, and the inspector never sends one';

/** A URL for the user: ASCII host, no user name or password. */
const show = (url) => asciiUrl(String(url)) ?? String(url);

/** The package's key set for `issuer`, fetching with `fetchImpl`; it fetches nothing until reloaded. */
const issuerSet = (issuer, fetchImpl, onKeys) => createIssuerJWKSet(issuer, {
  timeoutDuration: TIMEOUT_MS, [customFetch]: fetchImpl, onKeys,
});

/** The page's words for each code of the package's URL rule (src/fetch.rs, `fetchableUrl`). */
const REFUSED = {
  ERR_URL_SCHEME: () => 'The issuer must be an https URL.',
  ERR_URL_CREDENTIALS: (url) => `The issuer ${show(url)} ${CREDENTIALS}: no issuer's URL has them.`,
  ERR_URL_PLAIN_HTTP: (url) => `The issuer ${show(url)} must be an https URL: plain http is fetched only from a loopback address (127.0.0.0/8, [::1], localhost).`,
};

/**
 * The discovery URL for an issuer, or throws an Error saying why the issuer cannot be fetched:
 * the package's one rule for what may be fetched (`fetchableUrl`, in Rust) told in the page's
 * words, then createIssuerJWKSet's own checks (it refuses, without fetching, what it would
 * refuse to fetch).
 */
export function discoveryUrl(issuer) {
  let url;
  try {
    url = new URL(issuer);
  } catch {
    throw new Error(`The issuer "${issuer.slice(0, 200)}" is not a URL, so it has no discovery document. Paste its keys instead.`);
  }
  const refusal = fetchableUrl(url.href, 'the issuer');
  if (refusal) throw new Error(REFUSED[refusal.code]?.(url) ?? `The issuer ${show(url)} cannot be fetched: ${refusal.message}.`);
  if (url.search || url.hash) throw new Error('An issuer URL has no query or fragment (OpenID Connect Discovery §2).');
  try {
    issuerSet(issuer, () => Promise.reject(new Error('not fetched')));
  } catch (e) {
    throw new Error(`The issuer ${show(url)} cannot be fetched: ${e?.message ?? e}.`);
  }
  // `href` is the ASCII form: an internationalised host is fetched (and shown) as xn--...
  return new URL(`${url.href.replace(/\/+$/, '')}/.well-known/openid-configuration`);
}

/**
 * The fetch the package calls: the page's request options, and the page's `stop` signal beside
 * the package's deadline. A failure the package would report only as "not 200" is told here in
 * the page's words (a blocked cross-origin request, a redirect, the status); `seen.url` keeps the
 * last URL asked for, to name it in the package's errors.
 */
function pageFetch(stop, seen, what) {
  return async (input, init = {}) => {
    const url = new URL(input);
    seen.url = url;
    const signal = init.signal ? AbortSignal.any([init.signal, stop]) : stop;
    let res;
    try {
      res = await fetch(url, { ...init, credentials: 'omit', referrerPolicy: 'no-referrer', cache: 'no-store', redirect: 'manual', signal });
    } catch (e) {
      // Stopped by the page or cut at the package's deadline: the caller says which.
      if (signal.aborted) throw e;
      throw new Error(`The browser could not fetch the ${what(url)} at ${show(url)}: the server sent no CORS header allowing this page (Access-Control-Allow-Origin), or it cannot be reached. Kubernetes API servers usually do both; fetch it yourself (kubectl get --raw /openid/v1/jwks) and paste it.`);
    }
    if (res.type === 'opaqueredirect' || (res.status >= 300 && res.status < 400)) {
      throw new Error(`The ${what(url)} at ${show(url)} answered with a redirect. The inspector follows no redirects (as jose and the gate do not), so the keys come from the address shown or not at all: use the address it redirects to.`);
    }
    if (res.status !== 200) {
      await res.body?.cancel().catch(() => {});
      throw new Error(`The ${what(url)} at ${show(url)} answered HTTP ${res.status}.`);
    }
    return res;
  };
}

/**
 * The page's words for a discovery document's jwks_uri that the package refuses to fetch: its
 * error (ERR_DISCOVERY_INVALID) carries the URL rule's refusal as its `cause`, whose code
 * (src/fetch.rs) says which rule; the message is for people and may change.
 */
const HTTPS_ONLY = 'The discovery document\'s jwks_uri must be an https URL: plain http is fetched only from a loopback address.';
const JWKS_URI_REFUSED = {
  ERR_URL_INVALID: 'The discovery document\'s jwks_uri is not a URL.',
  ERR_URL_CREDENTIALS: `The discovery document's jwks_uri ${CREDENTIALS}.`,
  ERR_URL_SCHEME: HTTPS_ONLY,
  ERR_URL_PLAIN_HTTP: HTTPS_ONLY,
};

/** An error of the package's remote key set, told for the user about the URL it concerns. */
export function explain(e, url, what) {
  const at = url ? `The ${what(url)} at ${show(url)}` : 'The issuer';
  const message = String(e?.message ?? e);
  if (e?.code === 'ERR_JWKS_TIMEOUT') return new Error(`Gave up waiting for ${url ? show(url) : 'the issuer'} after ${TIMEOUT_MS / 1000} s.`);
  if (e?.code === 'ERR_DISCOVERY_INVALID' && Object.hasOwn(JWKS_URI_REFUSED, e.cause?.code)) return new Error(JWKS_URI_REFUSED[e.cause.code]);
  // A body refused by the package (js/remote.mjs `get`): its cause's code says why, never its words.
  const body = (e?.code === 'ERR_JWKS_INVALID' || e?.code === 'ERR_DISCOVERY_INVALID') ? e.cause?.code : undefined;
  if (body === 'ERR_HTTP_TOO_LARGE') {
    const cap = Number.isSafeInteger(e.cause.maxBytes) && e.cause.maxBytes > 0 ? ` ${e.cause.maxBytes / 1024} KB` : ' its size limit';
    return new Error(`${at} is over${cap}; the inspector stopped reading it.`);
  }
  if (body === 'ERR_HTTP_NOT_UTF8') return new Error(`${at} is not UTF-8 text.`);
  // The Rust checks of the discovery document (its issuer, its jwks_uri), in their own words.
  if (e?.code === 'ERR_DISCOVERY_INVALID') return new Error(`The ${message}.`);
  return new Error(`${at} cannot be used: ${e?.code ?? 'ERROR'}: ${message}`);
}

/**
 * Resolves to { discovery, jwksUri, text }: both URLs as fetched (ASCII) and the JWKS as served;
 * or rejects with a message for the user. `signal` stops it (rejecting with its reason).
 */
export async function fetchIssuerKeys(issuer, { signal } = {}) {
  const discovery = discoveryUrl(issuer);
  const what = (url) => (url.href === discovery.href ? 'discovery document' : 'key set');
  const seen = { url: null };
  let text = null;
  const stop = signal ?? new AbortController().signal;
  const set = issuerSet(issuer, pageFetch(stop, seen, what), (served) => { text = served; });
  try {
    await set.reload();
  } catch (e) {
    if (stop.aborted) throw stop.reason instanceof Error ? stop.reason : new Error('Stopped.');
    throw e?.code ? explain(e, seen.url, what) : e;
  }
  return { discovery: show(discovery), jwksUri: show(set.jwksUri), text };
}
