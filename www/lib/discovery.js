// Fetches an issuer's keys the way OpenID Connect Discovery 1.0 (section 4) and Kubernetes'
// service-account-issuer-discovery describe: <issuer>/.well-known/openid-configuration, then its
// jwks_uri. Runs only when the user presses the button; sends no cookies and no referrer.

import { discoveryJwksUri } from '../pkg/jwksgate.js';
import { MAX_KEYS_BYTES } from './keys.js';

/** The discovery URL for an issuer, or throws an Error saying why the issuer is not a URL. */
export function discoveryUrl(issuer) {
  let url;
  try {
    url = new URL(issuer);
  } catch {
    throw new Error(`The issuer "${issuer.slice(0, 200)}" is not a URL, so it has no discovery document. Paste its keys instead.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('The issuer must be an https URL.');
  if (url.search || url.hash) throw new Error('An issuer URL has no query or fragment (OpenID Connect Discovery §2).');
  return `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
}

async function getText(url, what, signal) {
  let res;
  try {
    res = await fetch(url, { credentials: 'omit', referrerPolicy: 'no-referrer', redirect: 'follow', cache: 'no-store', signal });
  } catch (e) {
    if (signal?.aborted) throw new Error(`Gave up waiting for ${url}.`);
    throw new Error(`The browser could not fetch the ${what} at ${url}: the server sent no CORS header allowing this page (Access-Control-Allow-Origin), or it cannot be reached. Kubernetes API servers usually do both; fetch it yourself (kubectl get --raw /openid/v1/jwks) and paste it.`);
  }
  if (res.status !== 200) throw new Error(`The ${what} at ${url} answered HTTP ${res.status}.`);
  const text = await res.text();
  if (text.length > MAX_KEYS_BYTES) throw new Error(`The ${what} at ${url} is over 1 MB.`);
  return text;
}

/** Resolves to { jwksUri, text } (the JWKS as served), or rejects with a message for the user. */
export async function fetchIssuerKeys(issuer, { timeoutMs = 15000 } = {}) {
  const url = discoveryUrl(issuer);
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeoutMs);
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
    const text = await getText(jwksUri.href, 'key set', ctl.signal);
    return { jwksUri: jwksUri.href, text };
  } finally {
    clearTimeout(timer);
  }
}
