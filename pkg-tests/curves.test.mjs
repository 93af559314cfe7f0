// ECDSA (ES256/384/512) and EdDSA (EdDSA, Ed25519) interop with independent implementations:
// fresh keys of every curve from node:crypto (OpenSSL), tokens signed by jose and by node:crypto
// verify; each failure mode gives jose's code; thumbprints and key ids equal jose's and
// OpenSSL's; importPublicKeyPem and importX509 read what node:crypto and OpenSSL write; and a
// differential of verifySignature against node:crypto.verify over mutated signatures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createHash, generateKeyPairSync, sign as nodeSign, verify as nodeVerify, createPublicKey, X509Certificate } from 'node:crypto';
import { SignJWT, jwtVerify, createLocalJWKSet, calculateJwkThumbprint, importX509 as joseImportX509, exportJWK } from 'jose';
import { verify, verifyJws, Verifier, jwkThumbprint, kubernetesKeyId, verifySignature, importPublicKeyPem, importX509 } from 'jwksgate';
import { assertFailsAsJose, k8sClaims, NOW } from './helpers.mjs';

const CURVES = [
  { alg: 'ES256', curve: 'prime256v1', crv: 'P-256', hash: 'sha256' },
  { alg: 'ES384', curve: 'secp384r1', crv: 'P-384', hash: 'sha384' },
  { alg: 'ES512', curve: 'secp521r1', crv: 'P-521', hash: 'sha512' },
  { alg: 'EdDSA', crv: 'Ed25519', hash: null },
  { alg: 'Ed25519', crv: 'Ed25519', hash: null },
];
const ALGS = CURVES.map((c) => c.alg);
const cache = new Map();

/** A key pair for the curve, made once per run by node:crypto; `kid` is the Kubernetes key id. */
function curveKey(c) {
  const id = c.crv;
  if (!cache.has(id)) {
    const { privateKey, publicKey } = c.curve ? generateKeyPairSync('ec', { namedCurve: c.curve }) : generateKeyPairSync('ed25519');
    const spki = publicKey.export({ format: 'der', type: 'spki' });
    const kid = createHash('sha256').update(spki).digest('base64url');
    const jwk = { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig' };
    cache.set(id, { privateKey, publicKey, jwk, kid, pem: publicKey.export({ format: 'pem', type: 'spki' }) });
  }
  return cache.get(id);
}

const jwks = () => ({ keys: [...new Set(CURVES.map((c) => c.crv))].map((crv) => curveKey(CURVES.find((c) => c.crv === crv)).jwk) });

function joseToken(c, { header = {}, claims = k8sClaims() } = {}) {
  const { privateKey, kid } = curveKey(c);
  return new SignJWT(claims).setProtectedHeader({ alg: c.alg, kid, typ: 'JWT', ...header }).sign(privateKey);
}

/** The JWS signature of `data` by node:crypto: r || s (IEEE P1363), or Ed25519's R || S. */
function nodeSignature(c, data) {
  const { privateKey } = curveKey(c);
  return c.hash ? nodeSign(c.hash, data, { key: privateKey, dsaEncoding: 'ieee-p1363' }) : nodeSign(null, data, privateKey);
}

function nodeToken(c, { header, payload } = {}) {
  const h = Buffer.from(header ?? JSON.stringify({ alg: c.alg, kid: curveKey(c).kid })).toString('base64url');
  const p = Buffer.from(payload ?? JSON.stringify(k8sClaims())).toString('base64url');
  return `${h}.${p}.${nodeSignature(c, Buffer.from(`${h}.${p}`)).toString('base64url')}`;
}

test('tokens signed by jose and by node:crypto verify, every curve algorithm', async () => {
  const set = jwks();
  const verifier = new Verifier(set, { algorithms: ALGS, currentDate: NOW });
  for (const c of CURVES) {
    const { kid, jwk } = curveKey(c);
    for (const [who, token] of [['jose', await joseToken(c)], ['node:crypto', nodeToken(c)]]) {
      const result = verifier.verify(token, { issuer: 'https://kubernetes.default.svc' });
      assert.equal(result.key.alg, c.alg, `${c.alg} by ${who}`);
      assert.equal(result.key.kid, kid);
      assert.equal(result.key.thumbprint, await calculateJwkThumbprint(jwk));
      assert.deepEqual(result.payload, k8sClaims());
      // One-shot, JWKS as text, this algorithm alone; and jose agrees.
      assert.equal(verify(token, JSON.stringify(set), { algorithms: [c.alg], currentDate: NOW }).header.alg, c.alg);
      assert.equal(verifyJws(token, set, { algorithms: [c.alg] }).key.alg, c.alg);
      await jwtVerify(token, createLocalJWKSet(set), { algorithms: [c.alg], currentDate: new Date(NOW * 1000) });
    }
  }
});

test('a mixed allowlist verifies RS256 and every curve family against one mixed set', async () => {
  const { rsaKey, joseToken: joseRsa } = await import('./helpers.mjs');
  const set = { keys: [rsaKey(2048).jwk, ...jwks().keys] };
  const verifier = new Verifier(set, { algorithms: ['RS256', ...ALGS], currentDate: NOW });
  assert.equal(verifier.verify(await joseRsa()).key.alg, 'RS256');
  for (const c of CURVES) assert.equal(verifier.verify(await joseToken(c)).key.alg, c.alg);
  // ['RS256', 'ES256'] used to be refused whole.
  assert.equal(verify(await joseRsa(), set, { algorithms: ['RS256', 'ES256'], currentDate: NOW }).key.alg, 'RS256');
  assert.deepEqual(verifier.keyIds, set.keys.map((k) => k.kid));
});

test('thumbprints equal jose calculateJwkThumbprint; key ids equal OpenSSL SPKI SHA-256', async () => {
  for (const c of CURVES) {
    const { jwk, kid } = curveKey(c);
    assert.equal(jwkThumbprint(jwk), await calculateJwkThumbprint(jwk), c.crv);
    assert.equal(kubernetesKeyId(jwk), kid, c.crv);
  }
});

test('importPublicKeyPem reads SPKI of every curve as node:crypto writes it, compressed too', () => {
  for (const c of CURVES) {
    const { pem, jwk, kid, publicKey } = curveKey(c);
    const imported = importPublicKeyPem(pem);
    assert.deepEqual(imported, { ...publicKey.export({ format: 'jwk' }), kid }, c.crv);
    if (c.curve) {
      // A compressed point (RFC 5480 allows it), which OpenSSL reads too; the kid is the
      // uncompressed key's, as Kubernetes would write it.
      const raw = Buffer.from(jwk.x, 'base64url');
      const y = Buffer.from(jwk.y, 'base64url');
      const compressed = Buffer.concat([Buffer.from([2 + (y[y.length - 1] & 1)]), raw]);
      const spki = publicKey.export({ format: 'der', type: 'spki' });
      const compressedSpki = spkiWithPoint(spki, compressed);
      const viaNode = createPublicKey({ key: compressedSpki, format: 'der', type: 'spki' }).export({ format: 'jwk' });
      assert.deepEqual(importPublicKeyPem(toPem(compressedSpki)), { ...viaNode, kid }, `${c.crv} compressed`);
    }
  }
});

/** The SPKI with its BIT STRING replaced by `point` (same AlgorithmIdentifier). */
function spkiWithPoint(spki, point) {
  // SEQUENCE { AlgorithmIdentifier, BIT STRING }: the AlgorithmIdentifier starts at 2 or 3.
  const algStart = spki[1] & 0x80 ? 2 + (spki[1] & 0x7f) : 2;
  const algLen = spki[algStart + 1];
  const alg = spki.subarray(algStart, algStart + 2 + algLen);
  const bits = Buffer.concat([Buffer.from([0x03, point.length + 1, 0]), point]);
  const body = Buffer.concat([alg, bits]);
  return Buffer.concat([Buffer.from(body.length < 128 ? [0x30, body.length] : [0x30, 0x81, body.length]), body]);
}

const toPem = (der) => `-----BEGIN PUBLIC KEY-----\n${der.toString('base64').match(/.{1,64}/g).join('\n')}\n-----END PUBLIC KEY-----\n`;

test('importX509 reads certificates as jose importX509 and OpenSSL do; PEM input takes them too', async () => {
  const dir = new URL('../tests/vectors/certs/', import.meta.url);
  const algs = { 'rsa.pem': 'RS256', 'p256.pem': 'ES256', 'p256_v1.pem': 'ES256', 'p521.pem': 'ES512', 'ed25519.pem': 'EdDSA' };
  for (const [file, alg] of Object.entries(algs)) {
    const pem = readFileSync(new URL(file, dir), 'utf8');
    const ours = importX509(pem);
    const theirs = await exportJWK(await joseImportX509(pem, alg, { extractable: true }));
    const spki = new X509Certificate(pem).publicKey.export({ format: 'der', type: 'spki' });
    assert.deepEqual(ours, { ...theirs, kid: createHash('sha256').update(spki).digest('base64url') }, file);
    assert.deepEqual(importPublicKeyPem(pem), ours, file);
  }
  assert.throws(() => importX509(curveKey(CURVES[0]).pem), { code: 'ERR_JWK_INVALID' });
});

/** Failure modes of the curve families; both libraries must refuse each with one code. */
async function failureCases() {
  const es256 = CURVES[0];
  const good = await joseToken(es256);
  const [h, p, s] = good.split('.');
  const enc = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
  const sig = Buffer.from(s, 'base64url');
  const flip = Buffer.from(sig);
  flip[7] ^= 1;
  const der = derSignature(sig.subarray(0, 32), sig.subarray(32));
  const ed = await joseToken(CURVES[3]);
  const [eh, ep, es] = ed.split('.');
  return [
    ['ES256 not allowed (default RS256)', good, { algorithms: ['RS256'] }],
    ['ES256 allowed, EdDSA token', ed, { algorithms: ['ES256'] }],
    ['EdDSA allowed, Ed25519 token', await joseToken(CURVES[4]), { algorithms: ['EdDSA'] }],
    ['tampered ES256 signature', `${h}.${p}.${flip.toString('base64url')}`, {}],
    ['ES256 signature in DER', `${h}.${p}.${der.toString('base64url')}`, {}],
    ['ES256 signature truncated', `${h}.${p}.${sig.subarray(0, 63).toString('base64url')}`, {}],
    ['ES256 r = s = 0', `${h}.${p}.${Buffer.alloc(64).toString('base64url')}`, {}],
    ['tampered ES256 payload', `${h}.${enc(k8sClaims({ sub: 'system:serviceaccount:kube-system:admin' }))}.${s}`, {}],
    ['ES384 header naming the P-256 key', `${enc({ alg: 'ES384', kid: curveKey(es256).kid })}.${p}.${s}`, {}],
    ['ES256 header naming the Ed25519 key', `${enc({ alg: 'ES256', kid: curveKey(CURVES[3]).kid })}.${p}.${s}`, {}],
    ['EdDSA header naming the P-521 key', `${enc({ alg: 'EdDSA', kid: curveKey(CURVES[2]).kid })}.${ep}.${es}`, {}],
    ['tampered EdDSA signature', `${eh}.${ep}.${es.slice(0, 5)}${es[5] === 'A' ? 'B' : 'A'}${es.slice(6)}`, {}],
    ['EdDSA signature with S + L', `${eh}.${ep}.${sPlusL(Buffer.from(es, 'base64url')).toString('base64url')}`, {}],
    ['expired ES512 token', await joseToken(CURVES[2], { claims: k8sClaims({ exp: NOW - 1 }) }), {}],
    ['unknown kid, EdDSA', `${enc({ alg: 'EdDSA', kid: 'nope' })}.${ep}.${es}`, {}],
  ];
}

function derSignature(r, s) {
  const int = (v) => {
    let i = 0;
    while (i < v.length - 1 && v[i] === 0) i++;
    const t = v.subarray(i);
    return Buffer.concat([Buffer.from([0x02, t.length + (t[0] & 0x80 ? 1 : 0)]), t[0] & 0x80 ? Buffer.from([0]) : Buffer.alloc(0), t]);
  };
  const body = Buffer.concat([int(r), int(s)]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

const L = (1n << 252n) + 27742317777372353535851937790883648493n;
function sPlusL(sig) {
  const le = (b) => BigInt(`0x${Buffer.from(b).reverse().toString('hex') || '0'}`);
  const s = le(sig.subarray(32)) + L;
  const out = Buffer.from(s.toString(16).padStart(64, '0'), 'hex').reverse();
  return Buffer.concat([sig.subarray(0, 32), out]);
}

test('each curve failure gives the code jose gives', async () => {
  const set = jwks();
  const joseKeys = createLocalJWKSet(set);
  const verifier = new Verifier(set);
  const base = { currentDate: NOW, algorithms: ALGS };
  for (const [name, token, extra] of await failureCases()) {
    await assertFailsAsJose(name, token, joseKeys, verifier, { ...base, ...extra });
  }
});

/** Deterministic pseudo-random bytes (xorshift), so a failure names a reproducible case. */
function prng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x & 0xff;
  };
}

test('differential: verifySignature agrees with node:crypto.verify on mutated signatures', () => {
  const rounds = Number(process.env.JWKSGATE_DIFF_ROUNDS ?? 300);
  let compared = 0;
  let accepted = 0;
  for (const c of CURVES) {
    const { jwk, publicKey } = curveKey(c);
    const next = prng(c.alg.length * 7919 + c.crv.charCodeAt(2));
    for (let i = 0; i < rounds; i++) {
      const data = Buffer.from(Array.from({ length: 1 + (next() % 80) }, next));
      let sig = nodeSignature(c, data);
      let msg = data;
      switch (i % 6) {
        case 0: break; // the signature as made
        case 1: sig = Buffer.from(sig); sig[next() % sig.length] ^= 1 << (next() % 8); break;
        case 2: msg = Buffer.concat([data, Buffer.from([next()])]); break;
        case 3: sig = Buffer.from(sig); sig[next() % sig.length] = next(); break;
        case 4: sig = c.hash ? Buffer.concat([sig.subarray(0, sig.length / 2), Buffer.alloc(sig.length / 2)]) : sPlusL(sig); break;
        case 5: sig = sig.subarray(0, sig.length - 1 - (next() % 3)); break;
      }
      const theirs = c.hash
        ? nodeVerify(c.hash, msg, { key: publicKey, dsaEncoding: 'ieee-p1363' }, sig)
        : nodeVerify(null, msg, publicKey, sig);
      const ours = verifySignature(jwk, c.alg, new Uint8Array(msg), new Uint8Array(sig));
      assert.equal(ours, theirs, `${c.alg} round ${i} (mutation ${i % 6}): ours ${ours}, node:crypto ${theirs}`);
      compared++;
      accepted += ours ? 1 : 0;
    }
  }
  assert.ok(accepted > 0 && accepted < compared, `${accepted} of ${compared} accepted`);
  console.log(`differential: ${compared} signatures, ${accepted} accepted by both, the rest refused by both`);
});

test('verifySignature: a key of another family or curve is refused by name, not with false', () => {
  const p256 = curveKey(CURVES[0]).jwk;
  assert.throws(() => verifySignature(p256, 'ES384', new Uint8Array(1), new Uint8Array(96)), { code: 'ERR_JWK_INVALID' });
  assert.throws(() => verifySignature(p256, 'EdDSA', new Uint8Array(1), new Uint8Array(64)), { code: 'ERR_JWK_INVALID' });
  assert.throws(() => verifySignature(curveKey(CURVES[3]).jwk, 'ES256', new Uint8Array(1), new Uint8Array(64)), { code: 'ERR_JWK_INVALID' });
  assert.throws(() => verifySignature(p256, 'ES256K', new Uint8Array(1), new Uint8Array(64)), { code: 'ERR_JOSE_NOT_SUPPORTED' });
  assert.equal(verifySignature(p256, 'ES256', new Uint8Array(1), new Uint8Array(64)), false);
});
