// The "Vault role" panel's keys, attacked (issue 22, items 12 and 14), in Debian's Chromium
// against the page and stand-in issuers on 127.0.0.1. Which keys Vault would use is the gate's
// rule (`documents::explain_keys`): the pasted config's own key sources first (Vault's
// path_config.go: jwt_validation_pubkeys, jwks_url, oidc_discovery_url), keys fetched for an
// issuer bound to it as the page's verdict binds them, and pasted PEM keys or certificates
// tried whatever the kid (cap's StaticKeySet), decided by what was pasted, not by a label.
// A token from an attacker's issuer must never show "Vault would log this token in".
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { k8sClaims, pageKit, rsaKey, signToken, siteAndBrowser, startIssuer } from './helpers.mjs';

const env = {};
const { open, close, fillIn, waitVerdict, pasteTokenAndKeys } = pageKit(env);
const CLUSTER = 'https://oidc.example-cluster.test';
const ROLE = { role_type: 'jwt', user_claim: 'sub', bound_audiences: ['https://gate.example.com'], bound_claims: { '/kubernetes.io/namespace': 'payments' }, token_policies: ['payments-api'] };

/** Fills the config, then the role, and waits for the panel's verdict rebuilt after both. */
async function explain(page, config) {
  await page.getByLabel(/^Config/).fill(config ? JSON.stringify(config) : '');
  const n = await page.evaluate(() => Number(document.body.dataset.vaultUpdates ?? 0));
  await page.getByLabel(/^Role:/).fill(JSON.stringify({ ...ROLE, token_ttl: 3600 + n })); // a change each time
  await page.waitForFunction((k) => Number(document.body.dataset.vaultUpdates ?? 0) > k, n);
  const verdict = page.locator('#vault-verdict');
  const signature = await page.locator('#vault-checks tr[data-check=signature]').innerText().catch(() => '');
  return { state: await verdict.getAttribute('data-state'), failed: await verdict.getAttribute('data-failed-check'), text: await verdict.innerText(), signature };
}

async function openPanel(page) {
  await page.locator('#vault-panel > summary').click();
  await page.waitForFunction(() => Number(document.body.dataset.vaultUpdates ?? 0) >= 1);
}

/** The attacker: an issuer of its own (CORS open, as the fetch button needs), its key, its token. */
async function attacker() {
  const key = rsaKey();
  const issuer = await startIssuer({ jwks: { keys: [key.jwk] } });
  const token = signToken({ alg: 'RS256', kid: key.jwk.kid, typ: 'JWT' }, k8sClaims(issuer.origin), key);
  return { key, issuer, token };
}

/** Opens the page, pastes the attacker's token and presses the fetch button (the token's own iss). */
async function fetchedFromTokenIssuer(a) {
  const p = await open({ allow: [a.issuer.origin] });
  await pasteTokenAndKeys(p.page, a.token);
  await p.page.waitForFunction(() => !document.getElementById('fetch-keys').disabled);
  await p.page.locator('#fetch-keys').click();
  assert.match(await waitVerdict(p.page, 'verified'), /not the issuer/);
  await openPanel(p.page);
  return p;
}

describe('the Vault role panel: which keys Vault would use', () => {
  siteAndBrowser(env);

  test('keys fetched from an attacker\'s issuer never stand in for the config\'s oidc_discovery_url or jwks_url', async () => {
    const a = await attacker();
    const p = await fetchedFromTokenIssuer(a);
    try {
      for (const config of [{ oidc_discovery_url: CLUSTER }, { jwks_url: `${CLUSTER}/openid/v1/jwks` }, { oidc_discovery_url: CLUSTER, bound_issuer: '' }]) {
        const r = await explain(p.page, config);
        assert.equal(r.state, 'refused', `${JSON.stringify(config)}: ${r.text}`);
        assert.equal(r.failed, 'signature');
        assert.ok(r.text.includes(`fetched for "${a.issuer.origin}"`), r.text);
        assert.doesNotMatch(r.text, /would log this token in/);
      }
      // The config naming the issuer the keys were fetched from: those are its keys.
      const ok = await explain(p.page, { oidc_discovery_url: a.issuer.origin });
      assert.equal(ok.state, 'allowed', ok.text);
      assert.match(ok.text, /Keys: the keys fetched for/);
    } finally {
      await close(p);
      await a.issuer.close();
    }
  });

  test('the config\'s jwt_validation_pubkeys are Vault\'s keys, whatever the key box holds', async () => {
    const a = await attacker();
    const cluster = rsaKey();
    const p = await fetchedFromTokenIssuer(a);
    try {
      const r = await explain(p.page, { jwt_validation_pubkeys: [cluster.spkiPem] });
      assert.equal(r.state, 'refused', r.text);
      assert.equal(r.failed, 'signature');
      assert.match(r.signature, /static keys/);
      // The config's own key signs: Vault logs it in, the key box notwithstanding.
      const own = signToken({ alg: 'RS256', kid: 'whatever', typ: 'JWT' }, k8sClaims(CLUSTER), cluster);
      await fillIn(p.page, 'Paste a JWT', own);
      const ok = await explain(p.page, { jwt_validation_pubkeys: [cluster.spkiPem] });
      assert.equal(ok.state, 'allowed', ok.text);
      assert.match(ok.text, /Keys: the config's jwt_validation_pubkeys/);
    } finally {
      await close(p);
      await a.issuer.close();
    }
  });

  test('keys fetched for an issuer verify only tokens naming it, as in the verdict', async () => {
    const a = await attacker();
    const p = await fetchedFromTokenIssuer(a);
    try {
      // The attacker's key signs a token naming the cluster: the verdict refuses it (its keys
      // were fetched for another issuer), and so must the panel.
      const forged = signToken({ alg: 'RS256', kid: a.key.jwk.kid, typ: 'JWT' }, k8sClaims(CLUSTER), a.key);
      await fillIn(p.page, 'Paste a JWT', forged);
      await waitVerdict(p.page, 'failed', 'ERR_JWT_CLAIM_VALIDATION_FAILED');
      const r = await explain(p.page, null);
      assert.equal(r.state, 'refused', r.text);
      assert.equal(r.failed, 'signature');
      assert.ok(r.text.includes(`the token names "${CLUSTER}"`), r.text);
    } finally {
      await close(p);
      await a.issuer.close();
    }
  });

  test('pasted certificates are tried whatever the kid, as Vault, the gate and `jwksgate explain --pem` try them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'www-vault-cert-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-subj', '/CN=vault panel test', '-days', '1'], { stdio: 'ignore' });
      const key = { privateKey: createPrivateKey(readFileSync(join(dir, 'k.pem'))) };
      const cert = readFileSync(join(dir, 'c.pem'), 'utf8');
      const p = await open();
      try {
        const token = signToken({ alg: 'RS256', kid: 'a-kid-no-key-has', typ: 'JWT' }, k8sClaims(CLUSTER), key);
        await pasteTokenAndKeys(p.page, token, cert);
        await openPanel(p.page);
        const r = await explain(p.page, null);
        assert.equal(r.state, 'allowed', r.text);
        assert.match(r.signature, /static keys/);
        // The same certificate among public keys, and with the text openssl prints around it.
        await fillIn(p.page, /^Issuer keys/, `subject=CN = vault panel test\n${cert}\n${rsaKey().spkiPem}`);
        assert.equal((await explain(p.page, null)).state, 'allowed');
      } finally {
        await close(p);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
