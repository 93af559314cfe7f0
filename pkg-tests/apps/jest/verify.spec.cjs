// Jest 30 in its default CommonJS runtime: require('jwksgate') as it is installed (Jest does
// not transform node_modules); jose is ES modules only, so package.json's transformIgnorePatterns
// and babel.config.cjs let babel transform it, as jose's users configure Jest. Both verify the
// cases ../run.mjs wrote.
const jwksgate = require('jwksgate');
const jose = require('jose');
const keys = require('./generated/keys.json');
const cases = require('./generated/cases.json');

const options = { issuer: keys.issuer, audience: keys.audience, algorithms: ['RS256', 'ES256'] };

async function outcome(lib, token) {
  try {
    return (await lib.jwtVerify(token, lib.createLocalJWKSet(keys.jwks), options)).payload.sub;
  } catch (e) {
    return e.code;
  }
}

test('the CommonJS entry loads synchronously: the sync API works at once', () => {
  const { payload } = jwksgate.verify(cases[0].token, keys.jwks, options);
  expect(payload.sub).toBe(cases[0].expect);
  expect(require.resolve('jwksgate')).toMatch(/index\.cjs$/);
});

test.each(cases)('$name: jwksgate and jose agree', async ({ token, expect: want }) => {
  expect({ jwksgate: await outcome(jwksgate, token), jose: await outcome(jose, token) }).toEqual({ jwksgate: want, jose: want });
});

test('errors are jose\'s classes', async () => {
  const e = await jwksgate.jwtVerify(cases[2].token, keys.jwks, options).catch((x) => x);
  expect(e).toBeInstanceOf(jwksgate.errors.JWTClaimValidationFailed);
  expect(e.claim).toBe('aud');
});
