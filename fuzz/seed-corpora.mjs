// Writes libFuzzer seed corpora to fuzz/corpus/<target>/ from the committed vectors in
// ../tests/vectors (RFC 7515/7520, Kubernetes, Wycheproof JWK/JWS). The corpora are not committed.
import { mkdirSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { createHash, createPublicKey } from 'node:crypto';
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

console.log(Object.entries(counts).map(([t, n]) => `${t}: ${n} seeds`).join(', '));
