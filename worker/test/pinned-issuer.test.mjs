// A private cluster at the edge, as Vault reaches it: the seed's Bank-Vaults custom resource
// (tests/vectors/bank-vaults/cr-oidc.yaml) loaded as written, with only `https://kubernetes`
// replaced by a loopback issuer's address and FILES holding the cluster's CA, the file its
// `${ file `.../ca.crt` }` reads. The issuer serves discovery and the JWKS over TLS only, with a
// CA and a server certificate openssl makes on each run (RSA as kubeadm, P-256 as k3s); the
// gate reaches it through connect() and its own TLS (worker/src/net.mjs), never fetch(). Logins
// by hvac and node-vault; refusals each answer 503 and log their reason.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, startGate } from './helpers.mjs';
import { HttpsIssuer, makePki } from './tls-issuer.mjs';
import { CLIENTS, HVAC } from './vault-clients/clients.mjs';

const CR = readFileSync(join(root, 'tests', 'vectors', 'bank-vaults', 'cr-oidc.yaml'), 'utf8');
const CA_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt';
const PIN_LINE = '          oidc_discovery_ca_pem: ${ file `/var/run/secrets/kubernetes.io/serviceaccount/ca.crt` }\n';
const BEARER_LINE = '          oidc_discovery_bearer_token: ${ env `ISSUER_TOKEN` }\n';

let logText = '';
function captureStdio(stdout, stderr) {
  for (const stream of [stdout, stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => (logText += chunk));
  }
}

const open = [];
async function gateFor(issuer, { caPem = issuer.pki.caPem, cr = CR, bindings = {} } = {}) {
  const g = await startGate({
    AUTH_CONFIG: cr.replaceAll('https://kubernetes', issuer.url),
    FILES: JSON.stringify({ [CA_FILE]: caPem }),
    // As in the pod Bank-Vaults runs in: the CR's kubernetes entry takes its kubernetes_host from
    // these (issue 24); only the jwt entry is asked here.
    KUBERNETES_SERVICE_HOST: new URL(issuer.url).hostname,
    KUBERNETES_SERVICE_PORT: new URL(issuer.url).port,
    ...bindings,
  }, { handleRuntimeStdio: captureStdio });
  open.push(g);
  return g;
}
async function issuerFor(pki, options) {
  const i = await new HttpsIssuer(pki, options).start();
  open.push(i);
  return i;
}
// The CR's jwt role: bound_audiences vault, bound_subject system:serviceaccount:default:default.
const mint = (issuer) => issuer.mint({ namespace: 'default', serviceAccount: 'default', audience: 'vault' });

let rsa;
let ec;
before(() => {
  assert.ok(existsSync(HVAC), `hvac's venv is missing (${HVAC}): run make vault-clients`);
  rsa = makePki({ kind: 'rsa' });
  ec = makePki({ kind: 'ec' });
});
after(async () => {
  for (const x of open.reverse()) await (x.dispose ?? x.stop).call(x);
});

describe("the seed's custom resource, its CA pinned", () => {
  for (const [chain, pki] of [['RSA (kubeadm)', () => rsa], ['P-256 (k3s)', () => ec]]) {
    for (const [client, run] of CLIENTS) {
      test(`${client} logs in through the pinned CA, ${chain} chain (createCAContext; cap NewOIDCDiscoveryKeySet)`, async () => {
        const issuer = await issuerFor(pki());
        const gate = await gateFor(issuer);
        const [r] = await run(gate.url, [{ op: 'login', role: 'default', jwt: mint(issuer) }]);
        assert.equal(r.ok, true, JSON.stringify(r));
        assert.deepEqual([r.body.auth.metadata.role, r.body.auth.policies], ['default', ['allow_secrets', 'default']]);
        // Discovery and the chunked JWKS, over this TLS and nothing else.
        assert.deepEqual([issuer.hits.discovery, issuer.hits.jwks], [1, 1]);
        assert.ok(issuer.handshakes >= 2, `${issuer.handshakes} handshakes`);
      });
    }
  }

  test("the CR's kubernetes entry is not skipped (issue 24 serves it), the jwt one served", async () => {
    const issuer = await issuerFor(ec);
    const before = logText.length;
    const gate = await gateFor(issuer);
    const r = await gate.login('', mint(issuer));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.doesNotMatch(logText.slice(before), /auth entry 0 \(type "kubernetes", path "kubernetes"\) skipped/);
  });

  test('fetch() is never used: the same issuer without the pin is out of reach', async () => {
    const issuer = await issuerFor(rsa);
    const gate = await gateFor(issuer, { cr: CR.replace(PIN_LINE, '') });
    const r = await gate.login('default', mint(issuer));
    assert.equal(r.status, 503, JSON.stringify(r.body));
    // workerd's fetch() refuses the private CA: no request reaches the issuer.
    assert.deepEqual([issuer.hits.discovery, issuer.hits.jwks], [0, 0]);
  });

  test('with a warm key cache, logins under load make no handshake', async () => {
    const issuer = await issuerFor(ec);
    const gate = await gateFor(issuer);
    assert.equal((await gate.login('default', mint(issuer))).status, 200);
    const warm = issuer.handshakes;
    const logins = await Promise.all(Array.from({ length: 50 }, () => gate.login('default', mint(issuer))));
    assert.deepEqual([...new Set(logins.map((l) => l.status))], [200]);
    console.log(`handshakes: ${warm} to warm the key set, ${issuer.handshakes - warm} during 50 concurrent logins`);
    assert.equal(issuer.handshakes, warm);
  });
});

describe('authenticated discovery (oidc_discovery_bearer_token, vault-plugin-auth-jwt issue 367)', () => {
  const crWithBearer = CR.replace(PIN_LINE, PIN_LINE + BEARER_LINE);

  test('the bearer opens discovery and the JWKS on its origin; never logged', async () => {
    const issuer = await issuerFor(rsa, { bearer: 'issuer-token-7c1d' });
    const before = logText.length;
    const gate = await gateFor(issuer, { cr: crWithBearer, bindings: { ISSUER_TOKEN: 'issuer-token-7c1d' } });
    for (const [client, run] of CLIENTS) {
      const [r] = await run(gate.url, [{ op: 'login', role: 'default', jwt: mint(issuer) }]);
      assert.equal(r.ok, true, `${client}: ${JSON.stringify(r)}`);
    }
    assert.deepEqual([...new Set(issuer.authorizations)], ['Bearer issuer-token-7c1d']);
    assert.ok(!logText.slice(before).includes('issuer-token-7c1d'), 'the token in the log');
  });

  test('without it, the hardened issuer answers 401 and there are no keys', async () => {
    const issuer = await issuerFor(rsa, { bearer: 'issuer-token-7c1d' });
    const gate = await gateFor(issuer);
    assert.equal((await gate.login('default', mint(issuer))).status, 503);
    assert.deepEqual([...new Set(issuer.authorizations)], [null]);
  });

  test('never sent to a jwks_uri on another origin', async () => {
    const keys = await issuerFor(rsa);
    const issuer = await issuerFor(rsa, { bearer: 'issuer-token-7c1d' });
    issuer.jwksOrigin = keys;
    keys.keys = issuer.keys;
    const gate = await gateFor(issuer, { cr: crWithBearer, bindings: { ISSUER_TOKEN: 'issuer-token-7c1d' } });
    const r = await gate.login('default', mint(issuer));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual([issuer.hits.discovery, keys.hits.jwks], [1, 1]);
    assert.deepEqual([...new Set(keys.authorizations)], [null]);
  });
});

describe('refused, each a 503 with its reason in the log', () => {
  // [case, issuer and gate setup, log part]
  const rows = [
    ['another CA in FILES (webpki UnknownIssuer)', async () => gateFor(await issuerFor(rsa), { caPem: makePki({ caName: 'another-cluster' }).caPem }), 'ERR_TLS_CERTIFICATE: invalid peer certificate: UnknownIssuer'],
    ['a certificate for another host name (NotValidForName)', async () => gateFor(await issuerFor(makePki({ san: 'DNS:kubernetes.default.svc' }))), 'NotValidForName'],
    ['an expired certificate', async () => gateFor(await issuerFor(makePki({ kind: 'ec', expired: true }))), 'certificate expired'],
    ['a TLS 1.2-only server (TLS 1.3 only)', async () => gateFor(await issuerFor(rsa, { tls12: true })), 'ERR_TLS: received fatal alert: ProtocolVersion'],
    ['a truncated body', async () => {
      const i = await issuerFor(rsa);
      i.mode = 'truncate';
      return gateFor(i);
    }, 'ERR_HTTP_TRUNCATED'],
    ['a body over the cap (KEYS_MAX_BYTES)', async () => {
      const i = await issuerFor(rsa);
      i.mode = 'huge';
      return gateFor(i);
    }, 'ERR_HTTP_TOO_LARGE'],
    ['a hung server (KEYS_FETCH_TIMEOUT_MS)', async () => {
      const i = await issuerFor(rsa);
      i.mode = 'hang';
      return gateFor(i, { bindings: { KEYS_FETCH_TIMEOUT_MS: '500' } });
    }, 'timed out'],
    ['a redirect', async () => {
      const i = await issuerFor(rsa);
      i.mode = 'redirect';
      return gateFor(i);
    }, 'ERR_HTTP_REDIRECT'],
  ];
  for (const [name, setup, part] of rows) {
    test(name, async () => {
      const before = logText.length;
      const gate = await setup();
      const r = await gate.login('default', 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln');
      assert.deepEqual([r.status, r.body], [503, { errors: ['no keys available'] }]);
      // workerd's log reaches this process a little after the answer.
      for (let i = 0; i < 50 && !logText.slice(before).includes(part); i++) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.ok(logText.slice(before).includes(part), logText.slice(before));
    });
  }
});
