// The inspector with every signature family (issue 15), in Debian's Chromium: ES256/384/512,
// EdDSA and Ed25519 tokens signed by node:crypto with fresh keys verify against EC and OKP JWKs,
// SPKI PEM and X.509 certificates; the key table says what each key is and can verify; forged
// ECDSA signatures and curve or family confusion are refused, and the verdict says why; the
// ES256 example. Key selection is the package's (jose's isUsableJWK, panva/jose
// src/jwks/local.ts: kty the family, crv the algorithm's curve).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { b64u, k8sClaims, pageKit, rsaKey, signToken as signRsa, siteAndBrowser } from './helpers.mjs';
import * as example from '../example.js';

const env = {};
const { open, close, act, fillIn, waitVerdict, pasteTokenAndKeys } = pageKit(env);
const ISS = 'https://oidc.ec-cluster.test';
const VECTORS = join(import.meta.dirname, '..', '..', 'tests', 'vectors');

siteAndBrowser(env);

/** The curve of each algorithm, as node:crypto names it, and the JWS hash (null: EdDSA hashes itself). */
const FAMILIES = {
  ES256: { type: 'ec', namedCurve: 'P-256', crv: 'P-256', hash: 'sha256' },
  ES384: { type: 'ec', namedCurve: 'P-384', crv: 'P-384', hash: 'sha384' },
  ES512: { type: 'ec', namedCurve: 'P-521', crv: 'P-521', hash: 'sha512' },
  EdDSA: { type: 'ed25519', crv: 'Ed25519', hash: null },
  Ed25519: { type: 'ed25519', crv: 'Ed25519', hash: null },
};

/** A key pair as the tests need it: public JWK, Kubernetes key id and RFC 7638 thumbprint by node:crypto. */
function keyFrom(privateKey, kid) {
  const publicKey = createPublicKey(privateKey);
  const jwk = publicKey.export({ format: 'jwk' });
  const k8sKid = createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64url');
  // RFC 7638 section 3.2 (EC) and RFC 8037 section 2 (OKP): required members in lexicographic order.
  const members = jwk.kty === 'EC' ? { crv: jwk.crv, kty: 'EC', x: jwk.x, y: jwk.y } : { crv: jwk.crv, kty: 'OKP', x: jwk.x };
  const thumbprint = createHash('sha256').update(JSON.stringify(members)).digest('base64url');
  return {
    privateKey, publicKey, k8sKid, thumbprint,
    jwk: { ...jwk, kid: kid ?? k8sKid, use: 'sig' },
    spkiPem: publicKey.export({ type: 'spki', format: 'pem' }),
  };
}

const freshKey = (alg, kid) => {
  const f = FAMILIES[alg];
  return keyFrom(generateKeyPairSync(f.type, f.namedCurve ? { namedCurve: f.namedCurve } : {}).privateKey, kid);
};

/** A compact JWS signed by node:crypto: ECDSA in the JWS form (r || s) unless `dsaEncoding` says 'der'. */
function signToken(header, payload, key, { dsaEncoding = 'ieee-p1363' } = {}) {
  const input = `${b64u(header)}.${b64u(payload)}`;
  const { hash } = FAMILIES[header.alg];
  const signature = sign(hash, Buffer.from(input), hash ? { key: key.privateKey, dsaEncoding } : key.privateKey);
  return `${input}.${signature.toString('base64url')}`;
}

async function allow(page, algs) {
  await act(page, () => page.evaluate((want) => {
    for (const box of document.querySelectorAll('input[name=alg]')) box.checked = want.includes(box.value);
    document.querySelector('input[name=alg]').dispatchEvent(new Event('change'));
  }, algs));
}

/** The key table as `{ kid, type, thumbprint, k8sKid, algs }` rows. */
const keyRows = (page) => page.locator('#key-list tbody tr').evaluateAll((trs) => trs.map((tr) => {
  const c = [...tr.cells].map((td) => td.textContent);
  return c.length === 6 ? { kid: c[0], type: c[1], thumbprint: c[2], k8sKid: c[3], algs: c[4] } : { kid: c[0], type: c[1], error: c[2] };
}));

describe('every signature family', () => {
  test('ES256, ES384, ES512, EdDSA and Ed25519 tokens verify with EC and OKP JWKs and with SPKI PEM, only when allowed', async () => {
    const p = await open();
    const { page } = p;
    // [alg, whether the JWK names its alg, what the key table says it can verify]
    const rows = [
      ['ES256', true, 'ES256'],
      ['ES384', true, 'ES384'],
      ['ES512', false, 'ES512'],
      ['EdDSA', false, 'EdDSA Ed25519'],
      ['Ed25519', true, 'Ed25519'],
    ];
    for (const [alg, named, algs] of rows) {
      const key = freshKey(alg);
      if (named) key.jwk.alg = alg;
      const token = signToken({ alg, kid: key.jwk.kid, typ: 'JWT' }, k8sClaims(ISS), key);
      await allow(page, ['RS256']);
      await pasteTokenAndKeys(page, token, { keys: [key.jwk] });
      await waitVerdict(page, 'failed', 'ERR_JOSE_ALG_NOT_ALLOWED');
      await allow(page, ['RS256', alg]);
      const text = await waitVerdict(page, 'verified');
      assert.match(text, /Verified/, alg);
      const matched = await page.locator('#matched-key').innerText();
      assert.ok(matched.includes(key.thumbprint), `${alg}: RFC 7638 thumbprint as node:crypto computes it`);
      assert.ok(matched.includes(key.k8sKid), `${alg}: Kubernetes key id as node:crypto computes it`);
      const [row] = await keyRows(page);
      assert.deepEqual(row, { kid: key.jwk.kid, type: `${key.jwk.kty} ${FAMILIES[alg].crv}`, thumbprint: key.thumbprint, k8sKid: key.k8sKid, algs }, alg);
      assert.equal(await page.locator('#key-list tr.matched').count(), 1);
      // The same key as SPKI PEM: importPublicKeyPem gives it the Kubernetes key id as kid.
      await fillIn(page, /^Issuer keys/, key.spkiPem);
      await waitVerdict(page, 'verified');
      assert.match(await page.locator('#keys-status').innerText(), /a PEM public key/);
    }
    assert.deepEqual(p.foreign(), []);
    await close(p);
  });

  test('X.509 certificates (importX509): ES256, ES512, EdDSA and RS256 tokens verify with the certificate of their key', async () => {
    const p = await open();
    const { page } = p;
    // tests/vectors/certs/README.md: each certificate and the private key it was made for.
    const rows = [
      ['ES256', 'certs/p256.pem', 'k8s/pkg_serviceaccount/ecdsaPrivateKey.pem', 'SoABiieYuNx4UdqYvZRVeuC6SihxgLrhLy9peHMHpTc', 'EC P-256'],
      ['ES256', 'certs/p256_v1.pem', 'k8s/pkg_serviceaccount/ecdsaPrivateKey.pem', 'SoABiieYuNx4UdqYvZRVeuC6SihxgLrhLy9peHMHpTc', 'EC P-256'],
      ['ES512', 'certs/p521.pem', 'k8s/oidc_testdata/ecdsa_1.pem', '892oXS8SSgNldETvo92mBIZWLBmYJP4dJ3ILGpO-UcM', 'EC P-521'],
      ['EdDSA', 'certs/ed25519.pem', 'certs/ed25519_private.pem', '4-WziuR5ZshgiGN0boug1jYnNhcMV020oe-Kx9gxRpI', 'OKP Ed25519'],
      ['RS256', 'certs/rsa.pem', 'k8s/pkg_serviceaccount/rsaPrivateKey.pem', 'JHJehTTTZlsspKHT-GaJxK7Kd1NQgZJu3fyK6K_QDYU', 'RSA'],
    ];
    await allow(page, ['RS256', 'ES256', 'ES512', 'EdDSA']);
    for (const [alg, cert, priv, kid, type] of rows) {
      const certPem = readFileSync(join(VECTORS, cert), 'utf8');
      const key = keyFrom(createPrivateKey(readFileSync(join(VECTORS, priv), 'utf8')));
      assert.equal(key.k8sKid, kid, `${cert}: the key id the certificates' README gives`);
      const claims = k8sClaims(ISS);
      const token = alg === 'RS256' ? signRsa({ alg, kid }, claims, key) : signToken({ alg, kid }, claims, key);
      await pasteTokenAndKeys(page, token, certPem);
      await waitVerdict(page, 'verified');
      assert.match(await page.locator('#keys-status').innerText(), /a certificate's public key/, cert);
      const [row] = await keyRows(page);
      assert.equal(row.kid, kid, `${cert}: kid is the Kubernetes key id`);
      assert.equal(row.type, type);
      // A certificate and an SPKI key of another family in one paste.
      const other = freshKey('ES384');
      await fillIn(page, /^Issuer keys/, `${other.spkiPem}\n${certPem}`);
      await waitVerdict(page, 'verified');
      assert.match(await page.locator('#keys-status').innerText(), /2 PEM blocks \(1 certificate, 1 public key\)/);
      assert.equal(await page.locator('#key-list tr.matched').count(), 1);
    }
    // Tampered certificate bytes, a curve the package does not support, a private key: refused with the package's code.
    const p256 = readFileSync(join(VECTORS, 'certs/p256.pem'), 'utf8');
    const refused = [
      p256.replace(/\n([A-Za-z0-9+/]{20})/, (m, s) => `\n${s.split('').reverse().join('')}`),
      generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey.export({ type: 'spki', format: 'pem' }),
      readFileSync(join(VECTORS, 'certs/ed25519_private.pem'), 'utf8'),
    ];
    for (const pem of refused) {
      await fillIn(page, /^Issuer keys/, pem);
      await page.waitForFunction(() => /cannot be used: ERR_[A-Z_]+: /.test(document.getElementById('keys-status').textContent));
      await waitVerdict(page, 'failed');
    }
    assert.deepEqual(p.foreign(), []);
    await close(p);
  });

  test('a forged ES256 signature is refused and the verdict says so, right after a verified token', async () => {
    const p = await open();
    const { page } = p;
    const key = freshKey('ES256');
    key.jwk.alg = 'ES256';
    await allow(page, ['ES256']);
    const good = signToken({ alg: 'ES256', kid: key.jwk.kid }, k8sClaims(ISS), key);
    const [h, pl, s] = good.split('.');
    const sig = Buffer.from(s, 'base64url');
    const flip = (i) => { const b = Buffer.from(sig); b[i] ^= 1; return b.toString('base64url'); };
    const zero = Buffer.alloc(64).toString('base64url');
    const forged = [
      ['claims changed under the signature', `${h}.${b64u(k8sClaims(ISS, undefined, { sub: 'system:serviceaccount:kube-system:admin' }))}.${s}`],
      ['a bit of r flipped', `${h}.${pl}.${flip(3)}`],
      ['a bit of s flipped', `${h}.${pl}.${flip(60)}`],
      ['r = s = 0 (CVE-2022-21449)', `${h}.${pl}.${zero}`],
      ['the DER form node:crypto signs by default', signToken({ alg: 'ES256', kid: key.jwk.kid }, k8sClaims(ISS), key, { dsaEncoding: 'der' })],
      ['signed by another P-256 key under this kid', signToken({ alg: 'ES256', kid: key.jwk.kid }, k8sClaims(ISS), freshKey('ES256'))],
    ];
    await pasteTokenAndKeys(page, good, { keys: [key.jwk] });
    for (const [what, token] of forged) {
      await fillIn(page, 'Paste a JWT', good);
      await waitVerdict(page, 'verified');
      await fillIn(page, 'Paste a JWT', token);
      const text = await waitVerdict(page, 'failed', 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
      assert.match(text, /^✗?\s*Not verified/, what);
      assert.match(text, /signature verification failed/, what);
      assert.doesNotMatch(text, /signature itself is valid/, what);
      assert.equal(await page.locator('#matched-key').isHidden(), true, `${what}: no key shown as matching`);
      assert.equal(await page.locator('#key-list tr.matched').count(), 0, what);
    }
    await close(p);
  });

  test('curve and family confusion: ES384 on a P-256 key, ES256 on P-384 and on RSA, EdDSA on EC, ES256 on Ed25519', async () => {
    const p = await open();
    const { page } = p;
    await allow(page, ['RS256', 'ES256', 'ES384', 'ES512', 'EdDSA']);
    const kid = 'shared-kid';
    // [the key in the set, the token's alg and signer]: each a valid signature by a key of the
    // token's algorithm, offered under the kid of a key of another curve or family.
    const rows = [
      [freshKey('ES256', kid), 'ES384', 'EC P-256', 'ES256'],
      [freshKey('ES384', kid), 'ES256', 'EC P-384', 'ES384'],
      [freshKey('ES256', kid), 'EdDSA', 'EC P-256', 'ES256'],
      [freshKey('EdDSA', kid), 'ES256', 'OKP Ed25519', 'EdDSA, Ed25519'],
      [{ jwk: { ...rsaKey(kid).jwk, alg: undefined } }, 'ES256', 'RSA', 'RS256, RS384, RS512, PS256, PS384, PS512'],
    ];
    for (const [setKey, alg, type, can] of rows) {
      const token = signToken({ alg, kid }, k8sClaims(ISS), freshKey(alg));
      await pasteTokenAndKeys(page, token, { keys: [setKey.jwk] });
      const text = await waitVerdict(page, 'failed', 'ERR_JWKS_NO_MATCHING_KEY');
      assert.ok(text.includes(`Key ${kid} is ${type}: it can verify ${can}, not ${alg} (the token's alg).`), `${alg} on ${type}: ${text}`);
      assert.equal(await page.locator('#matched-key').isHidden(), true);
    }
    // A mixed set: the token's kid names the P-256 key, so a P-384 key beside it does not help.
    const p256 = freshKey('ES256', kid);
    const p384 = freshKey('ES384', 'other');
    const token = signToken({ alg: 'ES384', kid }, k8sClaims(ISS), p384);
    await pasteTokenAndKeys(page, token, { keys: [p256.jwk, p384.jwk] });
    await waitVerdict(page, 'failed', 'ERR_JWKS_NO_MATCHING_KEY');
    assert.deepEqual((await keyRows(page)).map((r) => r.algs), ['ES256', 'ES384']);
    await close(p);
  });

  test('the ES256 example: a second issuer signing with Kubernetes\' P-256 test key, verified with nothing fetched', async () => {
    const p = await open();
    const { page } = p;
    await act(page, () => page.getByRole('button', { name: 'Load the ES256 example' }).click());
    const text = await waitVerdict(page, 'verified');
    assert.match(text, /Verified/);
    assert.doesNotMatch(text, /not the issuer/);
    const matched = await page.locator('#matched-key').innerText();
    assert.match(matched, /kid\s+SoABiieYuNx4UdqYvZRVeuC6SihxgLrhLy9peHMHpTc/, 'kid is Kubernetes\' ecdsaKeyID');
    assert.match(matched, /Algorithm\s+ES256/);
    const checked = await page.locator('input[name=alg]:checked').evaluateAll((b) => b.map((x) => x.value));
    assert.deepEqual(checked, ['ES256'], 'the example allows exactly its algorithm');
    assert.deepEqual((await keyRows(page)).map((r) => [r.type, r.algs]), [['EC P-256', 'ES256']]);
    assert.equal(await page.getByLabel(/^Issuer \(/).inputValue(), example.es256.issuer);
    assert.notEqual(example.es256.issuer, example.issuer);
    const k8s = await page.locator('#k8s').innerText();
    assert.ok(k8s.includes('system:serviceaccount:edge:metrics-agent (matches sub)'), k8s);
    // The RS256 example after it allows RS256 alone again; the ES256 token is refused under it.
    await act(page, () => page.getByRole('button', { name: 'Load the example' }).click());
    await waitVerdict(page, 'verified');
    assert.deepEqual(await page.locator('input[name=alg]:checked').evaluateAll((b) => b.map((x) => x.value)), ['RS256']);
    await fillIn(page, 'Paste a JWT', example.es256.token);
    await waitVerdict(page, 'failed', 'ERR_JOSE_ALG_NOT_ALLOWED');
    assert.deepEqual(p.foreign(), []);
    await close(p);
  });
});
