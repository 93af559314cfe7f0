// Writes libFuzzer seed corpora to fuzz/corpus/<target>/ from the committed vectors in
// ../tests/vectors (RFC 7515/7520, Kubernetes, Wycheproof JWK/JWS/ECDSA/Ed25519, the test
// certificates). The corpora are not committed.
import { mkdirSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { createHash, createHmac, createPublicKey } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const vectors = join(here, '..', 'tests', 'vectors');
const out = join(here, 'corpus');
const counts = {};

function seed(target, data) {
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(data);
  const dir = join(out, target);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, createHash('sha1').update(buf).digest('hex')), buf);
  counts[target] = (counts[target] ?? 0) + 1;
}

const b64u = (s) => Buffer.from(s, 'base64url');
const tokens = [];
const jwksTexts = [];

for (const line of readFileSync(join(vectors, 'rfc_tokens.jsonl'), 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const c = JSON.parse(line);
  tokens.push(c.token);
  jwksTexts.push(JSON.stringify(c.jwks));
  for (const k of c.jwks.keys) {
    seed('jwks', JSON.stringify(k));
    if (k.kty === 'RSA' && c.token) {
      // modexp layout: exponent byte, length byte, 2 free bytes, then n and s.
      const n = b64u(k.n);
      const sig = b64u(c.token.split('.')[2] ?? '');
      seed('modexp', Buffer.concat([Buffer.from([0, 0, 7, 9]), n, sig]));
    }
  }
}
const eks = join(vectors, 'k8s', 'eks_projected_token');
tokens.push(readFileSync(join(eks, 'token.jwt'), 'utf8').trim());
jwksTexts.push(readFileSync(join(eks, 'jwks.json'), 'utf8'));
jwksTexts.push(readFileSync(join(vectors, 'k8s', 'pkg_serviceaccount', 'openidmetadata_wantKeyset.json'), 'utf8'));

// Wycheproof JWK and JWS tests: keys, key sets and compact tokens wherever they appear.
function walk(v, visit) {
  if (Array.isArray(v)) v.forEach((x) => walk(x, visit));
  else if (v && typeof v === 'object') { visit(v); Object.values(v).forEach((x) => walk(x, visit)); }
}
for (const f of ['json_web_key_test.json', 'json_web_signature_test.json']) {
  const p = join(vectors, f);
  if (!existsSync(p)) continue;
  walk(JSON.parse(readFileSync(p, 'utf8')), (o) => {
    if (Array.isArray(o.keys)) jwksTexts.push(JSON.stringify(o));
    else if (typeof o.kty === 'string') { seed('jwks', JSON.stringify(o)); jwksTexts.push(JSON.stringify({ keys: [o] })); }
    for (const v of Object.values(o)) {
      if (typeof v === 'string' && /^[\w-]*\.[\w-]*\.[\w-]*$/.test(v) && v.length > 20) tokens.push(v);
    }
  });
}

for (const t of tokens) {
  seed('compact', t);
  // verify: byte 0 selects options; a few selectors per token.
  for (const sel of [0, 4, 8 | 4, 16 | 4 | 1, 32 | 1]) seed('verify', Buffer.concat([Buffer.from([sel]), Buffer.from(t)]));
}
for (const j of jwksTexts) seed('jwks', j);

// PEM: every public and private key file (private ones must be refused, not crash).
for (const sub of ['pkg_serviceaccount', 'oidc_testdata']) {
  const dir = join(vectors, 'k8s', sub);
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.pem'))) {
    const text = readFileSync(join(dir, f), 'utf8');
    seed('pem', text);
    // Public halves of the private keys, in both PEM forms the importer reads.
    if (!/PRIVATE KEY/.test(text) || !f.startsWith('rsa')) continue;
    const pub = createPublicKey(text);
    seed('pem', pub.export({ type: 'spki', format: 'pem' }));
    seed('pem', pub.export({ type: 'pkcs1', format: 'pem' }));
  }
}

// Curves: Wycheproof's ECDSA and Ed25519 keys in every form (JWK, PEM, DER), and the test
// certificates, for jwks, pem and der.
for (const f of ['ecdsa_secp256r1_sha256_p1363_test.json', 'ecdsa_secp384r1_sha384_p1363_test.json', 'ecdsa_secp521r1_sha512_p1363_test.json', 'ed25519_test.json']) {
  const suite = JSON.parse(readFileSync(join(vectors, 'wycheproof', f), 'utf8'));
  for (const g of suite.testGroups.slice(0, 12)) {
    if (g.publicKeyJwk) { seed('jwks', JSON.stringify(g.publicKeyJwk)); jwksTexts.push(JSON.stringify({ keys: [g.publicKeyJwk] })); }
    seed('pem', g.publicKeyPem);
    seed('der', Buffer.from(g.publicKeyDer, 'hex'));
  }
}
const certs = join(vectors, 'certs');
for (const f of readdirSync(certs).filter((f) => f.endsWith('.pem'))) {
  const text = readFileSync(join(certs, f), 'utf8');
  seed('pem', text);
  const der = Buffer.from(text.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  seed('der', der);
  if (!/PRIVATE/.test(text)) seed('der', createPublicKey(text).export({ type: 'spki', format: 'der' }));
}
for (const j of jwksTexts.splice(0)) seed('jwks', j);
// The differential targets: byte 0 is the mode (and for ecdsa_diff the curve), then a key seed
// (66 octets for ECDSA, 32 for Ed25519), a message length and message, then mutations.
for (let sel = 0; sel < 12; sel++) {
  const bytes = createHash('sha512').update(`ecdsa ${sel}`).digest();
  seed('ecdsa_diff', Buffer.concat([Buffer.from([sel]), bytes, bytes.subarray(0, 2), Buffer.from([20]), Buffer.from('eyJhbGciOiJFUzI1NiJ9'), bytes.subarray(0, 16)]));
}
// p256_diff: d, a and b (32 octets each), the key's form, then mutations (empty: none).
for (let sel = 0; sel < 4; sel++) {
  const bytes = Buffer.concat([0, 1, 2].map((i) => createHash('sha256').update(`p256 ${sel} ${i}`).digest()));
  seed('p256_diff', Buffer.concat([bytes, Buffer.from([sel]), sel % 2 ? bytes.subarray(0, 8) : Buffer.alloc(0)]));
}
// nist_diff: the curve and the key's form, then d, a and b (48 or 66 octets each), then mutations.
for (let sel = 0; sel < 4; sel++) {
  const len = sel % 2 ? 66 : 48;
  const bytes = Buffer.concat([0, 1, 2].map((i) => createHash('sha512').update(`nist ${sel} ${i}`).digest().subarray(0, len)));
  seed('nist_diff', Buffer.concat([Buffer.from([sel]), bytes, sel & 2 ? bytes.subarray(0, 8) : Buffer.alloc(0)]));
}
for (let sel = 0; sel < 4; sel++) {
  const bytes = createHash('sha512').update(`ed25519 ${sel}`).digest();
  seed('ed25519_diff', Buffer.concat([Buffer.from([sel]), bytes.subarray(0, 32), Buffer.from([12]), Buffer.from('eyJhbGciOiJF'), bytes]));
}

// role: byte 0 is the mode (0 role configuration, 1 claims, 2 glob pattern NUL subject, 3 login body).
const roleConfigs = [
  { cart: { role_type: 'jwt', user_claim: 'sub', bound_audiences: ['https://gate.example.com'], bound_claims: { '/kubernetes.io/namespace': 'shop' }, token_policies: ['shop'], token_ttl: '1h' } },
  { g: { user_claim: '/kubernetes.io/serviceaccount/name', user_claim_json_pointer: true, bound_claims_type: 'glob', bound_claims: { sub: ['system:serviceaccount:*:cart'] }, groups_claim: 'groups', claim_mappings: { '/kubernetes.io/pod/name': 'pod' }, token_bound_cidrs: ['10.0.0.0/8', '2001:db8::/32'], token_max_ttl: '24h', clock_skew_leeway: -1, expiration_leeway: '90s', token_no_default_policy: true } },
  { o: { role_type: 'oidc', user_claim: 'email' }, s: { user_claim: 'sub', bound_subject: 'x', token_ttl: 3600 } },
];
for (const r of roleConfigs) seed('role', Buffer.concat([Buffer.from([0]), Buffer.from(JSON.stringify(r))]));
for (const t of tokens) {
  const payload = t.split('.')[1];
  if (payload) seed('role', Buffer.concat([Buffer.from([1]), b64u(payload)]));
}
for (const [p, subject] of [['system:serviceaccount:*:cart', 'system:serviceaccount:shop:cart'], ['*a*b*', 'xaybz'], ['/kubernetes.io/serviceaccount/name', '']]) {
  seed('role', Buffer.from(`\u0002${p}\u0000${subject}`));
}

for (const body of ['{"role":"cart","jwt":"x.y.z"}', '{"jwt":"a","set_cookie":true,"extra":[1,{"b":null}]}', '{"role":null}', '']) {
  seed('role', Buffer.concat([Buffer.from([3]), Buffer.from(body)]));
}

// session: byte 0 bit 0 picks signed (1: the harness MACs the body) or raw (0: the token as sent).
const FUZZ_SECRET = 'fuzz-secret-0123456789abcdef-0123456789';
const macKey = createHmac('sha256', FUZZ_SECRET).update('jwksgate session mac v1').digest();
const session = { v: 1, id: 'c2Vzc2lvbg', role: 'cart', alias: 'system:serviceaccount:shop:cart', policies: ['default', 'shop'], meta: { role: 'cart', pod: 'cart-1' }, groups: ['dev'], cidrs: ['10.0.0.0/8'], iat: 1_700_000_000, exp: 1_800_000_000 };
for (const body of [session, { ...session, cidrs: [] }, { ...session, exp: 1 }]) {
  const text = JSON.stringify(body);
  for (const sel of [1, 3, 11]) seed('session', Buffer.concat([Buffer.from([sel]), Buffer.from(text)]));
  const signed = `jgs.${Buffer.from(text).toString('base64url')}`;
  const token = `${signed}.${createHmac('sha256', macKey).update(signed).digest('base64url')}`;
  seed('session', Buffer.concat([Buffer.from([10]), Buffer.from(token)]));
}

// http: byte 0 is the mode (bits 0-3 the split step, bit 4 a clean close, bit 5 a HEAD request),
// then a response as an API server sends one: Content-Length, chunked (Go's larger bodies), 204,
// a redirect (refused), and a URL line for the URL reader.
const jwksBody = jwksTexts.length ? jwksTexts[0] : '{"keys":[]}';
const chunked = (body, size) => {
  let out = '';
  for (let i = 0; i < body.length; i += size) out += `${(Math.min(size, body.length - i)).toString(16)}\r\n${body.slice(i, i + size)}\r\n`;
  return `${out}0\r\n\r\n`;
};
const responses = [
  `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(jwksBody)}\r\n\r\n${jwksBody}`,
  `HTTP/1.1 200 OK\r\nContent-Type: application/jwk-set+json\r\nTransfer-Encoding: chunked\r\n\r\n${chunked(jwksBody, 64)}`,
  'HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 56\r\n\r\n{"kind":"TokenReview","status":{"authenticated":false}}\n',
  'HTTP/1.1 204 No Content\r\n\r\n',
  'HTTP/1.1 302 Found\r\nLocation: https://elsewhere.example/\r\nContent-Length: 0\r\n\r\n',
  'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nConnection: close\r\n\r\n{"keys":[]}',
];
for (const r of responses) for (const mode of [0, 3, 16 | 1, 32 | 7]) seed('http', Buffer.concat([Buffer.from([mode]), Buffer.from(r)]));
for (const u of ['https://10.96.0.1:6443/openid/v1/jwks', 'https://[::1]/apis/authentication.k8s.io/v1/tokenreviews', 'http://127.0.0.1:8080/.well-known/openid-configuration?x=1']) seed('http', Buffer.concat([Buffer.from([0]), Buffer.from(u)]));

// templates: AUTH_CONFIG texts with Bank-Vaults' templates (the harness has the file `ca` and the
// variable TOKEN), and the seed's custom resource.
for (const t of [
  'auth:\n  - type: jwt\n    config:\n      oidc_discovery_url: https://kubernetes.default.svc\n      oidc_discovery_ca_pem: ${ file `ca` }\n      oidc_discovery_bearer_token: ${ env `TOKEN` }\n    roles: [{name: r, user_claim: sub, bound_audiences: v}]\n',
  '{"auth":[{"type":"kubernetes","config":{"kubernetes_ca_cert":"${ `ca` | file }","token_reviewer_jwt":"${ .Env.TOKEN }"},"roles":[{"name":"r","bound_service_account_names":"*","bound_service_account_namespaces":"*"}]}]}',
  '${- /* comment */ -} ${ printf "%s" "x" } ${ (env "TOKEN") } ${ "a\\u003cb" } ${ `raw` }',
  readFileSync(join(vectors, 'bank-vaults', 'cr-oidc.yaml'), 'utf8'),
]) seed('templates', t);

console.log(Object.entries(counts).map(([t, n]) => `${t}: ${n} seeds`).join(', '));
