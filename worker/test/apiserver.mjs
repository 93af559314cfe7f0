// A stand-in kube-apiserver for the Kubernetes mounts' tests: it mints ServiceAccount tokens
// (projected, pod-bound, RS256) and answers TokenReview (authentication.k8s.io/v1) as
// kube-apiserver does: pkg/registry/authentication/tokenreview storage.go `Create` (spec
// audiences, else the API server's; an error in `status.error`, still 201), the authenticator
// (pkg/serviceaccount/jwt.go `AuthenticateToken`: issuer, signature, audience intersection) and
// its validator (claims.go `Validate`: expiry with 60 s of leeway, the ServiceAccount's UID, the
// bound pod still there with its UID), `status.user` as serviceaccount util.go `UserInfo` writes
// it (username, uid, groups, extra). The caller must present the reviewer's bearer (401 Status
// otherwise, 403 for a ServiceAccount without `system:auth-delegator`). Loopback, port 0; TLS
// with a certificate the caller made (openssl, at test time), or plain HTTP.
import { createVerify, randomUUID } from 'node:crypto';
import { createServer as createHttp } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { makeKey, signJwt } from '../dev/issuer.mjs';

const ISSUER = 'https://kubernetes.default.svc.cluster.local';

function status(code, reason, message) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

export class ApiServer {
  /**
   * `tls`: { key, cert } (PEM) to serve HTTPS; none for HTTP. `issuerIsUrl`: the issuer is the
   * server's own URL (as kind's `--service-account-issuer`), with discovery served.
   */
  constructor({ tls, issuerIsUrl = false } = {}) {
    this.tls = tls;
    this.issuerIsUrl = issuerIsUrl;
    this.key = makeKey();
    this.issuer = ISSUER;
    this.apiAudiences = [ISSUER];
    this.reviewer = `reviewer-${randomUUID()}`;
    this.accounts = new Map(); // "ns/name" -> uid
    this.pods = new Map(); // name -> { uid, deleted }
    this.requests = []; // { authorization, body }
    this.server = null;
    this.url = null;
  }

  async start() {
    const handler = (req, res) => this.handle(req, res);
    this.server = this.tls ? createHttps({ key: this.tls.key, cert: this.tls.cert }, handler) : createHttp(handler);
    await new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', resolve);
    });
    this.url = `${this.tls ? 'https' : 'http'}://127.0.0.1:${this.server.address().port}`;
    if (this.issuerIsUrl) {
      this.issuer = this.url;
      this.apiAudiences = [this.url];
    }
    return this;
  }

  async stop() {
    this.server?.closeAllConnections?.();
    await new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The ServiceAccount `ns/name`, created if missing; its UID. */
  account(ns, name) {
    const id = `${ns}/${name}`;
    if (!this.accounts.has(id)) this.accounts.set(id, randomUUID());
    return this.accounts.get(id);
  }

  /** Deletes and recreates a ServiceAccount: a new UID. */
  recreate(ns, name) {
    this.accounts.set(`${ns}/${name}`, randomUUID());
  }

  deletePod(name) {
    const p = this.pods.get(name);
    if (p) p.deleted = true;
  }

  /** A pod-bound token (TokenRequest), as kubelet projects it. */
  mint({ namespace = 'default', serviceAccount = 'default', audiences = this.apiAudiences, ttl = 3600, now = Math.floor(Date.now() / 1000), pod = `${serviceAccount}-${randomUUID().slice(0, 5)}` } = {}) {
    const uid = this.account(namespace, serviceAccount);
    const podUid = randomUUID();
    this.pods.set(pod, { uid: podUid, deleted: false });
    const claims = {
      aud: audiences, exp: now + ttl, iat: now, nbf: now, iss: this.issuer, jti: randomUUID(),
      'kubernetes.io': { namespace, pod: { name: pod, uid: podUid }, serviceaccount: { name: serviceAccount, uid } },
      sub: `system:serviceaccount:${namespace}:${serviceAccount}`,
    };
    const token = signJwt({ alg: 'RS256', kid: this.key.kid }, claims, this.key.privateKey);
    return { token, pod, uid, claims };
  }

  /** AuthenticateToken, then Validate: the user, or why not (the error TokenReview reports). */
  authenticate(token, requested) {
    const parts = token.split('.');
    if (parts.length !== 3) return { error: null };
    let header;
    let claims;
    try {
      header = JSON.parse(Buffer.from(parts[0], 'base64url'));
      claims = JSON.parse(Buffer.from(parts[1], 'base64url'));
    } catch {
      return { error: null };
    }
    if (claims.iss !== this.issuer) return { error: null }; // not this authenticator's token
    const ok = header.alg === 'RS256' && createVerify('RSA-SHA256').update(`${parts[0]}.${parts[1]}`).verify(this.key.publicKey, Buffer.from(parts[2], 'base64url'));
    if (!ok) return { error: 'crypto/rsa: verification error' };
    const tokenAuds = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    const auds = requested.filter((a) => tokenAuds.includes(a));
    if (!auds.length) return { error: `token audiences ${JSON.stringify(tokenAuds)} is invalid for the target audiences ${JSON.stringify(requested)}` };
    const now = Date.now() / 1000;
    if (now > claims.exp + 60) return { error: 'service account token has expired' };
    const k = claims['kubernetes.io'] ?? {};
    const sa = k.serviceaccount ?? {};
    const uid = this.accounts.get(`${k.namespace}/${sa.name}`);
    if (!uid) return { error: `serviceaccounts "${sa.name}" not found` };
    if (uid !== sa.uid) return { error: `service account UID (${uid}) does not match claim (${sa.uid})` };
    const pod = this.pods.get(k.pod?.name);
    if (!pod || pod.deleted) return { error: 'service account token has been invalidated' };
    if (pod.uid !== k.pod.uid) return { error: `pod UID (${pod.uid}) does not match service account pod ref claim (${k.pod.uid})` };
    return {
      audiences: auds,
      user: {
        username: `system:serviceaccount:${k.namespace}:${sa.name}`, uid,
        groups: ['system:serviceaccounts', `system:serviceaccounts:${k.namespace}`, 'system:authenticated'],
        extra: { 'authentication.kubernetes.io/pod-name': [k.pod.name], 'authentication.kubernetes.io/pod-uid': [k.pod.uid], 'authentication.kubernetes.io/credential-id': [`JTI=${claims.jti}`] },
      },
    };
  }

  handle(req, res) {
    const send = (code, body) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size <= 1 << 20) chunks.push(c);
    });
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      this.requests.push({ authorization: req.headers.authorization ?? null, contentType: req.headers['content-type'], body });
      // The issuer's keys, as kube-apiserver serves them (pkg/serviceaccount/openidmetadata.go).
      if (req.method === 'GET' && req.url === '/openid/v1/jwks') return send(200, { keys: [this.key.jwk] });
      if (req.method === 'GET' && req.url === '/.well-known/openid-configuration') {
        return send(200, { issuer: this.issuer, jwks_uri: `${this.url}/openid/v1/jwks`, response_types_supported: ['id_token'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'] });
      }
      if (req.method !== 'POST' || req.url !== '/apis/authentication.k8s.io/v1/tokenreviews') return send(404, status(404, 'NotFound', 'the server could not find the requested resource'));
      const bearer = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      if (bearer !== this.reviewer) {
        // A valid ServiceAccount token authenticates, but only the reviewer may create reviews.
        if (this.authenticate(bearer, this.apiAudiences).user) return send(403, status(403, 'Forbidden', 'tokenreviews.authentication.k8s.io is forbidden'));
        return send(401, status(401, 'Unauthorized', 'Unauthorized'));
      }
      let review;
      try {
        review = JSON.parse(body);
      } catch {
        return send(400, status(400, 'BadRequest', 'the body is not JSON'));
      }
      const spec = review.spec ?? {};
      if (!spec.token) return send(400, status(400, 'BadRequest', 'token is required for TokenReview in authentication'));
      const requested = spec.audiences?.length ? spec.audiences : this.apiAudiences;
      const r = this.authenticate(spec.token, requested);
      const st = r.user ? { authenticated: true, user: r.user, audiences: r.audiences } : { user: {}, ...(r.error ? { error: r.error } : {}) };
      send(201, { kind: 'TokenReview', apiVersion: 'authentication.k8s.io/v1', metadata: { creationTimestamp: null }, spec: review.spec, status: st });
    });
  }
}
