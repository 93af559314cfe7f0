// Vault's JWT login (POST /v1/auth/<mount>/login) through workerd: the role rules as a table,
// Vault's response and error shapes, and the HTTP limits (405, 413, 400, 500 on bad config).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Issuer, makeKey, signJwt } from '../dev/issuer.mjs';
import { roles, startGate } from './helpers.mjs';

const AUD = 'https://gate.example';
const base = { role_type: 'jwt', user_claim: 'sub', bound_audiences: [AUD], token_policies: ['shop-read'] };
const ROLES = {
  base,
  aud_list: { ...base, bound_audiences: ['other', AUD] },
  aud_other: { ...base, bound_audiences: ['other'] },
  no_aud: { user_claim: 'sub', bound_subject: 'system:serviceaccount:shop:cart' },
  subject: { ...base, bound_subject: 'system:serviceaccount:shop:cart' },
  ns_string: { ...base, bound_claims: { '/kubernetes.io/namespace': 'shop' } },
  ns_list: { ...base, bound_claims: { '/kubernetes.io/namespace': ['bank', 'shop'] } },
  sa_glob: { ...base, bound_claims_type: 'glob', bound_claims: { '/kubernetes.io/serviceaccount/name': 'car*' } },
  sa_string_star: { ...base, bound_claims: { '/kubernetes.io/serviceaccount/name': 'car*' } },
  mapped: { ...base, claim_mappings: { '/kubernetes.io/namespace': 'namespace', '/kubernetes.io/serviceaccount/name': 'service_account' } },
  pointer_user: { ...base, user_claim: '/kubernetes.io/serviceaccount/name', user_claim_json_pointer: true },
  email_user: { ...base, user_claim: 'email' },
  exp_strict: { ...base, expiration_leeway: -1, clock_skew_leeway: -1 },
  nbf_strict: { ...base, not_before_leeway: -1, clock_skew_leeway: -1 },
  oidc: { role_type: 'oidc', user_claim: 'sub', allowed_redirect_uris: ['https://gate.example/callback'] },
  cidr: { ...base, token_bound_cidrs: ['10.0.0.0/8'] },
  groups: { ...base, groups_claim: 'groups' },
};

let issuer;
let gate;
let ps256Gate;
before(async () => {
  issuer = await new Issuer().start();
  gate = await startGate({ OIDC_DISCOVERY_URL: issuer.url, ROLES: roles(ROLES), DEFAULT_ROLE: 'base' });
  ps256Gate = await startGate({ OIDC_DISCOVERY_URL: issuer.url, ROLES: roles({ base }), JWT_SUPPORTED_ALGS: 'PS256' });
});
after(async () => {
  await gate?.dispose();
  await ps256Gate?.dispose();
  await issuer?.stop();
});

const now = () => Math.floor(Date.now() / 1000);
const mint = (opts = {}) => issuer.mint({ namespace: 'shop', serviceAccount: 'cart', audience: AUD, ...opts });

describe('Vault login behaviours', () => {
  // [case, role, token options, status, alias or error substring]
  const table = [
    ['accepted', 'base', {}, 200, 'system:serviceaccount:shop:cart'],
    ['aud as a list, any bound', 'aud_list', { audience: ['x', AUD] }, 200, 'system:serviceaccount:shop:cart'],
    ['aud mismatch (cap validateAudience)', 'aud_other', {}, 400, 'error validating token: invalid audience (aud) claim: audience claim does not match any expected audience'],
    ['aud but none bound', 'no_aud', {}, 400, 'audience claim found in JWT but no audiences bound to the role'],
    ['no aud, none bound', 'no_aud', { extra: { aud: undefined } }, 200, 'system:serviceaccount:shop:cart'],
    ['subject bound', 'subject', {}, 200, 'system:serviceaccount:shop:cart'],
    ['subject mismatch (cap validateAll)', 'subject', { serviceAccount: 'other' }, 400, 'error validating token: invalid subject (sub) claim'],
    ['claim by pointer', 'ns_string', {}, 200, 'system:serviceaccount:shop:cart'],
    ['claim by pointer, mismatch', 'ns_string', { namespace: 'bank' }, 400, 'does not match any associated bound claim values'],
    ['claim list, any of', 'ns_list', { namespace: 'bank' }, 200, 'system:serviceaccount:bank:cart'],
    ['glob', 'sa_glob', {}, 200, 'system:serviceaccount:shop:cart'],
    ['glob mismatch', 'sa_glob', { serviceAccount: 'web' }, 400, 'does not match any associated bound claim values'],
    ['string type has no wildcard', 'sa_string_star', {}, 400, 'does not match any associated bound claim values'],
    ['user claim by pointer', 'pointer_user', {}, 200, 'cart'],
    ['missing user claim', 'email_user', {}, 400, 'claim "email" not found in token'],
    ['exp inside clock_skew_leeway (cap validateAll)', 'base', { now: now() - 3600 - 40 }, 200, 'system:serviceaccount:shop:cart'],
    ['exp 200 s past: expiration_leeway is not added (cap validateAll)', 'base', { now: now() - 3600 - 200 }, 400, 'error validating token: invalid expiration time (exp) claim: token is expired'],
    ['exp with leeways -1', 'exp_strict', { now: now() - 3600 - 5 }, 400, 'error validating token: invalid expiration time (exp) claim: token is expired'],
    ['nbf inside clock_skew_leeway', 'base', { now: now() + 40, extra: { iat: now() } }, 200, 'system:serviceaccount:shop:cart'],
    ['nbf 100 s ahead: not_before_leeway is not added (cap validateAll)', 'base', { now: now() + 100, extra: { iat: now() } }, 400, 'error validating token: invalid not before (nbf) claim: token not yet valid'],
    ['nbf with leeways -1', 'nbf_strict', { now: now() + 30, extra: { iat: now() } }, 400, 'error validating token: invalid not before (nbf) claim: token not yet valid'],
    ['no time claims (cap validateAll)', 'base', { extra: { exp: undefined, nbf: undefined, iat: undefined } }, 400, 'error validating token: no issued at (iat), not before (nbf), or expiration time (exp) claims in token'],
    ['role name lower-cased (TypeLowerCaseString)', 'NS_STRING', {}, 200, 'system:serviceaccount:shop:cart'],
    ['unknown role', 'nope', {}, 400, 'role "nope" could not be found'],
    ['oidc role refused', 'oidc', {}, 400, 'role with oidc role_type is not allowed'],
    ['groups claim missing (fetchGroups)', 'groups', {}, 400, 'failed to fetch groups: "groups" claim not found in token'],
    ['groups claim', 'groups', { extra: { groups: ['dev', 'ops'] } }, 200, 'system:serviceaccount:shop:cart'],
  ];
  for (const [name, role, opts, status, want] of table) {
    test(name, async () => {
      const extra = opts.extra ? Object.fromEntries(Object.entries(opts.extra)) : undefined;
      const token = mint({ ...opts, extra });
      const r = await gate.login(role, token);
      assert.equal(r.status, status, JSON.stringify(r.body));
      if (status === 200) assert.equal(r.body.auth.metadata.role, role.toLowerCase());
      if (status === 200 && role === 'pointer_user') assert.equal(r.body.auth.client_token.startsWith('jgs.'), true);
      if (status !== 200) assert.deepEqual(Object.keys(r.body), ['errors']);
      const text = status === 200 ? (await gate.call('/v1/auth/token/lookup-self', { headers: { 'x-vault-token': r.body.auth.client_token } })).body.data.display_name : r.body.errors[0];
      assert.ok(text.includes(want), `${text} should include ${want}`);
    });
  }

  test("Vault's response shape, claim mappings and policies", async () => {
    const r = await gate.login('mapped', mint());
    assert.equal(r.status, 200);
    for (const k of ['request_id', 'lease_id', 'renewable', 'lease_duration', 'data', 'wrap_info', 'warnings', 'auth']) assert.ok(k in r.body, k);
    const a = r.body.auth;
    for (const k of ['client_token', 'accessor', 'policies', 'token_policies', 'metadata', 'lease_duration', 'renewable', 'entity_id', 'token_type', 'orphan']) assert.ok(k in a, k);
    assert.deepEqual(a.metadata, { namespace: 'shop', role: 'mapped', service_account: 'cart' });
    assert.deepEqual(a.policies, ['default', 'shop-read']);
    assert.equal(a.token_type, 'service');
    assert.equal(a.lease_duration, 2764800);
  });

  test('the role defaults to DEFAULT_ROLE, as Vault\'s default_role', async () => {
    const r = await gate.call('/v1/auth/jwt/login', { method: 'POST', body: JSON.stringify({ jwt: mint() }) });
    assert.equal(r.status, 200);
    assert.equal(r.body.auth.metadata.role, 'base');
  });

  test('bound CIDRs against the caller address', async () => {
    const inside = await gate.login('cidr', mint(), {}, { 'cf-connecting-ip': '10.1.2.3' });
    assert.equal(inside.status, 200);
    const outside = await gate.login('cidr', mint(), {}, { 'cf-connecting-ip': '192.0.2.1' });
    assert.equal(outside.status, 403);
    assert.deepEqual(outside.body, { errors: ['permission denied'] });
    // The session is bound too: used from elsewhere, it is refused.
    const token = inside.body.auth.client_token;
    const here = await gate.call('/v1/auth/token/lookup-self', { headers: { 'x-vault-token': token, 'cf-connecting-ip': '10.9.9.9' } });
    assert.equal(here.status, 200);
    const there = await gate.call('/v1/auth/token/lookup-self', { headers: { 'x-vault-token': token, 'cf-connecting-ip': '192.0.2.1' } });
    assert.equal(there.status, 403);
  });

  test('supported algorithms: an RS256 token against a PS256-only config', async () => {
    const r = await ps256Gate.login('base', mint());
    assert.equal(r.status, 400);
    assert.equal(r.body.errors[0], 'error validating token: invalid algorithm (alg) header parameter: token signed with unexpected algorithm');
  });

  test('a token signed by a key the issuer never published', async () => {
    const stranger = makeKey();
    const r = await gate.login('base', mint({ key: stranger }));
    assert.equal(r.status, 400);
    // go-oidc's RemoteKeySet, after a refetch: cap wraps it (validateAll).
    const words = 'error validating token: error verifying token signature: failed to verify id token signature';
    assert.equal(r.body.errors[0], words);
    const forged = signJwt({ alg: 'RS256', kid: issuer.signing.kid }, { sub: 'x', aud: AUD }, stranger.privateKey);
    const f = await gate.login('base', forged);
    assert.equal(f.status, 400);
    assert.equal(f.body.errors[0], words);
  });

  test('alg none and HS256 are refused', async () => {
    const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
    for (const alg of ['none', 'HS256']) {
      const r = await gate.login('base', `${b64({ alg, kid: issuer.signing.kid })}.${b64({ sub: 'x', aud: AUD })}.`);
      assert.equal(r.status, 400, alg);
    }
  });
});

describe('the log line of a refused login', () => {
  test('names the check and the claim, never its value; an issuer mismatch names both strings', async () => {
    let log = '';
    const capture = (stdout, stderr) => {
      for (const st of [stdout, stderr]) {
        st.setEncoding('utf8');
        st.on('data', (c) => (log += c));
      }
    };
    const g = await startGate({ OIDC_DISCOVERY_URL: issuer.url, BOUND_ISSUER: 'https://cluster.example', ROLES: roles(ROLES) }, { handleRuntimeStdio: capture });
    try {
      const r = await g.login('ns_string', mint({ namespace: 'secret-namespace-value' }));
      assert.equal(r.body.errors[0], 'error validating token: invalid issuer (iss) claim');
      const wait = async (re) => {
        for (let i = 0; i < 100 && !re.test(log); i++) await new Promise((res) => setTimeout(res, 20));
        assert.match(log, re);
      };
      await wait(/login refused: role "ns_string": check "issuer" failed on claim "iss": bound_issuer is "https:\/\/cluster\.example", the token's iss is "http:\/\/127\.0\.0\.1:\d+"/);
      const h = await startGate({ OIDC_DISCOVERY_URL: issuer.url, ROLES: roles(ROLES) }, { handleRuntimeStdio: capture });
      try {
        const b = await h.login('ns_string', mint({ namespace: 'secret-namespace-value' }));
        assert.equal(b.status, 400);
        await wait(/login refused: role "ns_string": check "bound_claims" failed on claim "\/kubernetes\.io\/namespace"/);
      } finally {
        await h.dispose();
      }
      // A static key set logs in with one call (Gate.loginBody): its refusals are logged alike.
      const k = await startGate({ JWKS: JSON.stringify({ keys: [issuer.signing.jwk] }), BOUND_ISSUER: 'https://static.example', ROLES: roles(ROLES) }, { handleRuntimeStdio: capture });
      try {
        const b = await k.login('ns_string', mint({ namespace: 'secret-namespace-value' }));
        assert.equal(b.body.errors[0], 'error validating token: invalid issuer (iss) claim');
        await wait(/login refused: role "ns_string": check "issuer" failed on claim "iss": bound_issuer is "https:\/\/static\.example"/);
      } finally {
        await k.dispose();
      }
      assert.equal(log.includes('secret-namespace-value'), false, 'a claim value reached the log');
    } finally {
      await g.dispose();
    }
  });
});

describe('HTTP limits', () => {
  test('wrong method: 405', async () => {
    const r = await gate.call('/v1/auth/jwt/login', { method: 'GET' });
    assert.equal(r.status, 405);
    assert.equal(r.headers.get('allow'), 'POST, PUT');
    const del = await gate.call('/v1/auth/token/lookup-self', { method: 'DELETE' });
    assert.deepEqual([del.status, del.headers.get('allow')], [405, 'GET, POST, PUT']);
  });
  test('body over 64 KiB: 413', async () => {
    const r = await gate.call('/v1/auth/jwt/login', { method: 'POST', body: JSON.stringify({ role: 'base', jwt: 'x'.repeat(70000) }) });
    assert.equal(r.status, 413);
  });
  test('not JSON, no token: 400 in Vault\'s shape', async () => {
    const r = await gate.call('/v1/auth/jwt/login', { method: 'POST', body: '{nope' });
    assert.equal(r.status, 400);
    assert.match(r.body.errors[0], /failed to parse JSON input/);
    const m = await gate.call('/v1/auth/jwt/login', { method: 'POST', body: '{"role":"base"}' });
    assert.deepEqual([m.status, m.body], [400, { errors: ['missing token'] }]);
    // The role is looked up first (getRoleNameAndRoleFromLoginRequest, then pathLogin).
    const u = await gate.call('/v1/auth/jwt/login', { method: 'POST', body: '{"role":"Nope"}' });
    assert.deepEqual([u.status, u.body], [400, { errors: ['role "nope" could not be found'] }]);
  });
  test('unknown auth path: 404', async () => {
    assert.equal((await gate.call('/v1/auth/other/login', { method: 'POST', body: '{}' })).status, 404);
  });
});

describe('bad configuration: 500 at the first request, reason in the log only', () => {
  const cases = [
    ['two key sources', { OIDC_DISCOVERY_URL: 'https://a.example', JWKS_URL: 'https://b.example/jwks', ROLES: roles({ base }) }],
    ['no key source', { ROLES: roles({ base }) }],
    ['plain http off loopback', { OIDC_DISCOVERY_URL: 'http://issuer.example', ROLES: roles({ base }) }],
    ['role without bindings', { JWKS: '{"keys":[]}', ROLES: roles({ r: { user_claim: 'sub' } }) }],
    ['short secret', { JWKS_URL: 'https://b.example/jwks', ROLES: roles({ base }), SESSION_SECRET: 'short' }],
    ['unknown DEFAULT_ROLE', { JWKS_URL: 'https://b.example/jwks', ROLES: roles({ base }), DEFAULT_ROLE: 'nope' }],
    ['an algorithm Vault does not know (path_config.go)', { JWKS_URL: 'https://b.example/jwks', ROLES: roles({ base }), JWT_SUPPORTED_ALGS: 'HS256' }],
  ];
  for (const [name, bindings] of cases) {
    test(name, async () => {
      const g = await startGate(bindings);
      try {
        const r = await g.login('base', 'x');
        assert.equal(r.status, 500);
        assert.deepEqual(r.body, { errors: ['the gate is misconfigured; see its log'] });
      } finally {
        await g.dispose();
      }
    });
  }
});
