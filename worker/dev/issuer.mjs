// A stand-in Kubernetes API server's ServiceAccount issuer, for tests and `make run-gate`: it
// serves OIDC discovery and the JWKS the way kube-apiserver does (pkg/serviceaccount/openidmetadata.go)
// and mints tokens with Kubernetes' claims layout, signed RS256 by node:crypto. 127.0.0.1 only.
import { createHash, createSign, generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';

const b64u = (buf) => Buffer.from(buf).toString('base64url');

/** An RSA key with Kubernetes' key id: base64url(SHA-256(DER SubjectPublicKeyInfo)). */
export function makeKey() {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const kid = b64u(createHash('sha256').update(der).digest());
  const { n, e } = publicKey.export({ format: 'jwk' });
  return { kid, privateKey, publicKey, jwk: { use: 'sig', kty: 'RSA', kid, alg: 'RS256', n, e } };
}

export function signJwt(header, claims, privateKey) {
  const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(claims))}`;
  const sig = createSign('RSA-SHA256').update(input).sign(privateKey);
  return `${input}.${b64u(sig)}`;
}

export class Issuer {
  constructor() {
    this.keys = [makeKey()];
    this.signing = this.keys[0];
    // 'up' | 'down' (connections dropped) | 'error' (HTTP 500) | 'hang' (never answers)
    // | 'redirect' (302 elsewhere) | 'huge' (a 1 MiB key set)
    this.mode = 'up';
    this.wrongIssuer = false;
    this.hits = { discovery: 0, jwks: 0 };
    this.hanging = 0; // requests held open in 'hang' mode right now
    this.server = null;
    this.url = null;
  }

  async start(port = 0) {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', resolve);
    });
    this.url = `http://127.0.0.1:${this.server.address().port}`;
    return this;
  }

  async stop() {
    if (!this.server) return;
    this.server.closeAllConnections?.();
    await new Promise((resolve) => this.server.close(resolve));
    this.server = null;
  }

  discovery() {
    // The fields kube-apiserver publishes, no more.
    return {
      issuer: this.wrongIssuer ? 'https://wrong-issuer.invalid' : this.url,
      jwks_uri: `${this.url}/openid/v1/jwks`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
    };
  }

  handle(req, res) {
    const url = new URL(req.url, this.url);
    if (this.mode === 'down') {
      req.socket.destroy();
      return;
    }
    if (url.pathname === '/_standin/token' && req.method === 'GET') {
      // Like `kubectl create token SA -n NS --audience AUD`.
      const q = url.searchParams;
      const token = this.mint({
        namespace: q.get('namespace') || 'default',
        serviceAccount: q.get('serviceaccount') || 'default',
        audience: q.get('audience') || this.url,
        ttl: Number(q.get('ttl') || 3600),
      });
      res.writeHead(200, { 'content-type': 'text/plain' }).end(token + '\n');
      return;
    }
    const send = (body, type) => {
      if (this.mode === 'error') {
        res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error');
        return;
      }
      if (this.mode === 'hang') {
        // Never answered: the socket is closed by the client giving up, or by stop().
        this.hanging++;
        res.once('close', () => this.hanging--);
        return;
      }
      if (this.mode === 'redirect') {
        res.writeHead(302, { location: `${this.url}${url.pathname}?moved=1` }).end();
        return;
      }
      if (this.mode === 'huge') body = { keys: this.keys.map((k) => k.jwk), padding: 'x'.repeat(1 << 20) };
      res.writeHead(200, { 'content-type': type, 'cache-control': 'public, max-age=3600' }).end(JSON.stringify(body));
    };
    if (url.pathname === '/.well-known/openid-configuration') {
      this.hits.discovery++;
      return send(this.discovery(), 'application/json');
    }
    if (url.pathname === '/openid/v1/jwks') {
      this.hits.jwks++;
      return send({ keys: this.keys.map((k) => k.jwk) }, 'application/jwk-set+json');
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"kind":"Status","code":404}');
  }

  /** Adds a new key and signs with it; the old one stays published (kube-apiserver's overlap). */
  rotate() {
    const next = makeKey();
    this.keys.push(next);
    this.signing = next;
    return next;
  }

  /** Stops publishing every key but the signing one. */
  retireOld() {
    this.keys = [this.signing];
  }

  /** A projected ServiceAccount token with Kubernetes' claims layout. */
  mint({ namespace = 'default', serviceAccount = 'default', audience, ttl = 3600, now = Math.floor(Date.now() / 1000), extra = {}, key = this.signing, kid } = {}) {
    const claims = {
      aud: Array.isArray(audience) ? audience : [audience ?? this.url],
      exp: now + ttl,
      iat: now,
      iss: this.url,
      jti: randomUUID(),
      'kubernetes.io': {
        namespace,
        node: { name: 'node-1', uid: randomUUID() },
        pod: { name: `${serviceAccount}-7d9f8c6b5-x2x4q`, uid: randomUUID() },
        serviceaccount: { name: serviceAccount, uid: randomUUID() },
      },
      nbf: now,
      sub: `system:serviceaccount:${namespace}:${serviceAccount}`,
      ...extra,
    };
    return signJwt({ alg: 'RS256', kid: kid ?? key.kid }, claims, key.privateKey);
  }
}

// `node dev/issuer.mjs [port]`: run it on its own, print where it listens, stop on SIGINT/SIGTERM.
if (import.meta.url === `file://${process.argv[1]}`) {
  const issuer = await new Issuer().start(Number(process.argv[2] || 0));
  console.log(JSON.stringify({ issuer: issuer.url }));
  const stop = () => issuer.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
