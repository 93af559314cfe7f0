// Reads the "issuer keys" box: a JWKS (RFC 7517 section 5), a single JWK, or PEM public keys
// (SPKI of RSA, EC and Ed25519 keys, PKCS#1 as in Kubernetes' sa.pub, X.509 certificates).
// Parsing and key rules are the package's; this only recognises which the user pasted and lists
// the keys for display.

export const MAX_KEYS_BYTES = 1024 * 1024;
const MAX_LISTED = 100;
/** Every algorithm the page offers, in the order of its check boxes. */
export const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
const NOTHING = new Uint8Array(0);

/** "a PEM public key", "2 certificates", "3 PEM blocks (1 certificate, 2 public keys)". */
function pemKind(read) {
  const certs = read.filter((k) => k.certificate).length;
  const n = read.length;
  if (certs === 0) return n === 1 ? 'a PEM public key' : `${n} PEM public keys`;
  if (certs === n) return n === 1 ? 'a certificate\'s public key' : `the public keys of ${n} certificates`;
  return `${n} PEM blocks (${certs} certificate${certs > 1 ? 's' : ''}, ${n - certs} public key${n - certs > 1 ? 's' : ''})`;
}

/**
 * Turns the box's text into `{ kind, jwks, list, pem }`: `jwks` is JSON text for the package's
 * Verifier, `list` one row per key, `pem` true for PEM keys or certificates (a static set, every
 * key tried whatever the kid, as Vault's jwt_validation_pubkeys). Throws an Error (with `.code`
 * when the package made it).
 */
export function readKeys(text, pkg) {
  const t = text.trim();
  if (t.length > MAX_KEYS_BYTES) {
    throw Object.assign(new Error(`The keys are ${Math.round(t.length / 1024)} KB; the inspector reads at most 1 MB of keys.`), { code: 'TOO_LARGE' });
  }
  if (t.includes('-----BEGIN')) {
    // The package's one PEM reader (src/pem.rs): every block, a public key or a certificate.
    const read = pkg.importPublicKeysPem(t);
    const keys = read.map((k) => k.jwk);
    return { kind: pemKind(read), jwks: JSON.stringify({ keys }), list: listKeys(keys, pkg), pem: true };
  }
  let parsed;
  try {
    parsed = JSON.parse(t);
  } catch {
    // Not JSON to us either: the package's parser gives the precise error.
    return { kind: 'text', jwks: t, list: [], pem: false };
  }
  if (parsed && typeof parsed === 'object' && !Array.isArray(parsed) && !('keys' in parsed) && 'kty' in parsed) {
    return { kind: 'one JWK', jwks: `{"keys":[${t}]}`, list: listKeys([parsed], pkg), pem: false };
  }
  const keys = Array.isArray(parsed?.keys) ? parsed.keys : [];
  return { kind: 'a JWKS', jwks: t, list: listKeys(keys, pkg), pem: false };
}

/**
 * The algorithms a key may verify, as the package's key selection judges it (jose's
 * isUsableJWK: the family, the curve, the JWK's `alg`, `use` and `key_ops`): verifySignature
 * refuses a key that does not fit the algorithm before looking at any signature.
 */
function usableFor(jwk, pkg) {
  return ALGORITHMS.filter((alg) => {
    try {
      pkg.verifySignature(jwk, alg, NOTHING, NOTHING);
      return true;
    } catch {
      return false;
    }
  });
}

function listKeys(keys, pkg) {
  return keys.slice(0, MAX_LISTED).map((jwk) => {
    const text = (v) => (typeof v === 'string' ? v : undefined);
    const row = { kid: text(jwk?.kid), use: text(jwk?.use), alg: text(jwk?.alg), kty: text(jwk?.kty), crv: text(jwk?.crv) };
    try {
      row.thumbprint = pkg.jwkThumbprint(jwk);
      row.kubernetesKeyId = pkg.kubernetesKeyId(jwk);
      row.algorithms = usableFor(jwk, pkg);
    } catch (e) {
      row.error = `${e.code ?? 'ERROR'}: ${e.message}`;
    }
    return row;
  });
}
