// The CommonJS declarations (require condition) type the same API.
import jg = require('jwksgate');
const r: jg.VerifyResult = jg.verify('t', '{"keys":[]}', { issuer: 'x' });
export = r.key.thumbprint;
// The jose-shaped API and the error classes through require() too.
const expired: typeof jg.errors.JWTExpired = jg.errors.JWTExpired;
void jg.jwtVerify('t', jg.createLocalJWKSet({ keys: [] }), { clockTolerance: '1m' }).catch((e: unknown) => e instanceof expired);
