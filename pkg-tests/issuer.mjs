// A stand-in OpenID issuer on 127.0.0.1 (port 0) for the remote key set tests: discovery as
// kube-apiserver serves it, a JWKS, keys that rotate, and the ways an issuer fails (down, 500,
// hung, redirecting, oversized, wrong issuer). Counts every request; tokens are signed by jose.
import { createServer } from 'node:http';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';

export function makeKey(kid = randomUUID()) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' } };
}

export class Issuer {
  constructor({ cacheControl = null, path = '', cors = false } = {}) {
    this.keys = [makeKey()];
    this.signing = this.keys[0];
    /** 'up' | 'down' (connection dropped) | 'error' (500) | 'hang' | 'redirect' | 'huge' | 'huge-chunked' | 'not-json' | 'not-a-jwks' (keys only) */
    this.mode = 'up';
    this.cacheControl = cacheControl;
    this.path = path; // an issuer URL with a path component, as EKS and GKE issuers have
    this.cors = cors; // answers pages of any origin, as an issuer a browser fetches from must
    this.wrongIssuer = false;
    this.jwksUri = null; // a jwks_uri to publish instead of our own
    this.hits = { discovery: 0, jwks: 0, redirected: 0 };
    this.requests = []; // { url, headers } of every request
    this.hanging = 0;
  }

  async start() {
    this.server = createServer((req, res) => this.#handle(req, res));
    await new Promise((ok) => this.server.listen(0, '127.0.0.1', ok));
    this.origin = `http://127.0.0.1:${this.server.address().port}`;
    this.url = `${this.origin}${this.path}`;
    return this;
  }

  async stop() {
    this.server.closeAllConnections();
    await new Promise((ok) => this.server.close(ok));
  }

  get jwksUrl() {
    return `${this.url}/keys`;
  }

  #handle(req, res) {
    this.requests.push({ url: req.url, headers: req.headers });
    const path = req.url.slice(this.path.length);
    if (this.mode === 'down') return req.socket.destroy();
    if (req.url === '/moved') {
      this.hits.redirected++;
      return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.jwks()));
    }
    let body;
    if (path === '/.well-known/openid-configuration') {
      this.hits.discovery++;
      body = { issuer: this.wrongIssuer ? 'https://wrong.example' : this.url, jwks_uri: this.jwksUri ?? this.jwksUrl, response_types_supported: ['id_token'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'] };
    } else if (path === '/keys') {
      this.hits.jwks++;
      body = this.jwks();
    } else {
      return res.writeHead(404).end();
    }
    if (this.mode === 'error') return res.writeHead(500).end('internal error');
    if (this.mode === 'hang') {
      this.hanging++;
      res.once('close', () => this.hanging--);
      return undefined;
    }
    if (this.mode === 'redirect') return res.writeHead(302, { location: `${this.origin}/moved` }).end();
    const headers = { 'content-type': 'application/json' };
    if (this.cors) headers['access-control-allow-origin'] = '*';
    if (this.cacheControl) headers['cache-control'] = this.cacheControl;
    if (this.mode === 'not-json') return res.writeHead(200, headers).end('<html>');
    // A 200 that is JSON but not a JWKS (an error object): a serving accident, not a revocation.
    if (this.mode === 'not-a-jwks' && path === '/keys') return res.writeHead(200, headers).end('{"error":"temporarily unavailable"}');
    if (this.mode === 'huge') return res.writeHead(200, headers).end(JSON.stringify({ ...body, padding: 'x'.repeat(600 * 1024) }));
    if (this.mode === 'huge-chunked') {
      // No content-length: the cap must cut the stream itself.
      res.writeHead(200, headers);
      const chunk = 'x'.repeat(64 * 1024);
      let sent = 0;
      const more = () => {
        while (sent < 64 && res.write(chunk)) sent++;
        if (sent < 64) res.once('drain', more);
        else res.end();
      };
      res.write('{"keys":[],"padding":"');
      return more();
    }
    return res.writeHead(200, headers).end(JSON.stringify(body));
  }

  jwks() {
    return { keys: this.keys.map((k) => k.jwk) };
  }

  /** A new key published beside the old ones and used to sign from now on. */
  rotate() {
    this.signing = makeKey();
    this.keys.push(this.signing);
    return this.signing;
  }

  /** A token signed by jose with the signing key (or `key`, or a `kid` the set lacks). */
  async token({ key = this.signing, kid = key.kid, claims = {}, expiresIn = '10 days' } = {}) {
    return new SignJWT({ sub: 'system:serviceaccount:default:app', aud: 'app', ...claims })
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
      .setIssuer(this.url)
      .setIssuedAt()
      .setExpirationTime(expiresIn)
      .sign(key.privateKey);
  }
}

/** Starts an issuer; `after` stops it. */
export async function issuer(t, options) {
  const i = await new Issuer(options).start();
  t.after(() => i.stop());
  return i;
}

/** Date.now moved forward by `advance(ms)` for the test's duration: cache lifetimes pass at once. */
export function clock(t) {
  const real = Date.now;
  let offset = 0;
  Date.now = () => real() + offset;
  t.after(() => {
    Date.now = real;
  });
  return { advance: (ms) => (offset += ms) };
}
