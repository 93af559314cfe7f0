// Adversarial input against the running gate in workerd, as tables: each row names an attack and
// the status and Vault-shaped error (`{"errors": [...]}`) it must get. Forged and tampered sessions,
// paths that try to choose where the gate connects (sent byte for byte), credentials and identity
// headers smuggled toward the origin in every form a header arrives, what comes back from the
// origin, login CSRF, hostile login bodies, a flood of unknown kids; and across every row, no
// secret, token or key material in a response body or in what workerd logged, and nothing ever
// reaching the internal listener (a second server on loopback that stands for the network behind
// the gate).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Gate } from '../pkg/node.mjs';
import { Issuer, signJwt } from '../dev/issuer.mjs';
import { startOrigin } from '../dev/origin.mjs';
import { SECRET, roles, startGate } from './helpers.mjs';

const AUD = 'https://gate.example';
const OTHER_SECRET = 'another-deployment-another-secret-0123456789';
const COOKIE = '__Host-jwksgate-session';
const ROLES = {
  shop: { user_claim: 'sub', bound_audiences: [AUD], bound_claims: { '/kubernetes.io/namespace': 'shop' }, groups_claim: 'groups', token_ttl: '1h', token_policies: ['shop'] },
  bank: { user_claim: 'sub', bound_audiences: [AUD], bound_claims: { '/kubernetes.io/namespace': 'bank' }, groups_claim: 'groups', token_ttl: '1h', token_policies: ['bank'] },
  cidr: { user_claim: 'sub', bound_audiences: [AUD], token_ttl: '1h', token_bound_cidrs: ['10.0.0.0/8'] },
};
const SHOP = { user: 'jwt/system:serviceaccount:shop:cart', groups: 'dev,ops', role: 'shop', mount: 'jwt', policies: 'default,shop' };
const BANK = { user: 'jwt/system:serviceaccount:bank:vault', groups: 'audit', role: 'bank', mount: 'jwt', policies: 'bank,default' };
// Header names an origin might read as identity (with '_' for '-', as CGI-style servers fold
// them): the origin may see the gate's five (GATE_SET), and only with the gate's values.
const GATE_SET = ['x-auth-request-user', 'x-auth-request-groups', 'x-auth-request-role', 'x-auth-request-mount', 'x-auth-request-policies'];
const IDENTITY = [
  ...GATE_SET, 'x-auth-request-email',
  'x-auth-request-preferred-username', 'x-auth-request-access-token', 'x-forwarded-user',
  'x-forwarded-email', 'x-forwarded-groups', 'x-forwarded-preferred-username', 'x-remote-user',
  'x-remote-group', 'x-webauth-user', 'remote-user', 'x-vault-token',
];

// Everything workerd writes, from every gate in this file (Miniflare's handleRuntimeStdio).
let logText = '';
let onLog = () => {};
function captureStdio(stdout, stderr) {
  for (const stream of [stdout, stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      logText += chunk;
      onLog();
    });
  }
}

// What must never show in a response body or a log line, with a name for the failure message
// (which quotes what came before the secret, never the secret itself).
const secrets = new Map();
const secret = (text, what) => text && text.length >= 16 && secrets.set(text, what);
function credential(token, what) {
  secret(token, what);
  const segments = token.split('.');
  if (segments.length >= 3) secret(segments.at(-1), `the signature segment of ${what}`);
  return token;
}
function assertNoSecret(text, where) {
  for (const [s, what] of secrets) {
    const at = text.indexOf(s);
    assert.ok(at < 0, `${where} holds ${what}, after ${JSON.stringify(text.slice(Math.max(0, at - 60), at))}`);
  }
}

let issuer;
let origin;
let internal;
let gate;
let pathed;
let other;
const open = [];
const f = {}; // credentials made in before()

const mintShop = (opts = {}) => issuer.mint({ namespace: 'shop', serviceAccount: 'cart', audience: AUD, extra: { groups: ['dev', 'ops'] }, ...opts });
const mintBank = (opts = {}) => issuer.mint({ namespace: 'bank', serviceAccount: 'vault', audience: AUD, extra: { groups: ['audit'] }, ...opts });

async function loginFor(g, path, role, jwt) {
  const r = await g.call(path, { method: 'POST', body: JSON.stringify({ role, jwt }) });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.auth.client_token;
}

before(async () => {
  issuer = await new Issuer().start();
  origin = await startOrigin(0, { script: scripted });
  internal = await startOrigin();
  const bindings = { OIDC_DISCOVERY_URL: issuer.url, ROLES: roles(ROLES), DEFAULT_ROLE: 'shop', ORIGIN: origin.url };
  gate = await startGate(bindings, { handleRuntimeStdio: captureStdio });
  open.push(gate);
  // ORIGIN with a path: only what is under it may be reached.
  pathed = await startGate({ ...bindings, ORIGIN: `${origin.url}/app/` }, { handleRuntimeStdio: captureStdio });
  open.push(pathed);
  // Another deployment: its own mount and secret.
  other = await startGate({ ...bindings, MOUNT: 'k8s', SESSION_SECRET: OTHER_SECRET }, { handleRuntimeStdio: captureStdio });
  open.push(other);
  secret(SECRET, 'SESSION_SECRET');
  secret(OTHER_SECRET, "the other deployment's SESSION_SECRET");
  for (const k of issuer.keys) {
    secret(k.jwk.n.slice(0, 40), "the start of an issuer key's modulus");
    secret(k.jwk.n.slice(150, 190), "the middle of an issuer key's modulus");
  }
  f.sa = credential(mintShop(), 'a ServiceAccount JWT');
  f.saBank = credential(mintBank(), 'a ServiceAccount JWT for bank');
  f.shop = credential(await loginFor(gate, '/v1/auth/jwt/login', 'shop', mintShop()), 'a shop session');
  f.bank = credential(await loginFor(gate, '/v1/auth/jwt/login', 'bank', mintBank()), 'a bank session');
  // The pathed gate is another deployment's workerd, with its own session store.
  f.pathedShop = credential(await loginFor(pathed, '/v1/auth/jwt/login', 'shop', mintShop()), "a shop session of the pathed gate");
  f.forged = credential(await loginFor(other, '/v1/auth/k8s/login', 'shop', mintShop()), "the other deployment's session");
  f.revoked = credential(await loginFor(gate, '/v1/auth/jwt/login', 'shop', mintShop()), 'a revoked session');
  const revoke = await gate.call('/v1/auth/token/revoke-self', { method: 'POST', headers: { 'x-vault-token': f.revoked } });
  assert.equal(revoke.status, 204);
  // Sessions minted by the same Rust code through the npm package, with a chosen clock: one
  // from two hours ago (a 1 h session, so expired an hour ago), one from now that no store holds.
  // The gate's own key source, so these sessions fail for their own reason, not their binding.
  const minter = new Gate({ bound_issuer: issuer.url }, roles(ROLES), SECRET, 'jwt', { kind: 'oidc_discovery_url', url: issuer.url });
  minter.setKeys({ keys: [issuer.signing.jwk] });
  // Gate.login answers Vault's body as JSON text; the session is its auth.client_token.
  const session = (answer) => JSON.parse(answer).auth.client_token;
  const at = (now) => session(minter.login('shop', mintShop({ now }), undefined, now, randomUUID(), randomUUID()));
  const now = Math.floor(Date.now() / 1000);
  f.expired = credential(at(now - 7200), 'an expired session');
  f.cidr = credential(session(minter.login('cidr', mintShop({ now }), '10.1.2.3', now, randomUUID(), randomUUID())), 'a session bound to 10.0.0.0/8');
  f.packaged = credential(at(now), 'a session minted through the package');
  minter.free();
});
after(async () => {
  for (const g of open.splice(0)) await g.dispose();
  await origin?.stop();
  await internal?.stop();
  await issuer?.stop();
});

// The origin answers a path holding `/_origin` with the status (`s`) and headers (`h`, repeated,
// `name:value`) its query names, so rows can make it redirect or send caching headers.
function scripted(record) {
  if (!record.path.includes('/_origin')) return undefined;
  const q = new URL(record.path, 'http://origin').searchParams;
  const headers = q.getAll('h').map((h) => [h.slice(0, h.indexOf(':')), h.slice(h.indexOf(':') + 1)]);
  return { status: Number(q.get('s') || 200), headers };
}
const script = (status, ...headers) => `/_origin?s=${status}${headers.map((h) => `&h=${encodeURIComponent(h)}`).join('')}`;

/** Every row ends here: whatever the gate did, it never connected to the internal listener. */
function assertInternalUntouched(what) {
  const hits = internal.seen.splice(0); // emptied, so one row's failure is not every later row's
  assert.deepEqual(hits.map((r) => r.path), [], `${what} reached the internal listener`);
}

/** One request through the gate; no row may get a 500 or see a secret in the body. */
async function attack(g, path, init = {}) {
  return checked(await g.call(path, init), path, init);
}

/** The same, written byte for byte to the gate's socket (`rawRequest` in helpers.mjs). */
async function rawAttack(g, request) {
  return checked(await g.raw(request), request.target, request);
}

function checked(r, path, init) {
  assert.ok(r.status < 500, `${path}: ${r.status} ${JSON.stringify(r.body)}`);
  assertInternalUntouched(`${init.method || 'GET'} ${path}`);
  const body = structuredClone(r.body);
  if (r.status === 200 && body?.auth?.client_token) {
    credential(body.auth.client_token, 'a session the gate minted');
    delete body.auth.client_token; // a login answers with its new session, as Vault does
  }
  if (r.status === 200 && typeof body?.data?.id === 'string') delete body.data.id; // lookup-self names the caller's own token, as Vault does
  assertNoSecret(JSON.stringify(body ?? ''), `the response to ${init.method || 'GET'} ${path}`);
  return r;
}

function assertVaultError(r, status, message) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(r.headers.get('content-type'), 'application/json');
  assert.deepEqual(Object.keys(r.body), ['errors']);
  assert.equal(r.body.errors.length, 1);
  assert.equal(typeof r.body.errors[0], 'string');
  if (message instanceof RegExp) assert.match(r.body.errors[0], message);
  else if (message !== undefined) assert.equal(r.body.errors[0], message);
}

/** What the origin saw: the gate's identity and nothing a caller could have put there. */
function assertOriginSaw(seen, who, { cookie, authorization } = {}) {
  assert.equal(seen.headers['x-auth-request-user'], who.user);
  assert.equal(seen.headers['x-auth-request-groups'], who.groups);
  assert.equal(seen.headers['x-auth-request-role'], who.role);
  assert.equal(seen.headers['x-auth-request-mount'], who.mount);
  assert.equal(seen.headers['x-auth-request-policies'], who.policies);
  for (const name of Object.keys(seen.headers)) {
    const folded = name.toLowerCase().replaceAll('_', '-');
    if (!IDENTITY.includes(folded)) continue;
    assert.ok(GATE_SET.includes(name), `the origin saw ${name}`);
  }
  assert.equal(seen.headers.cookie, cookie);
  assert.equal(seen.headers.authorization, authorization);
}

// Session tampering: `jgs.` + base64url(JSON) + `.` + base64url(HMAC-SHA256).
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const split = (t) => {
  const [, body, mac] = t.split('.');
  return { body, mac };
};
const flip = (s, at) => s.slice(0, at) + (s[at] === 'A' ? 'B' : 'A') + s.slice(at + 1);
/** The same MAC bytes, spelt differently: the 2 unused low bits of the last character set. */
function nonCanonical(mac) {
  const spelt = mac.slice(0, -1) + ALPHABET[ALPHABET.indexOf(mac.at(-1)) | 1];
  assert.notEqual(spelt, mac);
  assert.deepEqual(Buffer.from(spelt, 'base64url'), Buffer.from(mac, 'base64url'), 'a lenient decoder reads the same bytes');
  return spelt;
}
function rewritten(t) {
  const { body, mac } = split(t);
  const claims = JSON.parse(Buffer.from(body, 'base64url'));
  Object.assign(claims, { role: 'admin', policies: ['root'], exp: claims.exp + 86400 * 365 });
  return `jgs.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${mac}`;
}
const vault = (token) => ({ 'x-vault-token': token });
const bearer = (token) => ({ authorization: `Bearer ${token}` });
const tampered = (what, make) => (fx) => vault(credential(make(fx.shop), `a session ${what}`));

describe('sessions: lookup-self and the proxy', () => {
  // [attack, request headers, lookup-self: the role (200) or a status, proxy: the role (200) or a status]
  // Every refusal is one answer, whatever the reason (which goes to the log): 403 `permission
  // denied` at lookup-self, as Vault answers; 401 `permission denied` with a Bearer challenge at
  // the proxy (RFC 6750 section 3: what makes an HTTP client log in again); 431 when workerd
  // refuses the headers before the gate runs. The session cookie is a credential for the proxy
  // (and revoke-self, to log out) only: lookup-self's answer holds the token itself, which the
  // cookie's HttpOnly keeps from the page.
  const table = [
    ['control: a genuine session', (fx) => vault(fx.shop), 'shop', 'shop'],
    ['control: a genuine session as Bearer', (fx) => bearer(fx.shop), 'shop', 'shop'],
    // Logins store nothing (issue 27): SESSION_SECRET is the whole proof of a session, as it is
    // of its MAC, so one minted with it outside a login is honoured; the secret must stay secret.
    ['a MAC that verifies, minted with the secret outside a login: honoured (logins store nothing)', (fx) => vault(fx.packaged), 'shop', 'shop'],
    ['forged: minted by another deployment (mount k8s, its own secret)', (fx) => vault(fx.forged), 403, 401],
    ['tampered: payload rewritten (role admin, policies root, a year more), MAC kept', tampered('rewritten', rewritten), 403, 401],
    ['tampered: one payload byte flipped', tampered('with a payload byte flipped', (t) => flip(t, 12)), 403, 401],
    ['tampered: one MAC byte flipped', tampered('with a MAC byte flipped', (t) => flip(t, t.length - 5)), 403, 401],
    ['tampered: prefix changed to jgx.', tampered('with prefix jgx.', (t) => `jgx.${t.slice(4)}`), 403, 401],
    ['tampered: prefix upper-cased', tampered('with prefix JGS.', (t) => `JGS.${t.slice(4)}`), 403, 401],
    ['tampered: prefix removed', tampered('without its prefix', (t) => t.slice(4)), 403, 401],
    ['truncated: last character dropped', tampered('without its last character', (t) => t.slice(0, -1)), 403, 401],
    ['truncated: MAC segment removed', tampered('without its MAC', (t) => `jgs.${split(t).body}`), 403, 401],
    ['truncated: MAC segment empty', tampered('with an empty MAC', (t) => `jgs.${split(t).body}.`), 403, 401],
    ['truncated: the prefix alone', () => vault('jgs.'), 403, 401],
    ['extra segment: the MAC repeated', tampered('with an extra segment', (t) => `${t}.${split(t).mac}`), 403, 401],
    ['extra segment: inserted before the MAC', tampered('with an inserted segment', (t) => `jgs.${split(t).body}.${split(t).body}.${split(t).mac}`), 403, 401],
    ['base64: MAC padded with =', tampered('with a padded MAC', (t) => `${t}=`), 403, 401],
    ['base64: MAC in standard base64, padded', tampered('with a standard-base64 MAC', (t) => `jgs.${split(t).body}.${Buffer.from(split(t).mac, 'base64url').toString('base64')}`), 403, 401],
    ['base64: MAC spelt non-canonically (same bytes)', tampered('with a non-canonical MAC', (t) => `jgs.${split(t).body}.${nonCanonical(split(t).mac)}`), 403, 401],
    ['base64: payload padded with =', tampered('with a padded payload', (t) => `jgs.${split(t).body}=.${split(t).mac}`), 403, 401],
    ['expired an hour ago', (fx) => vault(fx.expired), 403, 401],
    ['revoked with revoke-self, then reused', (fx) => vault(fx.revoked), 403, 401],
    ['X-Vault-Token sent twice (joined with a comma)', (fx) => [['x-vault-token', fx.shop], ['x-vault-token', fx.shop]], 403, 401],
    ['empty X-Vault-Token', () => vault(''), 403, 401],
    ['empty Bearer', () => ({ authorization: 'Bearer ' }), 403, 401],
    ['Bearer with two tokens', (fx) => ({ authorization: `Bearer ${fx.shop} ${fx.shop}` }), 403, 401],
    ['100 KB X-Vault-Token (past the 16 KiB session bound)', () => vault(`jgs.${'A'.repeat(100_000)}`), 403, 401],
    ['100 KB Bearer (past the 64 KiB token bound)', () => bearer('A'.repeat(100_000)), 403, 401],
    ['1 MB X-Vault-Token: refused by workerd before the gate runs', () => vault(`jgs.${'A'.repeat(1 << 20)}`), 431, 431],
    ['1 MB Bearer: refused by workerd before the gate runs', () => bearer('A'.repeat(1 << 20)), 431, 431],
    ['a ServiceAccount JWT as X-Vault-Token', (fx) => vault(fx.sa), 403, 401],
    ['a ServiceAccount JWT as Bearer: no session, but proxied under DEFAULT_ROLE', (fx) => bearer(fx.sa), 403, 'shop'],
    ['a bank ServiceAccount JWT as Bearer: DEFAULT_ROLE shop refuses it', (fx) => bearer(fx.saBank), 403, 401],
    ['a session for another role stays that role', (fx) => vault(fx.bank), 'bank', 'bank'],
    ['disagreeing: X-Vault-Token bank, cookie shop: the header wins', (fx) => ({ ...vault(fx.bank), cookie: `${COOKIE}=${fx.shop}` }), 'bank', 'bank'],
    ['disagreeing: forged X-Vault-Token, genuine cookie: no fallback', (fx) => ({ ...vault(fx.forged), cookie: `${COOKIE}=${fx.shop}` }), 403, 401],
    ['disagreeing: revoked Bearer, genuine cookie: no fallback', (fx) => ({ ...bearer(fx.revoked), cookie: `${COOKIE}=${fx.shop}` }), 403, 401],
    ['disagreeing: genuine X-Vault-Token, forged Bearer', (fx) => ({ ...vault(fx.shop), ...bearer(fx.forged) }), 'shop', 'shop'],
    ['disagreeing: two session cookies, the first forged', (fx) => ({ cookie: `${COOKIE}=${fx.forged}; ${COOKIE}=${fx.shop}` }), 403, 401],
    ['disagreeing: two session cookies, the first genuine', (fx) => ({ cookie: `${COOKIE}=${fx.shop}; ${COOKIE}=${fx.forged}` }), 403, 'shop'],
    ['disagreeing: two session cookies comma-joined (two Cookie fields), the first forged', (fx) => ({ cookie: `${COOKIE}=${fx.forged}, ${COOKIE}=${fx.shop}` }), 403, 401],
    ['the HttpOnly cookie alone: lookup-self does not read it (its answer names the token to the page)', (fx) => ({ cookie: `${COOKIE}=${fx.shop}` }), 403, 'shop'],
    ['control: a session bound to 10.0.0.0/8, used from 127.0.0.1 (one answer already)', (fx) => vault(fx.cidr), 403, 401],
  ];
  for (const [name, headers, lookup, proxied] of table) {
    test(name, async () => {
      const h = headers(f);
      const l = await attack(gate, '/v1/auth/token/lookup-self', { headers: h });
      if (typeof lookup === 'string') {
        assert.equal(l.status, 200, JSON.stringify(l.body));
        assert.equal(l.body.data.meta.role, lookup);
      } else if (lookup === 403) {
        assertVaultError(l, 403, 'permission denied');
      } else {
        assert.equal(l.status, lookup);
      }
      const p = await attack(gate, '/app/orders?id=7', { headers: h });
      if (typeof proxied === 'string') {
        assert.equal(p.status, 200, JSON.stringify(p.body));
        assertOriginSaw(p.body, proxied === 'bank' ? BANK : SHOP);
      } else if (proxied === 401) {
        assertVaultError(p, 401, 'permission denied');
        assert.match(p.headers.get('www-authenticate'), /^Bearer( error="invalid_token")?$/);
      } else {
        assert.equal(p.status, proxied);
      }
    });
  }
});

describe('header smuggling toward the origin', () => {
  const spoof = { 'x-auth-request-user': 'admin', 'x-auth-request-groups': 'root', 'x-auth-request-role': 'bank' };
  // [attack, request headers, who the origin must see, what else it must see (cookie, authorization)]
  const table = [
    ['lower case', (fx) => ({ ...vault(fx.shop), ...spoof }), SHOP],
    ['Title-Case', (fx) => ({ ...vault(fx.shop), 'X-Auth-Request-User': 'admin', 'X-Auth-Request-Groups': 'root', 'X-Auth-Request-Role': 'bank' }), SHOP],
    ['UPPER CASE', (fx) => ({ ...vault(fx.shop), 'X-AUTH-REQUEST-USER': 'admin', 'X-AUTH-REQUEST-GROUPS': 'root', 'X-AUTH-REQUEST-ROLE': 'bank' }), SHOP],
    ['each sent twice, in two casings', (fx) => [
      ['x-vault-token', fx.shop], ['x-auth-request-user', 'admin'], ['X-Auth-Request-User', 'root'],
      ['x-auth-request-groups', 'root'], ['X-AUTH-REQUEST-GROUPS', 'wheel'], ['x-auth-request-role', 'bank'], ['X-Auth-Request-Role', 'admin'],
    ], SHOP],
    ['comma-joined values that start with the real ones', (fx) => ({ ...vault(fx.shop), 'x-auth-request-user': `${SHOP.user}, admin`, 'x-auth-request-groups': 'dev,ops,root', 'x-auth-request-role': 'shop, bank' }), SHOP],
    ['underscores for dashes (X_Auth_Request_User)', (fx) => ({ ...vault(fx.shop), X_Auth_Request_User: 'admin', x_auth_request_groups: 'root', X_AUTH_REQUEST_ROLE: 'bank', x_forwarded_user: 'admin', remote_user: 'admin' }), SHOP],
    ['underscores and dashes mixed', (fx) => ({ ...vault(fx.shop), 'x-auth_request-user': 'admin', 'X_Auth-Request_Groups': 'root', 'x_vault_token': fx.bank }), SHOP],
    ['other identity headers an origin might read', (fx) => ({
      ...vault(fx.shop), 'x-auth-request-email': 'root@example.com', 'x-auth-request-preferred-username': 'root', 'x-auth-request-access-token': fx.bank,
      'x-forwarded-user': 'admin', 'x-forwarded-email': 'root@example.com', 'x-forwarded-groups': 'root', 'x-forwarded-preferred-username': 'root',
      'x-remote-user': 'admin', 'x-remote-group': 'root', 'x-webauth-user': 'admin', 'remote-user': 'admin',
    }), SHOP],
    ['on the ServiceAccount-token path (Bearer JWT)', (fx) => ({ ...bearer(fx.sa), ...spoof }), SHOP],
    ['on the cookie path', (fx) => ({ cookie: `theme=dark; ${COOKIE}=${fx.shop}; lang=en`, ...spoof }), SHOP, { cookie: 'theme=dark; lang=en' }],
    ['a bank session claiming to be shop', (fx) => ({ ...vault(fx.bank), 'x-auth-request-user': SHOP.user, 'x-auth-request-groups': SHOP.groups, 'x-auth-request-role': 'shop' }), BANK],
    ['session cookie with a space before "="', (fx) => ({ cookie: `theme=dark; ${COOKIE} =${fx.shop}` }), SHOP, { cookie: 'theme=dark' }],
    ['session cookie sent twice', (fx) => ({ cookie: `${COOKIE}=${fx.shop}; lang=en; ${COOKIE}=${fx.bank}` }), SHOP, { cookie: 'lang=en' }],
    ['X-Vault-Token used, another session as Bearer', (fx) => ({ ...vault(fx.shop), ...bearer(fx.bank) }), SHOP],
    ['X-Vault-Token used, a ServiceAccount JWT as Bearer', (fx) => ({ ...vault(fx.shop), ...bearer(fx.sa) }), SHOP],
    ['X-Vault-Token used, a session cookie beside it', (fx) => ({ ...vault(fx.shop), cookie: `${COOKIE}=${fx.bank}; theme=dark` }), SHOP, { cookie: 'theme=dark' }],
    ['control: a non-Bearer Authorization is the origin\'s and passes through', (fx) => ({ cookie: `${COOKIE}=${fx.shop}`, authorization: 'Basic YWxpY2U6cGFzcw==' }), SHOP, { authorization: 'Basic YWxpY2U6cGFzcw==' }],
  ];
  for (const [name, headers, who, extra] of table) {
    test(name, async () => {
      const r = await attack(gate, '/app', { method: 'POST', headers: headers(f), body: 'hello' });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.body, 'hello');
      assertOriginSaw(r.body, who, extra);
    });
  }
});

describe('where the gate connects: ORIGIN and the path as the origin reads it, sent byte for byte', () => {
  // The internal listener's address, as a path that tries to name it (`//127.0.0.1:PORT/...`).
  const I = () => internal.url.slice('http://'.length);
  const port = () => internal.url.split(':').at(-1);
  // [attack, gate, method, request target, credential, what must happen]: `=> /path` is the path
  // (and query) ORIGIN received, a number the status the gate answered itself, `login` a login,
  // `lookup` a lookup-self answer. Repeated slashes and backslashes fold to one '/', dot segments
  // (also %2e) are resolved, %-encoded unreserved characters decoded (RFC 3986 section 6.2.2):
  // the path as nginx, WHATWG URL and Go's net/http read it. An encoded '/' or '\', a dot segment
  // with ';' parameters, encoded control characters, bad %-encoding and overlong UTF-8 are 400:
  // origins disagree on those, so no one reading can be chosen for them.
  const table = [
    ['//host names the internal listener (Bearer ServiceAccount JWT)', 'gate', 'GET', () => `//${I()}/internal/admin?q=1`, 'sa', () => `/${I()}/internal/admin?q=1`],
    ['//host names the internal listener (session)', 'gate', 'POST', () => `//${I()}/internal/admin?q=1`, 'shop', () => `/${I()}/internal/admin?q=1`],
    ['/\\host (a URL parser reads it as //host)', 'gate', 'GET', () => `/\\${I()}/internal`, 'shop', () => `/${I()}/internal`],
    ['/\\\\host', 'gate', 'GET', () => `/\\\\${I()}/internal`, 'shop', () => `/${I()}/internal`],
    ['///host', 'gate', 'GET', () => `///${I()}/internal`, 'shop', () => `/${I()}/internal`],
    ['/..//host', 'gate', 'GET', () => `/..//${I()}/internal`, 'shop', () => `/${I()}/internal`],
    ['/./\\host', 'gate', 'GET', () => `/./\\${I()}/internal`, 'shop', () => `/${I()}/internal`],
    ['//user:pw@host', 'gate', 'GET', () => `//user:pw@${I()}/internal`, 'shop', () => `/user:pw@${I()}/internal`],
    ['//host%3aport (was a 500 with a TypeError)', 'gate', 'GET', () => `//127.0.0.1%3a${port()}/`, 'shop', () => `/127.0.0.1%3A${port()}/`],
    ['%2e%2e segments walking up to //host', 'gate', 'GET', () => `/a/%2e%2e/%2E%2e//${I()}/internal`, 'shop', () => `/${I()}/internal`],
    ['an encoded backslash before the host: %5chost', 'gate', 'GET', () => `/%5c${I()}/internal`, 'shop', 400],
    ['encoded slashes before the host: %2f%2fhost', 'gate', 'GET', () => `/%2f%2f${I()}/internal`, 'shop', 400],
    ['an encoded slash: an origin that decodes it reads another path', 'gate', 'GET', () => '/app%2fadmin', 'shop', 400],
    ['an encoded NUL', 'gate', 'GET', () => '/files/secret%00.txt', 'shop', 400],
    ['encoded CR LF', 'gate', 'GET', () => '/a%0d%0aSet-Cookie:%20x=1', 'shop', 400],
    ['bad %-encoding', 'gate', 'GET', () => '/a%zz', 'shop', 400],
    ['truncated %-encoding', 'gate', 'GET', () => '/a%2', 'shop', 400],
    ['overlong UTF-8 dots (%c0%ae, read as "." by lax decoders)', 'gate', 'GET', () => '/%c0%ae%c0%ae/admin', 'shop', 400],
    ['a dot segment with parameters (Tomcat and Jetty read ..; as ..)', 'gate', 'GET', () => '/app/..;/admin', 'shop', 400],
    ['an encoded dot segment with parameters', 'gate', 'GET', () => '/app/%2e%2e;x=1/admin', 'shop', 400],
    ['%-encoded unreserved characters are the characters', 'gate', 'GET', () => '/%61pp/%7Eorders', 'shop', () => '/app/~orders'],
    ['control: dot segments inside the path', 'gate', 'GET', () => '/a/./b/../c?x=1', 'shop', () => '/a/c?x=1'],
    ['control: every printable byte a path may hold, escaped where the URL parser escapes it', 'gate', 'GET', () => "/!$&'()*+,;=:@[]|^`{}\"<>~", 'shop', () => "/!$&'()*+,;=:@[]|%5E%60%7B%7D%22%3C%3E~"],
    ['control: every printable byte a query may hold', 'gate', 'GET', () => "/q?a=!$&'()*+,;=:@[]|^`{}\"<>~/?%zz", 'shop', () => "/q?a=!$&%27()*+,;=:@[]|^`{}%22%3C%3E~/?%zz"],
    ['//v1/auth/jwt/login (resolved a host named v1) is the login', 'gate', 'POST', () => '//v1/auth/jwt/login', 'login', 'login'],
    ['/v1//auth/token/lookup-self is lookup-self, not the origin', 'gate', 'GET', () => '/v1//auth/token/lookup-self', 'shop', 'lookup'],
    ['/v1/auth/%74oken/lookup-self is lookup-self (Vault routes on the decoded path)', 'gate', 'GET', () => '/v1/auth/%74oken/lookup-self', 'shop', 'lookup'],
    ['/V1/AUTH/... is the gate\'s, in any case: never proxied', 'gate', 'GET', () => '/V1/AUTH/token/lookup-self', 'shop', 404],
    ['/v1/Auth/... likewise', 'gate', 'GET', () => '/v1/Auth/jwt/login', 'shop', 404],
    ['pathed ORIGIN: a path outside it is appended, not reached', 'pathed', 'GET', () => '/admin/secret', 'shop', () => '/app/admin/secret'],
    ['pathed ORIGIN: /../ cannot climb out', 'pathed', 'GET', () => '/../admin', 'shop', () => '/app/admin'],
    ['pathed ORIGIN: %2e%2e cannot climb out', 'pathed', 'GET', () => '/%2e%2e/%2e%2e/admin', 'shop', () => '/app/admin'],
    ['pathed ORIGIN: ..%2f (an origin decoding %2f would climb out)', 'pathed', 'GET', () => '/..%2fadmin', 'shop', 400],
    ['pathed ORIGIN: ..; (Tomcat would climb out)', 'pathed', 'GET', () => '/..;/admin', 'shop', 400],
    ['pathed ORIGIN: //host', 'pathed', 'GET', () => `//${I()}/internal`, 'shop', () => `/app/${I()}/internal`],
    ['pathed ORIGIN: the root is ORIGIN\'s path', 'pathed', 'GET', () => '/?q=1', 'shop', () => '/app/?q=1'],
  ];
  for (const [name, which, method, target, who, want] of table) {
    test(name, async () => {
      const g = which === 'pathed' ? pathed : gate;
      const before = origin.seen.length;
      const shop = which === 'pathed' ? f.pathedShop : f.shop;
      const headers = who === 'sa' ? [['authorization', `Bearer ${f.sa}`]] : who === 'shop' ? [['x-vault-token', shop]] : [['content-type', 'application/json']];
      const body = who === 'login' ? JSON.stringify({ role: 'shop', jwt: mintShop() }) : method === 'POST' ? 'hello' : '';
      const r = await rawAttack(g, { method, target: target(), headers, body });
      if (typeof want === 'function') {
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.equal(r.body.path, want());
        assert.equal(r.body.method, method);
        assertOriginSaw(r.body, SHOP);
      } else if (want === 'login') {
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.equal(r.body.auth.metadata.role, 'shop');
      } else if (want === 'lookup') {
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.equal(r.body.data.meta.role, 'shop');
        assert.equal(r.body.data.path, 'auth/jwt/login');
      } else {
        assert.equal(r.status, want, JSON.stringify(r.body));
        assert.equal(r.headers.get('content-type'), 'application/json');
        assert.equal(r.body.errors.length, want === 404 ? 0 : 1);
      }
      if (typeof want !== 'function') assert.equal(origin.seen.length, before, 'the origin was not reached');
    });
  }
});

describe('credentials and identity toward the origin, in every form a header arrives', () => {
  const spoofed = [
    'x-auth-request-namespace', 'x-auth-request-uid', 'x-remote-groups', 'x-remote-extra-scopes', 'x-forwarded-access-token',
    'x_forwarded_access_token', 'cf-access-authenticated-user-email', 'cf-access-jwt-assertion', 'x-ms-client-principal-name',
    'x-goog-authenticated-user-email', 'x-amzn-oidc-identity', 'x-consumer-username', 'x-authenticated-userid', 'x-user', 'x-email', 'x-jwt-payload',
  ];
  // [attack, raw request header fields (two fields of one name stay two), what the origin must see: cookie, authorization]
  const table = [
    ['two Cookie fields: the session in the second one (workerd joins them with ", ")', (fx) => [['cookie', 'theme=dark'], ['cookie', `${COOKIE}=${fx.shop}`]], { cookie: 'theme=dark' }],
    ['two Cookie fields beside X-Vault-Token: another session in the second', (fx) => [['x-vault-token', fx.shop], ['cookie', 'lang=en'], ['cookie', `${COOKIE}=${fx.bank}`]], { cookie: 'lang=en' }],
    ['one Cookie field, comma-joined: the session after another cookie', (fx) => [['cookie', `theme=dark, ${COOKIE}=${fx.shop}`]], { cookie: 'theme=dark' }],
    ['one Cookie field, comma-joined: a=1, <session>', (fx) => [['x-vault-token', fx.shop], ['cookie', `a=1, ${COOKIE}=${fx.bank}`]], { cookie: 'a=1' }],
    ['comma and semicolon mixed', (fx) => [['x-vault-token', fx.shop], ['cookie', `theme=dark; a=1,${COOKIE}=${fx.bank}; lang=en`]], { cookie: 'theme=dark; a=1; lang=en' }],
    ['the session cookie\'s name in another case', (fx) => [['x-vault-token', fx.shop], ['cookie', `__host-JWKSGATE-session=${fx.bank}; lang=en`]], { cookie: 'lang=en' }],
    ['a session under another cookie name', (fx) => [['x-vault-token', fx.shop], ['cookie', `legacy=${fx.bank}; lang=en`]], { cookie: 'lang=en' }],
    ['control: a cookie value holding a comma is kept whole', (fx) => [['x-vault-token', fx.shop], ['cookie', 'prefs=a,b; lang=en']], { cookie: 'prefs=a,b; lang=en' }],
    ['Authorization: Basic ..., Bearer <JWT> (two fields, joined)', (fx) => [['x-vault-token', fx.shop], ['authorization', 'Basic Zm9vOmJhcg=='], ['authorization', `Bearer ${fx.sa}`]], {}],
    ['Authorization: Basic ..., Bearer <JWT> (one field)', (fx) => [['x-vault-token', fx.shop], ['authorization', `Basic Zm9vOmJhcg==, Bearer ${fx.sa}`]], {}],
    ['Authorization: Basic ...,bearer <session> (no space, lower case)', (fx) => [['x-vault-token', fx.shop], ['authorization', `Basic Zm9vOmJhcg==,bearer ${fx.bank}`]], {}],
    ['a session under another scheme (Authorization: Token <session>)', (fx) => [['x-vault-token', fx.shop], ['authorization', `Token ${fx.bank}`]], {}],
    ['Proxy-Authorization: Bearer <JWT>', (fx) => [['x-vault-token', fx.shop], ['proxy-authorization', `Bearer ${fx.sa}`]], {}],
    ['control: X_Vault_Token (CGI reads it as X-Vault-Token)', (fx) => [['x-vault-token', fx.shop], ['x_vault_token', fx.bank]], {}],
    ['identity headers by prefix, and other gateways\' identity headers', (fx) => [['x-vault-token', fx.shop], ...spoofed.map((h) => [h, 'root'])], {}],
    ['the same in upper case', (fx) => [['x-vault-token', fx.shop], ...spoofed.map((h) => [h.toUpperCase(), 'root'])], {}],
    ['headers named in Connection are hop-by-hop (RFC 9110 section 7.6.1), and so is Proxy-Connection', (fx) => [['x-vault-token', fx.shop], ['connection', 'x-hop-secret'], ['x-hop-secret', 'root'], ['proxy-connection', 'keep-alive']], {}],
  ];
  for (const [name, fields, want] of table) {
    test(name, async () => {
      const r = await rawAttack(gate, { method: 'POST', target: '/app', headers: fields(f), body: 'hello' });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.body, 'hello');
      assertOriginSaw(r.body, SHOP, want);
      for (const h of [...spoofed, 'x-hop-secret', 'proxy-connection', 'proxy-authorization', 'x_vault_token']) assert.equal(r.body.headers[h], undefined, `the origin saw ${h}`);
    });
  }

  test('forwarding headers are the gate\'s: the caller\'s Forwarded, X-Forwarded-*, X-Real-IP, X-Original-URL never reach the origin', async () => {
    const r = await rawAttack(gate, {
      target: '/app',
      headers: [
        ['x-vault-token', f.shop], ['x-forwarded-for', '10.0.0.1'], ['x-forwarded-host', 'internal.example'], ['x-forwarded-proto', 'https'],
        ['x-forwarded-prefix', '/admin'], ['forwarded', 'for=10.0.0.1;host=internal.example;proto=https'], ['x-real-ip', '10.0.0.1'],
        ['true-client-ip', '10.0.0.1'], ['x-original-url', '/admin'], ['x-rewrite-url', '/admin'],
      ],
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const seen = r.body.headers;
    assert.equal(seen.host, origin.url.slice('http://'.length), 'Host is ORIGIN\'s');
    assert.equal(seen['x-forwarded-for'], '127.0.0.1', 'the caller\'s address as the gate sees it (CF-Connecting-IP)');
    assert.equal(seen['x-forwarded-host'], 'gate.test');
    assert.equal(seen['x-forwarded-proto'], 'http');
    for (const h of ['x-forwarded-prefix', 'forwarded', 'x-real-ip', 'true-client-ip', 'x-original-url', 'x-rewrite-url']) assert.equal(seen[h], undefined, h);
  });

  test('control: a Host header naming the internal listener changes nothing', async () => {
    const r = await rawAttack(gate, { target: '/app', host: internal.url.slice('http://'.length), headers: [['x-vault-token', f.shop]] });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.headers.host, origin.url.slice('http://'.length));
  });
});

describe('what comes back from the origin', () => {
  const PER_IDENTITY = ['Authorization', 'Cookie', 'X-Vault-Token'];
  // [attack, gate, request path (the origin answers as `script` says), status, the headers the caller must get (null: absent)]
  const table = [
    ['control: a redirect to the internal listener is not followed by the gate', 'gate', () => script(302, `location:${internal.url}/internal`), 302, () => ({ location: `${internal.url}/internal` })],
    ['a redirect naming ORIGIN itself comes back as the gate\'s path (ORIGIN\'s address is not told)', 'gate', () => script(302, `location:${origin.url}/next?x=1`), 302, () => ({ location: '/next?x=1' })],
    ['pathed ORIGIN: a redirect under its path, absolute', 'pathed', () => script(301, `location:${origin.url}/app/next`), 301, () => ({ location: '/next' })],
    ['pathed ORIGIN: a redirect under its path, as a path', 'pathed', () => script(303, 'location:/app/next?x=1'), 303, () => ({ location: '/next?x=1' })],
    ['control: a redirect elsewhere is the origin\'s to give', 'gate', () => script(302, 'location:https://idp.example/authorize'), 302, () => ({ location: 'https://idp.example/authorize' })],
    ['public caching becomes private, CDN directives are dropped', 'gate', () => script(200, 'cache-control:public, max-age=600', 'cdn-cache-control:max-age=600', 'cloudflare-cdn-cache-control:max-age=600', 'surrogate-control:max-age=600'), 200,
      () => ({ 'cache-control': 'private, max-age=600', vary: PER_IDENTITY.join(', '), 'cdn-cache-control': null, 'cloudflare-cdn-cache-control': null, 'surrogate-control': null })],
    ['no Cache-Control (heuristically cacheable) becomes private', 'gate', () => script(200), 200, () => ({ 'cache-control': 'private', vary: PER_IDENTITY.join(', ') })],
    ['s-maxage is for shared caches: dropped', 'gate', () => script(200, 'cache-control:s-maxage=600, max-age=60'), 200, () => ({ 'cache-control': 'private, max-age=60' })],
    ['control: no-store stays', 'gate', () => script(200, 'cache-control:no-store'), 200, () => ({ 'cache-control': 'no-store' })],
    ['Vary keeps the origin\'s and adds the credentials', 'gate', () => script(200, 'vary:Accept-Encoding'), 200, () => ({ vary: ['Accept-Encoding', ...PER_IDENTITY].join(', ') })],
    ['a header the origin names in Connection is hop-by-hop', 'gate', () => script(200, 'connection:x-internal-hop', 'x-internal-hop:secret'), 200, () => ({ 'x-internal-hop': null })],
    ['control: two Set-Cookie fields stay two', 'gate', () => script(200, 'set-cookie:a=1; Path=/', 'set-cookie:b=2; Path=/'), 200, () => ({ 'set-cookie': 'a=1; Path=/, b=2; Path=/' })],
  ];
  for (const [name, which, path, status, want] of table) {
    test(name, async () => {
      const r = await rawAttack(which === 'pathed' ? pathed : gate, { target: path(), headers: [['x-vault-token', which === 'pathed' ? f.pathedShop : f.shop]] });
      assert.equal(r.status, status, JSON.stringify(r.body));
      for (const [h, v] of Object.entries(want())) assert.equal(r.headers.get(h), v, h);
    });
  }

  test('the gate asks the origin with cache: no-store (Cloudflare\'s cache neither answers nor keeps a per-identity response)', async () => {
    const r = await attack(gate, '/app', { headers: vault(f.shop) });
    assert.equal(r.status, 200);
    // How workerd sends a no-store subrequest.
    assert.equal(r.body.headers['cache-control'], 'no-cache');
    assert.equal(r.body.headers.pragma, 'no-cache');
  });
});

describe('one answer for a refused credential, reasons in the log only', () => {
  test('no credential on a proxied path: 401 permission denied with a bare Bearer challenge', async () => {
    const r = await attack(gate, '/app');
    assertVaultError(r, 401, 'permission denied');
    assert.equal(r.headers.get('www-authenticate'), 'Bearer');
  });

  test('a revoked, an expired and a forged session and a refused JWT get the same answer on a proxied path', async () => {
    const answers = [];
    for (const h of [vault(f.revoked), vault(f.expired), vault(f.forged), vault('jgs.x'), bearer(f.saBank), vault(f.sa), { cookie: `${COOKIE}=nope` }]) {
      const r = await attack(gate, '/app', { headers: h });
      answers.push([r.status, r.headers.get('www-authenticate'), JSON.stringify(r.body)]);
    }
    assert.deepEqual(new Set(answers.map((a) => JSON.stringify(a))), new Set([JSON.stringify([401, 'Bearer error="invalid_token"', '{"errors":["permission denied"]}'])]));
  });

  test('a wrong method: 405 with Vault\'s empty errors', async () => {
    const r = await attack(gate, '/v1/auth/jwt/login');
    assert.equal(r.status, 405);
    assert.deepEqual(r.body, { errors: [] });
    assert.equal(r.headers.get('allow'), 'POST, PUT');
  });

  test('no keys: 503 "no keys available" to the caller, how the fetch failed in the log', { timeout: 60_000 }, async () => {
    const down = await new Issuer().start();
    down.mode = 'error';
    try {
      const g = await startGate({ OIDC_DISCOVERY_URL: down.url, ROLES: roles(ROLES), DEFAULT_ROLE: 'shop', ORIGIN: origin.url }, { handleRuntimeStdio: captureStdio });
      open.push(g);
      const jwt = credential(down.mint({ namespace: 'shop', serviceAccount: 'cart', audience: AUD }), 'a ServiceAccount JWT');
      // g.call, not attack(): these rows are the 503s.
      const l = await g.call('/v1/auth/jwt/login', { method: 'POST', body: JSON.stringify({ role: 'shop', jwt }) });
      assertVaultError(l, 503, 'no keys available');
      const p = await g.call('/app', { headers: bearer(jwt) });
      assertVaultError(p, 503, 'no keys available');
      assertInternalUntouched('a request without keys');
      assert.ok(!JSON.stringify(l.body).includes(down.url), 'the issuer is not named');
      const logged = new Promise((resolve) => {
        onLog = () => logText.includes('jwksgate: no keys available to verify tokens (') && resolve();
      });
      onLog();
      await logged;
      onLog = () => {};
    } finally {
      await down.stop();
    }
  });
});

describe('login CSRF: set_cookie only for a same-origin JSON request', () => {
  const GATE_ORIGIN = 'http://gate.test';
  // A static key set logs in with one call into wasm (Gate.loginBody), which must hand a body
  // asking for the cookie back to the long way, where the cookie's check comes first.
  let staticGate;
  before(async () => {
    staticGate = await startGate({ JWKS: JSON.stringify({ keys: [issuer.signing.jwk] }), BOUND_ISSUER: issuer.url, ROLES: roles(ROLES), DEFAULT_ROLE: 'shop', ORIGIN: origin.url }, { handleRuntimeStdio: captureStdio });
    open.push(staticGate);
  });
  const gates = [['remote keys', () => gate], ['a static JWKS', () => staticGate]];
  // [attack, request headers, status, whether a Set-Cookie comes back]
  const table = [
    ['a cross-site form post (text/plain) with set_cookie', { 'content-type': 'text/plain' }, 400, false],
    ['a form post (application/x-www-form-urlencoded) with set_cookie', { 'content-type': 'application/x-www-form-urlencoded' }, 400, false],
    ['multipart/form-data with set_cookie', { 'content-type': 'multipart/form-data; boundary=x' }, 400, false],
    ['no Content-Type with set_cookie', {}, 400, false],
    ['application/json from a foreign Origin', { 'content-type': 'application/json', origin: 'https://attacker.example' }, 403, false],
    ['application/json from Origin: null (a sandboxed frame, a data: URL)', { 'content-type': 'application/json', origin: 'null' }, 403, false],
    ['application/json with Sec-Fetch-Site: cross-site', { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' }, 403, false],
    ['application/json from the gate\'s port\'s neighbour', { 'content-type': 'application/json', origin: 'http://gate.test:8080' }, 403, false],
    ['control: same-origin JSON', { 'content-type': 'application/json; charset=utf-8', origin: GATE_ORIGIN, 'sec-fetch-site': 'same-origin' }, 200, true],
    ['control: JSON without Origin (curl, a Vault client)', { 'content-type': 'application/json' }, 200, true],
  ];
  for (const [keys, g] of gates) {
    for (const [name, headers, status, cookie] of table) {
      test(`${name} (${keys})`, async () => {
        const r = await attack(g(), '/v1/auth/jwt/login', { method: 'POST', headers, body: new TextEncoder().encode(JSON.stringify({ role: 'shop', jwt: mintShop(), set_cookie: true })) });
        if (status === 200) assert.equal(r.status, 200, JSON.stringify(r.body));
        else assertVaultError(r, status);
        assert.equal(r.headers.get('set-cookie') !== null, cookie);
      });
    }

    test(`control: without set_cookie, a text/plain login works as Vault's does (no cookie is at stake) (${keys})`, async () => {
      const r = await attack(g(), '/v1/auth/jwt/login', { method: 'POST', headers: { 'content-type': 'text/plain', origin: 'https://attacker.example' }, body: JSON.stringify({ role: 'shop', jwt: mintShop() }) });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.headers.get('set-cookie'), null);
    });
  }
});

// A body that sends 66 KiB and then waits: the gate must answer without waiting for its end.
function endlessBody() {
  let sent = 0;
  let release;
  const held = new Promise((resolve) => (release = resolve));
  const stream = new ReadableStream({
    async pull(c) {
      if (sent === 66) {
        await held;
        c.close();
        return;
      }
      sent++;
      c.enqueue(new Uint8Array(1024).fill(0x20));
    },
  });
  return { stream, release };
}

describe('login bodies', () => {
  const json = (v) => JSON.stringify(v);
  const utf8 = (...parts) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));
  const deep = (n) => '['.repeat(n) + ']'.repeat(n);
  const PARSE = /^failed to parse JSON input: /;
  const BIG = 'request body larger than 65536 bytes';
  // [attack, body, status, the error (exact or a pattern), or for a 200 the role logged in to]
  const table = [
    ['not JSON', () => '{nope', 400, PARSE],
    ['empty body', () => '', 400, 'missing token'],
    ['a JSON array', (fx) => json([{ role: 'shop', jwt: fx.sa }]), 400, PARSE],
    ['a JSON string', (fx) => json(fx.sa), 400, PARSE],
    ['a JSON number', () => '42', 400, PARSE],
    ['JSON null', () => 'null', 400, PARSE],
    ['JSON true', () => 'true', 400, PARSE],
    ['jwt as a number', () => json({ role: 'shop', jwt: 42 }), 400, /jwt/],
    ['jwt as an object', (fx) => json({ role: 'shop', jwt: { token: fx.sa } }), 400, /jwt/],
    ['jwt as an array holding a valid token', (fx) => json({ role: 'shop', jwt: [fx.sa] }), 400, /jwt/],
    ['role as a number', (fx) => json({ role: 5, jwt: fx.sa }), 400, /role/],
    ['role as an array holding a real role', (fx) => json({ role: ['shop'], jwt: fx.sa }), 400, /role/],
    ['role as an object', (fx) => json({ role: {}, jwt: fx.sa }), 400, /role/],
    ['role as true', (fx) => json({ role: true, jwt: fx.sa }), 400, /role/],
    ['set_cookie as a string', (fx) => json({ role: 'shop', jwt: fx.sa, set_cookie: 'true' }), 400, /set_cookie/],
    ['role and jwt swapped: only a bounded prefix is echoed', (fx) => json({ role: fx.sa, jwt: 'shop' }), 400, /^role "[^"]{128}" could not be found$/],
    ['10,000-deep arrays as jwt', () => `{"role":"shop","jwt":${deep(10_000)}}`, 400, PARSE],
    ['10,000-deep arrays as the body', () => deep(10_000), 400, PARSE],
    ['10,000-deep objects in an unknown member', (fx) => `{"x":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)},"role":"shop","jwt":"${fx.sa}"}`, 400, PARSE],
    ['a number beyond double range', () => '{"role":"shop","jwt":1e999}', 400, PARSE],
    ['over 64 KiB with a content-length', (fx) => json({ role: 'shop', jwt: fx.sa, pad: 'x'.repeat(70_000) }), 413, BIG],
    ['over 64 KiB streamed without a content-length, never ending', () => endlessBody(), 413, BIG],
    ['invalid UTF-8 inside the jwt string', (fx) => utf8('{"role":"shop","jwt":"', fx.sa.slice(0, 20), [0xff, 0xfe], fx.sa.slice(20), '"}'), 400, PARSE],
    ['invalid UTF-8 inside the role string', (fx) => utf8('{"role":"sh', [0xc3, 0x28], 'op","jwt":"', fx.sa, '"}'), 400, PARSE],
    ['invalid UTF-8 outside any string', (fx) => utf8([0xff], json({ role: 'shop', jwt: fx.sa })), 400, PARSE],
    ['a lone surrogate escape in role', (fx) => `{"role":"\\ud800","jwt":"${fx.sa}"}`, 400, PARSE],
    ['a byte order mark before a valid login', (fx) => `\ufeff${json({ role: 'shop', jwt: fx.sa })}`, 400, PARSE],
    ['duplicate "jwt": valid, then garbage', (fx) => `{"role":"shop","jwt":"${fx.sa}","jwt":"x.y.z"}`, 400, /duplicate member/],
    ['duplicate "jwt": garbage, then valid', (fx) => `{"role":"shop","jwt":"x.y.z","jwt":"${fx.sa}"}`, 400, /duplicate member/],
    ['duplicate "role": bank, then shop', (fx) => `{"role":"bank","role":"shop","jwt":"${fx.sa}"}`, 400, /duplicate member/],
    ['a role name of 60,000 characters: only a bounded prefix is echoed', (fx) => json({ role: 'r'.repeat(60_000), jwt: fx.sa }), 400, `role "${'r'.repeat(128)}" could not be found`],
    ['a role name over 64 KiB', (fx) => json({ role: 'r'.repeat(70_000), jwt: fx.sa }), 413, BIG],
    ['a NUL in the role name', (fx) => json({ role: 'shop\u0000', jwt: fx.sa }), 400, 'role "shop\\x00" could not be found'], // Go's %q, as Vault quotes it
    ['unknown members only', () => json({ policies: ['root'], token_ttl: '100y' }), 400, 'missing token'],
    ['unknown members beside a valid login are ignored, as Vault does', (fx) => json({ role: 'shop', jwt: fx.sa, policies: ['root'], token_policies: ['root'], metadata: { role: 'bank' } }), 200, 'shop'],
    ['a "__proto__" member carrying role bank', (fx) => `{"__proto__":{"role":"bank"},"jwt":"${fx.sa}"}`, 200, 'shop'],
    ['role null means DEFAULT_ROLE, as an absent role', (fx) => json({ role: null, jwt: fx.sa }), 200, 'shop'],
  ];
  for (const [name, body, status, want] of table) {
    test(name, { timeout: 60_000 }, async () => {
      const made = body(f);
      const endless = made?.stream ? made : null;
      let r;
      try {
        r = await attack(gate, '/v1/auth/jwt/login', endless ? { method: 'POST', body: endless.stream, duplex: 'half' } : { method: 'POST', body: made });
      } finally {
        endless?.release();
      }
      if (status === 200) {
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.equal(r.body.auth.metadata.role, want);
        assert.deepEqual(r.body.auth.policies, ['default', want]);
      } else {
        assertVaultError(r, status, want);
      }
    });
  }

  test('after all of them the gate still logs in, looks up and proxies', async () => {
    const l = await attack(gate, '/v1/auth/jwt/login', { method: 'POST', body: json({ role: 'shop', jwt: mintShop() }) });
    assert.equal(l.status, 200);
    const token = credential(l.body.auth.client_token, 'a session the gate minted');
    assert.equal((await attack(gate, '/v1/auth/token/lookup-self', { headers: vault(token) })).status, 200);
    const p = await attack(gate, '/app', { headers: vault(token) });
    assert.equal(p.status, 200);
    assertOriginSaw(p.body, SHOP);
  });
});

describe('a flood of unknown kids', () => {
  test('60 concurrent logins and proxied Bearers from a cold isolate: one fetch, one refetch per cooldown', { timeout: 60_000 }, async () => {
    const flooded = await new Issuer().start();
    try {
      const g = await startGate(
        { OIDC_DISCOVERY_URL: flooded.url, ROLES: roles(ROLES), DEFAULT_ROLE: 'shop', ORIGIN: origin.url, KEYS_REFETCH_COOLDOWN: '600' },
        { handleRuntimeStdio: captureStdio },
      );
      open.push(g);
      for (const k of flooded.keys) secret(k.jwk.n.slice(0, 40), "the start of the flooded issuer's modulus");
      const claims = () => ({ sub: SHOP.user, aud: [AUD], iss: flooded.url, exp: Math.floor(Date.now() / 1000) + 600, 'kubernetes.io': { namespace: 'shop' } });
      const unknown = (n) => credential(signJwt({ alg: 'RS256', kid: `unknown-${n}-${randomUUID()}` }, claims(), flooded.signing.privateKey), 'a JWT with an unknown kid');
      const wave = () =>
        Promise.all(
          Array.from({ length: 60 }, (_, n) =>
            n % 2 ? attack(g, '/v1/auth/jwt/login', { method: 'POST', body: JSON.stringify({ role: 'shop', jwt: unknown(n) }) }) : attack(g, '/app', { headers: bearer(unknown(n)) }),
          ),
        );
      const first = await wave();
      first.forEach((r, n) => assertVaultError(r, n % 2 ? 400 : 401, n % 2 ? /failed to verify id token signature/ : 'permission denied'));
      assert.deepEqual(flooded.hits, { discovery: 2, jwks: 2 }, 'the first fetch, then one refetch for all the unknown kids');
      const second = await wave();
      second.forEach((r, n) => assertVaultError(r, n % 2 ? 400 : 401, n % 2 ? /failed to verify id token signature/ : 'permission denied'));
      assert.deepEqual(flooded.hits, { discovery: 2, jwks: 2 }, 'inside the cooldown: no more fetches');
      const known = flooded.mint({ namespace: 'shop', serviceAccount: 'cart', audience: AUD, extra: { groups: ['dev', 'ops'] } });
      credential(known, 'a ServiceAccount JWT');
      assert.equal((await attack(g, '/app', { headers: bearer(known) })).status, 200, 'known kids still work');
      assert.deepEqual(flooded.hits, { discovery: 2, jwks: 2 });
    } finally {
      await flooded.stop();
    }
  });
});

describe('no secret in what workerd logged', () => {
  test('no line holds a session secret, a token, a signature segment or key material', { timeout: 60_000 }, async () => {
    // A marker per gate: a refused session is logged on stdout, after everything before it.
    // stderr is a second pipe: one more turn of the event loop reads what it holds.
    const marker = 'jwksgate: session refused: not a session token';
    const count = () => logText.split(marker).length - 1;
    for (const g of open) {
      const before = count();
      const seen = new Promise((resolve) => {
        onLog = () => count() > before && resolve();
      });
      await g.call('/v1/auth/token/lookup-self', { headers: vault('not-a-session') });
      onLog();
      await seen;
      onLog = () => {};
    }
    await new Promise(setImmediate);
    assert.ok(count() >= open.length, 'the capture saw the gates log');
    assert.ok(logText.includes('jwksgate: session refused: session signature does not verify'), 'forged sessions were logged');
    assert.ok(secrets.size >= 40, `${secrets.size} secrets tracked`);
    logText.split('\n').forEach((line, n) => assertNoSecret(line, `line ${n + 1} of workerd's output`));
  });
});
