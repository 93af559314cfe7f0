// The gate's Kubernetes mounts (Vault's Kubernetes auth method, vault-plugin-auth-kubernetes):
// the login's checks and the TokenReview it sends are written in Rust (KubernetesGate); this
// file only moves the review to the API server and its answer back. With a CA (kubernetes_ca_cert,
// or the pod's ca.crt from FILES) the review goes through the pinned-CA client (./net.mjs);
// without one, through fetch() and the platform's public roots (Vault's system pool).
import * as gateModule from '../pkg/workerd.mjs';
import { KubernetesGate } from '../pkg/workerd.mjs';
import { readCapped } from './keys.mjs';
import { httpsFetch } from './net.mjs';

/** How long a positive TokenReview of a Bearer token is reused, and how many are kept. */
const REVIEW_CACHE_MS = 10_000;
const REVIEW_CACHE_ENTRIES = 1000;

/** Largest TokenReview answer read (src/gate/kubernetes/review.rs MAX_REVIEW_BYTES). */
const MAX_REVIEW_BYTES = 64 * 1024;

function text(v) {
  return typeof v === 'string' ? v : v == null ? '' : JSON.stringify(v);
}

/** The review sent, and the API server's status and body; a failure to reach it is status 0. */
async function ask(review, timeoutMs) {
  try {
    if (review.caPem) {
      const r = await httpsFetch(gateModule, { url: review.url, caPem: review.caPem, method: 'POST', headers: review.headers, body: review.body, maxBytes: MAX_REVIEW_BYTES, timeoutMs });
      return { status: r.status, body: r.body instanceof Uint8Array ? r.body : new TextEncoder().encode(text(r.body)) };
    }
    const r = await fetch(review.url, { method: 'POST', headers: review.headers, body: review.body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    const body = await readCapped(r, MAX_REVIEW_BYTES, () => new Error(`the TokenReview answer is larger than ${MAX_REVIEW_BYTES} bytes`));
    return { status: r.status, body };
  } catch (e) {
    // Vault answers a review it could not make with 403 permission denied, as any other.
    console.error(`jwksgate: TokenReview at ${review.url} failed: ${e && e.message ? e.message : e}`);
    return { status: 0, body: new Uint8Array(0) };
  }
}

/**
 * One Kubernetes mount of AUTH_CONFIG, in the shape index.mjs keeps its mounts in, with
 * `kubernetes.login` in place of the JWT mounts' precheck and login. `keys` makes a local-mode
 * mount's key set (the issuer's JWKS), as for JWT mounts.
 */
export function kubernetesMount(env, entry, keys) {
  const gate = new KubernetesGate(entry, {
    KUBERNETES_SERVICE_HOST: text(env.KUBERNETES_SERVICE_HOST),
    KUBERNETES_SERVICE_PORT: text(env.KUBERNETES_SERVICE_PORT),
    FILES: text(env.FILES),
  }, env.SESSION_SECRET);
  const timeoutMs = Number(env.KUBERNETES_REVIEW_TIMEOUT_MS) > 0 ? Number(env.KUBERNETES_REVIEW_TIMEOUT_MS) : 5000;
  const local = gate.local;
  const mount = { gate, path: gate.mount, defaultRole: gate.defaultRole || '', issuer: gate.issuer ?? null, keys: keys(gate, local) };
  // The API server's positive answers for Bearer tokens, by SHA-256 of the token, for
  // REVIEW_CACHE_MS (kube-apiserver itself caches positive reviews 10 s): every check is still
  // run in Rust on each request; only the review is not asked again within that time.
  const reviewed = new Map();
  mount.kubernetes = {
    /** Vault's login: every check before the review, the review, then the rest, all in Rust. */
    async login(role, jwt, remote, now, sessionId, requestId, ready) {
      if (local && local !== 'pem_keys') await ready();
      // Local mode sends no review: login runs every check, once (review would run them all
      // first, the signature's verification among them, to answer null).
      const review = local ? null : gate.review(role, jwt, remote, now());
      if (!review) return gate.login(role, jwt, remote, now(), null, null, sessionId, requestId);
      const answer = await ask(review, timeoutMs);
      return gate.login(role, jwt, remote, now(), answer.status, answer.body, sessionId, requestId);
    },
  };
  mount.kubernetes.authorize = async (role, jwt, remote, now, ready) => {
    if (local && local !== 'pem_keys') await ready();
    const review = local ? null : gate.review(role, jwt, remote, now());
    if (!review) return gate.authorize(role, jwt, remote, now(), null, null);
    const key = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(jwt))), (b) => b.toString(16).padStart(2, '0')).join('');
    const hit = reviewed.get(key);
    const cached = hit && hit.until > Date.now();
    const answer = cached ? hit.answer : await ask(review, timeoutMs);
    const identity = gate.authorize(role, jwt, remote, now(), answer.status, answer.body);
    // Only an answer asked now is kept, for 10 s from now: a cached one is never extended.
    if (!cached) {
      for (const [k, v] of reviewed) if (v.until <= Date.now() || reviewed.size >= REVIEW_CACHE_ENTRIES) reviewed.delete(k);
      reviewed.set(key, { answer, until: Date.now() + REVIEW_CACHE_MS });
    }
    return identity;
  };
  return mount;
}
