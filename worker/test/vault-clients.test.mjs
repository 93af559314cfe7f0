// Vault's JWT login through real Vault clients, against the gate in workerd on loopback: hvac
// (PyPI, in the venv `make vault-clients` installs with pinned hashes) and node-vault (npm,
// pinned in package.json). Every row runs through both, and cites the Vault or cap function
// whose behaviour it checks; messages are compared whole.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { constants, sign } from 'node:crypto';
import { Issuer } from '../dev/issuer.mjs';
import { roles, startGate } from './helpers.mjs';
import { CLIENTS, HVAC } from './vault-clients/clients.mjs';
const AUD = 'https://gate.example';
const SUB = 'system:serviceaccount:shop:cart';
const tok = (m) => `error validating token: ${m}`;
const EXP = tok('invalid expiration time (exp) claim: token is expired');

const base = { role_type: 'jwt', user_claim: 'sub', bound_audiences: [AUD], token_policies: ['shop-read'] };
// What `vault read -format=json auth/jwt/role/exported` prints, pasted as is.
const exported = {
  request_id: '7c1d7c4e-1a47-8f43-2f7a-5d1b8c7e9f00', lease_id: '', lease_duration: 0, renewable: false, warnings: null,
  data: {
    allowed_redirect_uris: null, bound_audiences: [AUD], bound_claims: { '/kubernetes.io/namespace': 'shop' }, bound_claims_type: 'string',
    bound_subject: '', claim_mappings: null, clock_skew_leeway: 0, expiration_leeway: 0, groups_claim: '', max_age: 0,
    not_before_leeway: 0, oidc_scopes: null, role_type: 'jwt', token_bound_cidrs: [], token_explicit_max_ttl: 0, token_max_ttl: 0,
    token_no_default_policy: false, token_num_uses: 0, token_period: 0, token_policies: ['shop-read'], policies: ['shop-read'],
    token_ttl: 1800, ttl: 1800, token_type: 'default', user_claim: 'sub', user_claim_json_pointer: false, verbose_oidc_logging: false,
  },
};
const ROLES = {
  base,
  again: { ...base, token_policies: ['other'] },
  Shop: base,
  capped: { ...base, token_explicit_max_ttl: 60 },
  periodic: { ...base, token_period: '10m' },
  aud_other: { ...base, bound_audiences: ['other'] },
  ordered: { ...base, user_claim: 'email', bound_claims: { '/kubernetes.io/namespace': 'bank' } },
  root: { ...base, token_policies: ['root'] },
  exported,
};

let issuer;
let gate;
let pemGate;
before(async () => {
  assert.ok(existsSync(HVAC), `hvac's venv is missing (${HVAC}): run make vault-clients`);
  issuer = await new Issuer().start();
  gate = await startGate({ OIDC_DISCOVERY_URL: issuer.url, ROLES: roles(ROLES), DEFAULT_ROLE: 'base' });
  const pem = issuer.signing.publicKey.export({ type: 'spki', format: 'pem' });
  pemGate = await startGate({ PUBLIC_KEYS_PEM: pem, BOUND_ISSUER: issuer.url, ROLES: roles({ base }) });
});
after(async () => {
  await gate?.dispose();
  await pemGate?.dispose();
  await issuer?.stop();
});

const now = () => Math.floor(Date.now() / 1000);
const mint = (opts = {}) => issuer.mint({ namespace: 'shop', serviceAccount: 'cart', audience: AUD, ...opts });

/** A token re-signed PS256 (RSASSA-PSS, SHA-256, 32-byte salt) with the issuer's key. */
function ps256() {
  const [, payload] = mint().split('.');
  const header = Buffer.from(JSON.stringify({ alg: 'PS256', kid: issuer.signing.kid })).toString('base64url');
  const input = `${header}.${payload}`;
  const sig = sign('sha256', Buffer.from(input), { key: issuer.signing.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
  return `${input}.${sig.toString('base64url')}`;
}

describe('logins by real Vault clients', () => {
  // [row (the function it follows), role, token, expected: a check of the body, or the whole message]
  const rows = [
    ['accepted (pathLogin)', 'base', () => mint(), (b) => assert.deepEqual([b.auth.metadata.role, b.auth.policies, b.auth.lease_duration], ['base', ['default', 'shop-read'], 2764800])],
    ['exp 50 s past: inside clock_skew_leeway (cap validateAll)', 'base', () => mint({ now: now() - 3650 }), (b) => assert.ok(b.auth.client_token.startsWith('jgs.'))],
    ['exp 200 s past: expiration_leeway is not added (cap validateAll)', 'base', () => mint({ now: now() - 3800 }), EXP],
    ['nbf 100 s ahead (cap validateAll)', 'base', () => mint({ now: now() + 100, extra: { iat: now() } }), tok('invalid not before (nbf) claim: token not yet valid')],
    ['no exp, nbf or iat (cap validateAll)', 'base', () => mint({ extra: { exp: undefined, nbf: undefined, iat: undefined } }), tok('no issued at (iat), not before (nbf), or expiration time (exp) claims in token')],
    ['iat only, 100 s old: exp made up as iat + 150 (cap validateAll)', 'base', () => mint({ now: now() - 100, extra: { exp: undefined, nbf: undefined } }), (b) => assert.ok(b.auth.client_token)],
    ['iat only, 300 s old (cap validateAll)', 'base', () => mint({ now: now() - 300, extra: { exp: undefined, nbf: undefined } }), EXP],
    ['role name lower-cased (TypeLowerCaseString)', 'SHOP', () => mint(), (b) => assert.equal(b.auth.metadata.role, 'shop')],
    ['no role: default_role (getRoleNameAndRoleFromLoginRequest)', '', () => mint(), (b) => assert.equal(b.auth.metadata.role, 'base')],
    ['unknown role before a missing token (getRoleNameAndRoleFromLoginRequest)', 'nope', () => '', 'role "nope" could not be found'],
    ['token_explicit_max_ttl caps the lease, with Vault\'s warning (CalculateTTL)', 'capped', () => mint(), (b) => {
      assert.equal(b.auth.lease_duration, 60);
      assert.deepEqual(b.warnings, ['TTL of "768h" exceeded the effective max_ttl of "1m"; TTL value is capped accordingly']);
    }],
    ['token_period is the lease (CalculateTTL)', 'periodic', () => mint(), (b) => assert.equal(b.auth.lease_duration, 600)],
    ['audience wording (cap validateAudience)', 'aud_other', () => mint(), tok('invalid audience (aud) claim: audience claim does not match any expected audience')],
    ['user claim before bound claims (createIdentity, then validateBoundClaims)', 'ordered', () => mint(), 'claim "email" not found in token'],
    ['root refused (LoginCreateToken)', 'root', () => mint(), 'auth methods cannot create root tokens'],
    ['a vault read -format=json export, pasted (pathRoleRead)', 'exported', () => mint(), (b) => assert.equal(b.auth.lease_duration, 1800)],
  ];
  for (const [client, run] of CLIENTS) {
    for (const [name, role, token, want] of rows) {
      test(`${client}: ${name}`, async () => {
        const [r] = await run(gate.url, [{ op: 'login', role: role || undefined, jwt: token() }]);
        if (typeof want === 'string') {
          assert.equal(r.ok, false, JSON.stringify(r));
          assert.equal(r.errors[0], want);
        } else {
          assert.equal(r.ok, true, JSON.stringify(r));
          want(r.body);
        }
      });
    }
  }
});

describe('token endpoints by real Vault clients', () => {
  for (const [client, run] of CLIENTS) {
    test(`${client}: lookup-self shows explicit_max_ttl, display_name and the login's entity (handleLookup, LoginCreateToken)`, async () => {
      const [login, look] = await run(gate.url, [{ op: 'login', role: 'capped', jwt: mint() }, { op: 'lookup_self' }]);
      assert.equal(look.ok, true, JSON.stringify(look));
      const d = look.body.data;
      assert.deepEqual([d.explicit_max_ttl, d.num_uses, d.display_name, d.path, d.entity_id], [60, 0, `jwt-${SUB}`, 'auth/jwt/login', login.body.auth.entity_id]);
      assert.ok(d.ttl <= 60 && d.ttl > 0);
      assert.equal('period' in d || 'bound_cidrs' in d, false, 'only when set');
    });

    test(`${client}: lookup-self by POST too, and period shown when set (handleLookup)`, async () => {
      const [, look] = await run(gate.url, [{ op: 'login', role: 'periodic', jwt: mint() }, { op: 'lookup_self_post' }]);
      assert.equal(look.ok, true, JSON.stringify(look));
      assert.equal(look.body.data.period, 600);
    });

    test(`${client}: one ServiceAccount through two roles is one entity (CreateOrFetchEntity)`, async () => {
      const [a] = await run(gate.url, [{ op: 'login', role: 'base', jwt: mint() }]);
      const [b] = await run(gate.url, [{ op: 'login', role: 'again', jwt: mint() }]);
      assert.equal(a.body.auth.entity_id, b.body.auth.entity_id);
      const [c] = await run(gate.url, [{ op: 'login', role: 'base', jwt: mint({ serviceAccount: 'web' }) }]);
      assert.notEqual(a.body.auth.entity_id, c.body.auth.entity_id);
    });

    test(`${client}: renew-self renews (pathLoginRenew, CalculateTTL); revoke-self, then permission denied`, async () => {
      const steps = [{ op: 'login', role: 'base', jwt: mint() }, { op: 'renew_self' }, { op: 'revoke_self' }, { op: 'lookup_self' }];
      const [login, renew, revoke, look] = await run(gate.url, steps);
      assert.equal(renew.ok, true, JSON.stringify(renew));
      assert.deepEqual([renew.body.auth.renewable, renew.body.auth.client_token], [true, login.body.auth.client_token]);
      assert.equal(revoke.ok, true, JSON.stringify(revoke));
      assert.deepEqual([look.ok, look.errors], [false, ['permission denied']]);
    });

    test(`${client}: PS256 under the default jwt_supported_algs (pathLogin), with a key that names no alg`, async () => {
      // Kubernetes' JWKS marks its keys alg RS256, which the gate holds to (jose's key rule);
      // a PEM key names no algorithm.
      const [r] = await run(pemGate.url, [{ op: 'login', role: 'base', jwt: ps256() }]);
      assert.equal(r.ok, true, JSON.stringify(r));
    });

    test(`${client}: PUBLIC_KEYS_PEM tries every key whatever the kid (cap staticKeySet)`, async () => {
      const [r] = await run(pemGate.url, [{ op: 'login', role: 'base', jwt: mint({ kid: 'not-the-kubernetes-key-id' }) }]);
      assert.equal(r.ok, true, JSON.stringify(r));
      const stranger = new Issuer();
      const [bad] = await run(pemGate.url, [{ op: 'login', role: 'base', jwt: mint({ key: stranger.signing }) }]);
      assert.deepEqual(bad.errors, [tok('error verifying token signature: no known key successfully validated the token signature')]);
    });
  }
});
