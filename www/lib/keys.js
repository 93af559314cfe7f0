// Reads the "issuer keys" box: a JWKS (RFC 7517 section 5), a single JWK, or PEM public keys
// (SPKI or PKCS#1, as in Kubernetes' sa.pub). Parsing and key rules are the package's; this only
// recognises which of the three the user pasted and lists the keys for display.

export const MAX_KEYS_BYTES = 1024 * 1024;
const MAX_LISTED = 100;
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]{1,40})-----[\s\S]*?-----END \1-----/g;

/**
 * Turns the box's text into `{ kind, jwks, list }`: `jwks` is JSON text for the package's
 * Verifier, `list` one row per key. Throws an Error (with `.code` when the package made it).
 */
export function readKeys(text, pkg) {
  const t = text.trim();
  if (t.length > MAX_KEYS_BYTES) {
    throw Object.assign(new Error(`The keys are ${Math.round(t.length / 1024)} KB; the inspector reads at most 1 MB of keys.`), { code: 'TOO_LARGE' });
  }
  if (t.includes('-----BEGIN')) {
    const blocks = t.match(PEM_BLOCK);
    if (!blocks) throw new Error('This looks like PEM but has no complete -----BEGIN … -----END … block.');
    const keys = blocks.map((b) => pkg.importPublicKeyPem(b));
    return { kind: blocks.length === 1 ? 'a PEM public key' : `${blocks.length} PEM public keys`, jwks: JSON.stringify({ keys }), list: listKeys(keys, pkg) };
  }
  let parsed;
  try {
    parsed = JSON.parse(t);
  } catch {
    // Not JSON to us either: the package's parser gives the precise error.
    return { kind: 'text', jwks: t, list: [] };
  }
  if (parsed && typeof parsed === 'object' && !Array.isArray(parsed) && !('keys' in parsed) && 'kty' in parsed) {
    return { kind: 'one JWK', jwks: `{"keys":[${t}]}`, list: listKeys([parsed], pkg) };
  }
  const keys = Array.isArray(parsed?.keys) ? parsed.keys : [];
  return { kind: 'a JWKS', jwks: t, list: listKeys(keys, pkg) };
}

function listKeys(keys, pkg) {
  return keys.slice(0, MAX_LISTED).map((jwk) => {
    const row = { kid: typeof jwk?.kid === 'string' ? jwk.kid : undefined, use: jwk?.use, alg: jwk?.alg, kty: jwk?.kty };
    try {
      row.thumbprint = pkg.jwkThumbprint(jwk);
      row.kubernetesKeyId = pkg.kubernetesKeyId(jwk);
    } catch (e) {
      row.error = `${e.code ?? 'ERROR'}: ${e.message}`;
    }
    return row;
  });
}
