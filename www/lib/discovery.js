// Fetches an issuer's keys the way OpenID Connect Discovery 1.0 (section 4) and Kubernetes'
// service-account-issuer-discovery describe: <issuer>/.well-known/openid-configuration, then its
// jwks_uri. Runs only when the user presses the button; sends no cookies and no referrer, follows
// no redirects (as jose's createRemoteJWKSet and the gate's key fetcher, worker/src/keys.mjs, do:
// the keys come from the URL shown, or not at all), and stops reading a body at 1 MB.

import { discoveryJwksUri } from '../pkg/jwksgate.js';
import { asciiUrl } from './format.js';
import { MAX_KEYS_BYTES } from './keys.js';

const CREDENTIALS = 'carries a user name and password. Browsers refuse to fetch such a URL, and the inspector never sends one';

/** A URL for the user: ASCII host, no user name or password. */
const show = (url) => asciiUrl(url.href) ?? url.href;

/** The discovery URL for an issuer, or throws an Error saying why the issuer is not a URL. */
export function discoveryUrl(issuer) {
  let url;
  try {
    url = new URL(issuer);
  } catch {
    throw new Error(`The issuer "${issuer.slice(0, 200)}" is not a URL, so it has no discovery document. Paste its keys instead.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('The issuer must be an https URL.');
  if (url.username || url.password) throw new Error(`The issuer ${show(url)} ${CREDENTIALS}: no issuer's URL has them.`);
  if (url.search || url.hash) throw new Error('An issuer URL has no query or fragment (OpenID Connect Discovery §2).');
  // `href` is the ASCII form: an internationalised host is fetched (and shown) as xn--...
  return new URL(`${url.href.replace(/\/+$/, '')}/.well-known/openid-configuration`);
}

/** Reads a body up to `max` bytes, cancelling the stream past that: never the whole of it. */
async function readCapped(res, max, tooLarge) {
  const announced = Number(res.headers.get('content-length'));
  if (announced > max) {
    await res.body?.cancel();
    throw tooLarge();
  }
  const reader = res.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
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

async function getText(url, what, signal) {
  if (url.username || url.password) throw new Error(`The ${what} URL ${show(url)} ${CREDENTIALS}.`);
  let res;
  try {
    res = await fetch(url, { credentials: 'omit', referrerPolicy: 'no-referrer', redirect: 'manual', cache: 'no-store', signal });
  } catch (e) {
    if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error(`Gave up waiting for ${show(url)}.`);
    throw new Error(`The browser could not fetch the ${what} at ${show(url)}: the server sent no CORS header allowing this page (Access-Control-Allow-Origin), or it cannot be reached. Kubernetes API servers usually do both; fetch it yourself (kubectl get --raw /openid/v1/jwks) and paste it.`);
  }
  if (res.type === 'opaqueredirect' || (res.status >= 300 && res.status < 400)) {
    throw new Error(`The ${what} at ${show(url)} answered with a redirect. The inspector follows no redirects (as jose and the gate do not), so the keys come from the address shown or not at all: use the address it redirects to.`);
  }
  if (res.status !== 200) {
    await res.body?.cancel();
    throw new Error(`The ${what} at ${show(url)} answered HTTP ${res.status}.`);
  }
  const bytes = await readCapped(res, MAX_KEYS_BYTES, () => new Error(`The ${what} at ${show(url)} is over 1 MB; the inspector stopped reading it.`));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Error(`The ${what} at ${show(url)} is not UTF-8 text.`);
  }
}

/**
 * Resolves to { discovery, jwksUri, text }: both URLs as fetched (ASCII) and the JWKS as served;
 * or rejects with a message for the user. `signal` aborts it (with its reason).
 */
export async function fetchIssuerKeys(issuer, { timeoutMs = 15000, signal } = {}) {
  const url = discoveryUrl(issuer);
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(new Error(`Gave up waiting for ${show(url)} after ${timeoutMs / 1000} s.`)), timeoutMs);
  const stop = () => ctl.abort(signal.reason);
  signal?.addEventListener('abort', stop, { once: true });
  try {
    const doc = await getText(url, 'discovery document', ctl.signal);
    // OpenID Connect Discovery §4.3 (the document names exactly this issuer), in the package.
    let jwksUri;
    try {
      jwksUri = new URL(discoveryJwksUri(doc, issuer));
    } catch (e) {
      throw new Error(e.code ? `The ${e.message}.` : 'The discovery document\'s jwks_uri is not a URL.');
    }
    if (jwksUri.protocol !== 'https:' && jwksUri.protocol !== 'http:') throw new Error('The jwks_uri must be an https URL.');
    const text = await getText(jwksUri, 'key set', ctl.signal);
    return { discovery: show(url), jwksUri: show(jwksUri), text };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', stop);
  }
}
