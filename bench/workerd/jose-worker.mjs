// The workerd benchmarks' contender (bench/workerd.mjs, bench/throughput.mjs): a stateless
// Vault-style gate written on jose. Its login does what the gate's login checks for a token —
// verify it against the JWKS binding under JWT_SUPPORTED_ALGS, check BOUND_ISSUER and the role's
// bound_audiences, read user_claim — and answers with a session token MACed by HMAC-SHA-256
// under SESSION_SECRET in Vault's envelope, storing nothing (as the gate's login). Any other
// path is proxied as a stateless gate does it: the session (X-Vault-Token, or Authorization:
// Bearer) has its MAC and expiry checked, then the request goes to ORIGIN with the identity in
// X-Auth-Request-* fields. It keeps no state, so it cannot revoke a session (the gate reads a
// revocation's tombstone on every use). GET /floor answers {} at once: the HTTP and workerd
// cost alone. Not a product.
import { createLocalJWKSet, jwtVerify } from '../node_modules/jose/dist/webapi/index.js';

let state = null;
function setup(env) {
  state ??= {
    keys: createLocalJWKSet(JSON.parse(env.JWKS)),
    roles: JSON.parse(env.ROLES),
    algorithms: env.JWT_SUPPORTED_ALGS.split(','),
    mac: crypto.subtle.importKey('raw', new TextEncoder().encode(env.SESSION_SECRET), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']),
  };
  return state;
}

const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const unb64url = (text) => Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
const denied = () => Response.json({ errors: ['permission denied'] }, { status: 401, headers: { 'www-authenticate': 'Bearer' } });

/** The session's claims when its MAC verifies and it has not expired; null otherwise. */
async function session(s, token) {
  const dot = token.indexOf('.');
  if (dot < 1 || token.indexOf('.', dot + 1) !== -1) return null;
  const body = token.slice(0, dot);
  let ok = false;
  try {
    ok = await crypto.subtle.verify('HMAC', await s.mac, unb64url(token.slice(dot + 1)), new TextEncoder().encode(body));
  } catch {
    return null;
  }
  if (!ok) return null;
  const claims = JSON.parse(new TextDecoder().decode(unb64url(body)));
  return claims.exp > Date.now() / 1000 ? claims : null;
}

async function proxy(request, env, url) {
  if (!env.ORIGIN) return Response.json({ errors: [] }, { status: 404 });
  const s = setup(env);
  const bearer = request.headers.get('authorization')?.match(/^Bearer\s+(\S+)$/i)?.[1];
  const token = request.headers.get('x-vault-token') || bearer;
  if (!token) return denied();
  const claims = await session(s, token);
  if (!claims) return denied();
  const headers = new Headers(request.headers);
  for (const name of ['x-vault-token', 'authorization', 'host', 'content-length']) headers.delete(name);
  headers.set('x-auth-request-user', `jwt/${claims.alias}`);
  headers.set('x-auth-request-groups', claims.policies.join(','));
  const init = { method: request.method, headers, redirect: 'manual' };
  if (!['GET', 'HEAD'].includes(request.method)) init.body = await request.arrayBuffer();
  const r = await fetch(new URL(url.pathname + url.search, env.ORIGIN), init);
  return new Response(r.body, { status: r.status, statusText: r.statusText, headers: r.headers });
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === '/floor') return Response.json({});
    if (url.pathname !== '/v1/auth/jwt/login') return proxy(request, env, url);
    if (request.method !== 'POST') return Response.json({ errors: [] }, { status: 405 });
    const s = setup(env);
    const { role, jwt } = await request.json();
    const r = s.roles[role];
    if (!r) return Response.json({ errors: [`role "${role}" could not be found`] }, { status: 400 });
    try {
      const { payload } = await jwtVerify(jwt, s.keys, { algorithms: s.algorithms, issuer: env.BOUND_ISSUER, audience: r.bound_audiences });
      const alias = payload[r.user_claim];
      if (typeof alias !== 'string') throw new Error(`claim "${r.user_claim}" not found in token`);
      const iat = Math.floor(Date.now() / 1000);
      const session = { role, alias, policies: r.token_policies ?? [], iat, exp: iat + 3600, id: crypto.randomUUID() };
      const body = b64url(new TextEncoder().encode(JSON.stringify(session)));
      const mac = await crypto.subtle.sign('HMAC', await s.mac, new TextEncoder().encode(body));
      return Response.json({
        request_id: crypto.randomUUID(), lease_id: '', renewable: false, lease_duration: 0, data: null, wrap_info: null, warnings: null,
        auth: { client_token: `${body}.${b64url(mac)}`, policies: session.policies, token_policies: session.policies, metadata: { role }, lease_duration: 3600, renewable: false, token_type: 'service' },
      });
    } catch (e) {
      return Response.json({ errors: [`error validating token: ${e.message}`] }, { status: 400 });
    }
  },
};
