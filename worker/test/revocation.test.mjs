// An issuer's revocation reaches the gate (issue 22, item 11): a 200 with a well-formed JWKS is
// the issuer's word, so a published set with no usable key (`{"keys":[]}`, or its key marked
// `use: "enc"`) stops every login once the cached set is refreshed, as panva/jose's remote set
// refuses after its next reload. The last good set is served only through an outage (the
// issuer down, a 500, a body that is not a JWKS), as keys.test.mjs shows.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Issuer } from '../dev/issuer.mjs';
import { roles, sleep, startGate } from './helpers.mjs';

const AUD = 'https://gate.example';
const ROLES = roles({ r: { user_claim: 'sub', bound_audiences: [AUD] } });
const open = [];
after(async () => {
  for (const o of open) await o.close();
});
// Lifetime 1 s, no cooldown: the refresh happens on the first request after a second.
const FAST = { KEYS_CACHE_MIN_TTL: '0', KEYS_CACHE_MAX_TTL: '1', KEYS_REFETCH_COOLDOWN: '0' };

/** Logs in until the answer is not 200, at most `n` times (each refresh runs in the background). */
async function untilRefused(gate, role, token, n = 40) {
  let status = 200;
  for (let i = 0; i < n && status === 200; i++) {
    status = (await gate.login(role, token)).status;
    if (status === 200) await sleep(50);
  }
  return status;
}

describe('revocation', () => {
  const revocations = [
    ['an empty set', (issuer) => { issuer.keys = []; }],
    ['its key marked use enc', (issuer) => { issuer.keys = issuer.keys.map((k) => ({ ...k, jwk: { ...k.jwk, use: 'enc' } })); }],
  ];
  for (const [name, revoke] of revocations) {
    test(`the issuer publishes ${name}: logins stop at the next refresh`, async () => {
      const issuer = await new Issuer().start();
      const gate = await startGate({ OIDC_DISCOVERY_URL: issuer.url, ROLES, ...FAST });
      open.push({ close: async () => { await gate.dispose(); await issuer.stop(); } });
      const token = issuer.mint({ audience: AUD });
      assert.equal((await gate.login('r', token)).status, 200);
      revoke(issuer);
      await sleep(1100); // outlive the 1 s cache lifetime; nothing is measured
      const status = await untilRefused(gate, 'r', token);
      assert.notEqual(status, 200, 'the revoked key still logs in');
      assert.ok(status >= 400 && status < 500, `refused as a bad token, not an outage: ${status}`);
    });
  }
});
