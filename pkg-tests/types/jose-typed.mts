// Typed code as jose's documentation writes it, compiled by `tsc -p types` against jose itself
// and, with the import line changed to 'jwksgate' (scripts/test-pkg.sh writes that copy,
// jose-typed.jwksgate.mts), against this package: the generics (jwtVerify<PayloadType>,
// JWTVerifyResult<PayloadType>) and jose's type names must compile unchanged.
import { jwtVerify, createRemoteJWKSet, createLocalJWKSet, errors, type JWTPayload, type JWTVerifyResult, type JWTVerifyOptions, type JWTHeaderParameters, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';

interface MyClaims extends JWTPayload {
  role: 'admin' | 'user';
  email: string;
}

const JWKS = createRemoteJWKSet(new URL('https://issuer.example/.well-known/jwks.json'));
const keys: JSONWebKeySet = { keys: [] };
const local = createLocalJWKSet(keys);
const options: JWTVerifyOptions = {
  issuer: 'https://issuer.example',
  audience: 'my-app',
  algorithms: ['RS256', 'ES256'],
  clockTolerance: '30s',
  maxTokenAge: '1h',
  requiredClaims: ['email'],
};
const getKey: JWTVerifyGetKey = (header, token) => JWKS(header, token);

export async function role(token: string): Promise<MyClaims['role']> {
  const { payload, protectedHeader } = await jwtVerify<MyClaims>(token, JWKS, options);
  const header: JWTHeaderParameters = protectedHeader;
  const email: string = payload.email;
  const sub: string | undefined = payload.sub;
  return header.alg && email && sub ? payload.role : 'user';
}

export async function scope(token: string): Promise<string> {
  const result: JWTVerifyResult<{ scope: string }> = await jwtVerify<{ scope: string }>(token, local);
  const viaResolver = await jwtVerify<MyClaims>(token, getKey, { audience: ['a', 'b'] });
  return `${result.payload.scope} ${viaResolver.payload.email} ${result.payload.exp ?? 0}`;
}

export async function reason(token: string): Promise<string> {
  try {
    const { payload } = await jwtVerify(token, JWKS);
    return payload.iss ?? '';
  } catch (e) {
    if (e instanceof errors.JWTExpired) return `${e.claim} ${e.reason} ${e.payload.sub}`;
    if (e instanceof errors.JWTClaimValidationFailed) return e.claim;
    if (e instanceof errors.JOSEError && e.code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') return e.code;
    throw e;
  }
}

// @ts-expect-error the payload is typed as the caller says: a claim it lacks is an error.
export const wrong = async (token: string): Promise<number> => (await jwtVerify<MyClaims>(token, JWKS)).payload.email;
