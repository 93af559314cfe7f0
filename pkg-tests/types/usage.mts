// Compiled by `tsc -p types` (never run): the package's declarations type the API, not `any`.
import { verify, Verifier, decodeUnverified, kubernetesIdentity, importX509, importPublicKeyPem, type JWK, type VerifyOptions, type VerifyResult, type ErrorCode, type JwksgateError } from 'jwksgate';

const options: VerifyOptions = { algorithms: ['RS256', 'PS256'], audience: ['vault'], currentDate: new Date(), requiredClaims: [] };
const result: VerifyResult = verify('t', { keys: [] }, options);
const exp: number | undefined = result.payload.exp;
const alg: 'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512' | 'EdDSA' | 'Ed25519' = result.key.alg;
const mixed: VerifyOptions = { algorithms: ['RS256', 'ES256', 'EdDSA', 'Ed25519'] };
const fromCert: JWK = importX509('-----BEGIN CERTIFICATE-----');
const crv: string | undefined = importPublicKeyPem('-----BEGIN PUBLIC KEY-----').crv;
const v = new Verifier('{"keys":[]}');
const ids: string[] = v.keyIds;
const sub: string | undefined = decodeUnverified('t').payload.sub;
const ns: string | undefined = kubernetesIdentity(result.payload)?.namespace;
function handle(e: unknown): ErrorCode | undefined {
  const err = e as JwksgateError;
  return err.code === 'ERR_JWT_EXPIRED' ? err.code : undefined;
}
// @ts-expect-error HS256 is not an algorithm the options accept.
const bad: VerifyOptions = { algorithms: ['HS256'] };
export { exp, alg, mixed, fromCert, crv, ids, sub, ns, handle, bad };
