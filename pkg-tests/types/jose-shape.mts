// Compiled by `tsc -p types` (never run): the jose-shaped API types as jose's do, so code
// written against jose type-checks with the import line changed.
import { jwtVerify, createRemoteJWKSet, createIssuerJWKSet, createLocalJWKSet, customFetch, jwksCache, errors, type JWTVerifyResult, type RemoteJWKSet, type JWKSStore } from 'jwksgate';

const JWKS: RemoteJWKSet = createRemoteJWKSet(new URL('https://issuer.example/keys'), {
  timeoutDuration: 5000, cooldownDuration: 30_000, cacheMaxAge: Infinity, headers: { 'x-a': 'b' },
  [customFetch]: (url, init) => fetch(url, init),
  [jwksCache]: {},
});
const store: JWKSStore = { get: async () => null, put: async () => {} };
const issuer = createIssuerJWKSet('https://issuer.example', { store, maxStaleDuration: 0, onError: (e) => console.error(e) });
const local = createLocalJWKSet({ keys: [] });

async function check(token: string): Promise<string | undefined> {
  try {
    const r: JWTVerifyResult = await jwtVerify(token, JWKS, { issuer: 'https://issuer.example', clockTolerance: '30s', maxTokenAge: 3600 });
    await jwtVerify(token, issuer);
    await jwtVerify(token, local);
    await jwtVerify(token, async (header) => (header.kid === 'a' ? local : issuer));
    const thumbprint: string = r.key.thumbprint;
    const sub: string | undefined = r.payload.sub;
    const fresh: boolean = JWKS.fresh && !JWKS.coolingDown && !JWKS.reloading;
    const v = await issuer.ready({ waitUntil: (p) => void p });
    return fresh ? `${thumbprint}${sub}${v.keyIds.length}${issuer.jwksUri}` : undefined;
  } catch (e) {
    if (e instanceof errors.JWTClaimValidationFailed) return `${e.claim} ${e.reason} ${e.payload.sub}`;
    if (e instanceof errors.JWTExpired) return e.code;
    if (e instanceof errors.JOSEError) return e.code;
    throw e;
  }
}
// @ts-expect-error a duration string is not an option of createRemoteJWKSet (milliseconds, as jose).
createRemoteJWKSet(new URL('https://x'), { timeoutDuration: '5s' });
export { check };
