// The same through require(), as a CommonJS user writes it.
const { Verifier, errors } = require('jwksgate');

const { token, jwks } = JSON.parse(process.argv[2]);
let error;
try {
  new Verifier(jwks).verify(token, { audience: 'someone-else' });
} catch (e) {
  error = [e instanceof errors.JWTClaimValidationFailed, e.code];
}
console.log(JSON.stringify({ sync: new Verifier(jwks).verify(token).payload.sub, error }));
