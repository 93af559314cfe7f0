// A session is bound to what its mount trusts, the pinned CA included: under workerd, a session
// made at a pinned JWT mount (oidc_discovery_ca_pem) and one made at a Kubernetes mount
// (kubernetes_ca_cert, TokenReview) are kept across a redeploy on the same store, then the
// configuration changes one setting at a time. A mount whose CA is another one trusts another
// API server or issuer: its earlier sessions are refused, as when its key source changes (Vault
// revokes a disabled mount's tokens and a new mount never honours them; src/gate/session.rs
// MountTrust). Settings that vouch for no one (the reviewer's token, the role's policies: read at
// login as Vault reads them) leave sessions alone. The CAs and certificates are made by openssl
// on each run; the issuer and the API server listen on 127.0.0.1.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOrigin } from '../dev/origin.mjs';
import { ApiServer } from './apiserver.mjs';
import { startGate } from './helpers.mjs';
import { HttpsIssuer, makePki } from './tls-issuer.mjs';

let pkiA;
let pkiB;
let issuer;
let api;
let origin;

before(async () => {
  pkiA = makePki({ kind: 'ec' });
  pkiB = makePki({ kind: 'ec' });
  issuer = await new HttpsIssuer(pkiA).start();
  api = await new ApiServer({ tls: { key: pkiA.key, cert: pkiA.cert } }).start();
  origin = await startOrigin();
});
after(async () => {
  await api?.stop();
  await issuer?.stop();
  await origin?.stop();
});

// The two mounts as deployed first; each row changes one setting of one of them.
const JWT = () => ({ oidc_discovery_url: issuer.url, oidc_discovery_ca_pem: pkiA.caPem });
const KUBE = () => ({ kubernetes_host: api.url, kubernetes_ca_cert: pkiA.caPem, token_reviewer_jwt: api.reviewer, disable_local_ca_jwt: true });
function authConfig({ jwt = {}, kube = {}, jwtRole = {} } = {}) {
  return JSON.stringify({
    auth: [
      { type: 'jwt', path: 'pinned', config: { ...JWT(), ...jwt }, roles: [{ name: 'app', bound_audiences: ['vault'], user_claim: 'sub', token_policies: ['app'], ...jwtRole }] },
      { type: 'kubernetes', path: 'kubernetes', config: { ...KUBE(), ...kube }, roles: [{ name: 'app', bound_service_account_names: 'default', bound_service_account_namespaces: 'default', token_policies: ['app'] }] },
    ],
  });
}

/** The same certificate as other PEM text: CRLF line ends and explanatory text before it (RFC 7468 section 5.2). */
const reworded = (pem) => `Subject: CN=kubernetes\r\n${pem.replaceAll('\n', '\r\n')}`;

describe('a session ends when the CA its mount pinned changes', () => {
  // (case, the changed configuration, whether the pinned JWT mount's and the Kubernetes mount's sessions hold)
  const rows = [
    ['control: the same configuration after a restart', () => authConfig(), [true, true]],
    ['oidc_discovery_ca_pem: another CA (another issuer answers at the URL)', () => authConfig({ jwt: { oidc_discovery_ca_pem: pkiB.caPem } }), [false, true]],
    ['oidc_discovery_ca_pem: the pin removed (the public roots)', () => authConfig({ jwt: { oidc_discovery_ca_pem: '' } }), [false, true]],
    ['control: oidc_discovery_ca_pem, the same certificate as other text', () => authConfig({ jwt: { oidc_discovery_ca_pem: reworded(pkiA.caPem) } }), [true, true]],
    ['kubernetes_ca_cert: another CA (another API server answers TokenReview)', () => authConfig({ kube: { kubernetes_ca_cert: pkiB.caPem } }), [true, false]],
    ['kubernetes_ca_cert: the bundle gains a CA (another API server is trusted too)', () => authConfig({ kube: { kubernetes_ca_cert: pkiA.caPem + pkiB.caPem } }), [true, false]],
    ['kubernetes_host: another API server (refused before this change too)', () => authConfig({ kube: { kubernetes_host: api.url.replace('127.0.0.1', 'localhost') } }), [true, false]],
    ['session_epoch on the Kubernetes mount (the operator ends its sessions)', () => authConfig({ kube: { session_epoch: 2 } }), [true, false]],
    ['control: token_reviewer_jwt rotated (the gate\'s credential, not a trust anchor)', () => authConfig({ kube: { token_reviewer_jwt: `${api.reviewer}-rotated` } }), [true, true]],
    ['control: a role\'s policies changed (read at login, as Vault does)', () => authConfig({ jwtRole: { token_policies: ['other'] } }), [true, true]],
  ];
  for (const [name, config, holds] of rows) {
    test(name, async () => {
      // One store on disk, one gate at a time (a redeploy): both sessions made, the gate
      // stopped, another started with the changed configuration.
      const dir = mkdtempSync(join(tmpdir(), 'jwksgate-pin-binding-'));
      let g = await startGate({ AUTH_CONFIG: authConfig(), ORIGIN: origin.url }, { durableObjectsPersist: dir });
      try {
        const tokens = [];
        for (const [mount, jwt] of [['pinned', issuer.mint({ namespace: 'default', serviceAccount: 'default', audience: 'vault' })], ['kubernetes', api.mint().token]]) {
          const r = await g.login('app', jwt, {}, {}, mount);
          assert.equal(r.status, 200, `${mount}: ${JSON.stringify(r.body)}`);
          tokens.push(r.body.auth.client_token);
        }
        await g.dispose();
        g = await startGate({ AUTH_CONFIG: config(), ORIGIN: origin.url }, { durableObjectsPersist: dir });
        for (const [i, token] of tokens.entries()) {
          const headers = { 'x-vault-token': token };
          const l = await g.call('/v1/auth/token/lookup-self', { headers });
          const p = await g.call('/app/x', { headers });
          const mount = ['pinned', 'kubernetes'][i];
          assert.deepEqual([l.status, p.status], holds[i] ? [200, 200] : [403, 401], `${mount}: ${JSON.stringify([l.body, p.body])}`);
          if (holds[i]) assert.equal(p.body.headers['x-auth-request-mount'], mount);
        }
      } finally {
        await g.dispose();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
