// Run by @cloudflare/vitest-pool-workers inside workerd, with every package hoisted to the
// monorepo's root node_modules: jwksgate imported by the test itself, and through the Worker.
import { exports } from 'cloudflare:workers';
import { expect, test } from 'vitest';
import { verify, wasmSimd } from 'jwksgate';
import keys from '../generated/keys.json';
import cases from '../generated/cases.json';

test('jwksgate in the test module: the sync API, the SIMD build', () => {
  const options = { issuer: keys.issuer, audience: keys.audience, algorithms: ['RS256', 'ES256'] };
  expect(verify(cases[0].token, keys.jwks, options).payload.sub).toBe(cases[0].expect);
  expect(wasmSimd()).toBe(true);
});

test.each(cases)('$name through the Worker: jwksgate and jose agree', async ({ token, expect: want }) => {
  const res = await exports.default.fetch('https://worker.example/verify', { headers: { authorization: `Bearer ${token}` } });
  expect(await res.json()).toEqual({ jwksgate: want, jose: want });
});
