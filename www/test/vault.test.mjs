// The inspector's "Vault role" panel (issue 13), in Debian's Chromium against the page on
// 127.0.0.1: the gate's wasm is fetched only when the panel opens; a role that accepts the token,
// one refused by its audience, one by a bound claim, and a PEM key tried whatever the kid, each
// with Vault's words (the gate's Gate::explain, the same rules as `jwksgate explain` and the worker).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { k8sClaims, pageKit, rsaKey, signToken, siteAndBrowser } from './helpers.mjs';

const env = {};
const { open, close, fillIn, pasteTokenAndKeys } = pageKit(env);
const key = rsaKey();
const ISS = 'https://oidc.example-cluster.test';

/** A role as `vault read -format=json auth/jwt/role/api` prints it, changed by `edit`. */
function vaultRead(edit = {}) {
  return {
    request_id: '5a8e4c1e-0000-4000-8000-000000000000', lease_id: '', lease_duration: 0, renewable: false, warnings: null,
    data: {
      role_type: 'jwt', user_claim: 'sub', bound_audiences: ['https://gate.example.com'], bound_subject: '',
      bound_claims: { '/kubernetes.io/namespace': 'payments' }, bound_claims_type: 'string', claim_mappings: null,
      groups_claim: '', token_policies: ['payments-api'], token_ttl: 3600, token_bound_cidrs: [], clock_skew_leeway: 0,
      expiration_leeway: 0, not_before_leeway: 0, user_claim_json_pointer: false, token_type: 'default',
      allowed_redirect_uris: [], oidc_scopes: [], verbose_oidc_logging: false, ...edit,
    },
  };
}

/** Fills the role box and waits for the panel's verdict to be rebuilt; returns it. */
async function explain(page, role) {
  const n = await page.evaluate(() => Number(document.body.dataset.vaultUpdates ?? 0));
  await page.getByLabel(/^Role:/).fill(JSON.stringify(role));
  await page.waitForFunction((k) => Number(document.body.dataset.vaultUpdates ?? 0) > k, n);
  const verdict = page.locator('#vault-verdict');
  return { state: await verdict.getAttribute('data-state'), failed: await verdict.getAttribute('data-failed-check'), text: await verdict.innerText() };
}

const outcomes = (page) => page.locator('#vault-checks tbody tr').evaluateAll((rows) => rows.map((r) => [r.dataset.check, r.dataset.outcome]));

describe('the Vault role panel', () => {
  siteAndBrowser(env);

  test('the gate wasm loads only when the panel opens; accepted, refused by audience, refused by a bound claim', async () => {
    const p = await open();
    const { page, requests } = p;
    const token = signToken({ alg: 'RS256', kid: key.k8sKid, typ: 'JWT' }, k8sClaims(ISS), key);
    await pasteTokenAndKeys(page, token, { keys: [key.jwk] });
    assert.equal(requests.filter((u) => u.includes('/gate/')).length, 0, 'the first load fetches no gate code');

    await page.locator('#vault-panel > summary').click();
    // Opening runs the panel once (no role yet): wait for it, or its update is taken for the role's.
    await page.waitForFunction(() => Number(document.body.dataset.vaultUpdates ?? 0) >= 1);
    const ok = await explain(page, vaultRead());
    assert.equal(ok.state, 'allowed', ok.text);
    assert.match(ok.text, /Vault would log this token in/);
    assert.match(ok.text, /Alias system:serviceaccount:payments:api, policies default, payments-api, TTL 3600 s/);
    const gateFiles = requests.filter((u) => u.includes('/gate/')).map((u) => new URL(u).pathname);
    assert.deepEqual(gateFiles.filter((f) => f.endsWith('.wasm')), ['/gate/jwksgate_bg.wasm'], 'the gate wasm, once');
    const rows = await outcomes(page);
    assert.equal(rows.length, 23, 'every check');
    assert.deepEqual(rows.slice(0, 5).map(([c]) => c), ['role', 'role_type', 'token', 'bound_cidrs', 'signature']);
    assert.deepEqual(rows.find(([c]) => c === 'bound_claims'), ['bound_claims', 'passed']);

    // vault-plugin-auth-jwt: cap jwt.go validateAudience, then claims.go validateBoundClaims.
    const aud = await explain(page, vaultRead({ bound_audiences: ['vault'] }));
    assert.equal(aud.state, 'refused', aud.text);
    assert.equal(aud.failed, 'audience');
    assert.match(aud.text, /At check audience, Vault answers: error validating token: invalid audience \(aud\) claim: audience claim does not match any expected audience/);
    const audRow = page.locator('#vault-checks tr[data-check=audience]');
    assert.equal(await audRow.getAttribute('data-outcome'), 'failed');
    assert.match(await audRow.innerText(), /holds none of bound_audiences \["vault"\]/);

    const bound = await explain(page, vaultRead({ bound_claims: { '/kubernetes.io/namespace': ['prod', 'staging'] } }));
    assert.equal(bound.state, 'refused', bound.text);
    assert.equal(bound.failed, 'bound_claims');
    assert.match(bound.text, /At check bound_claims, Vault answers: error validating claims: claim "\/kubernetes.io\/namespace" does not match any associated bound claim values/);

    // The same login against a PEM key: Vault's jwt_validation_pubkeys, every key tried.
    await fillIn(page, /^Issuer keys/, key.spkiPem);
    const pem = await explain(page, vaultRead({ token_policies: ['pem'] }));
    assert.equal(pem.state, 'allowed', pem.text);
    const signature = await page.locator('#vault-checks tr[data-check=signature]').innerText();
    assert.match(signature, /static keys/);

    const broken = await explain(page, { ...vaultRead(), data: { user_claim: 'sub', bound_audiences: ['x'], no_such_parameter: 1 } });
    assert.equal(broken.state, 'error');
    assert.match(broken.text, /ERR_CONFIG_INVALID: role "role": unknown parameter "no_such_parameter"/);

    // A role of Vault's Kubernetes method (vault-plugin-auth-kubernetes pathLogin): every check
    // before TokenReview, which the page does not ask; a name it does not bind is refused there.
    const k8s = (names) => ({ bound_service_account_names: names, bound_service_account_namespaces: ['payments'], audience: 'https://gate.example.com' });
    const pending = await explain(page, k8s(['api']));
    assert.equal(pending.state, 'neutral', pending.text);
    assert.match(pending.text, /TokenReview was not asked/);
    assert.deepEqual((await outcomes(page)).find(([c]) => c === 'token_review'), ['token_review', 'skipped']);
    const other = await explain(page, k8s(['web']));
    assert.equal(other.state, 'refused', other.text);
    assert.match(other.text, /At check service_account_name, Vault answers: service account name not authorized/);
    await close(p);
  });
});
