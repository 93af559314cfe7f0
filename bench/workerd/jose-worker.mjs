// The workerd benchmark's contender (bench/workerd.mjs): a Vault-style JWT login written on jose,
// doing what the gate's login checks for a token — verify it against the JWKS binding under
// JWT_SUPPORTED_ALGS, check BOUND_ISSUER and the role's bound_audiences, read user_claim — and
// answering with a session token MACed by HMAC-SHA-256 under SESSION_SECRET in Vault's
// envelope. It stores no session, where the gate writes each to its Durable Object store: less
// work than the gate's login. GET /floor answers {} at once: the HTTP and workerd cost alone. Not a product.
import { createLocalJWKSet, jwtVerify } from '../node_modules/jose/dist/webapi/index.js';

let state = null;
function setup(env) {
  state ??= {
    keys: createLocalJWKSet(JSON.parse(env.JWKS)),
    roles: JSON.parse(env.ROLES),
    algorithms: env.JWT_SUPPORTED_ALGS.split(','),
    mac: crypto.subtle.importKey('raw', new TextEncoder().encode(env.SESSION_SECRET), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']),
  };
  return state;
}

const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === '/floor') return Response.json({});
    if (request.method !== 'POST' || url.pathname !== '/v1/auth/jwt/login') return Response.json({ errors: [] }, { status: 405 });
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
