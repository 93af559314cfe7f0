// A private-CA HTTPS issuer for tests, as a self-managed cluster's API server serves its
// ServiceAccount issuer: a CA and a server certificate made by openssl on each run (an RSA-2048
// chain as kubeadm makes, a P-256 chain as k3s makes), never committed; discovery and the JWKS
// over TLS on 127.0.0.1, port 0. Modes for the refusals the gate's TLS client must make.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Issuer } from '../dev/issuer.mjs';

const openssl = (args, cwd) => execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });

/**
 * A CA and a server certificate signed by it, as PEM text. `kind`: 'rsa' (RSA-2048) or 'ec'
 * (P-256); `caName`: the CA's common name; `san`: the server certificate's subjectAltName; `expired`: a server certificate
 * whose validity ended in 2021 (made with `openssl ca`, which takes explicit dates).
 */
export function makePki({ kind = 'rsa', caName = 'kubernetes', san = 'IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc', expired = false } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'jwksgate-pki-'));
  try {
    const key = kind === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', 'rsa:2048'];
    openssl(['req', '-x509', ...key, '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '3650', '-subj', `/CN=${caName}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature'], dir);
    openssl(['req', ...key, '-nodes', '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=kube-apiserver'], dir);
    const usage = kind === 'ec' ? 'digitalSignature' : 'digitalSignature,keyEncipherment';
    writeFileSync(join(dir, 'ext.cnf'), `subjectAltName=${san}\nextendedKeyUsage=serverAuth\nkeyUsage=critical,${usage}\nbasicConstraints=critical,CA:FALSE\n`);
    if (expired) {
      writeFileSync(join(dir, 'index.txt'), '');
      writeFileSync(join(dir, 'ca.cnf'), [
        '[ca]', 'default_ca = d', '[d]', `dir = ${dir}`, 'database = $dir/index.txt', 'new_certs_dir = $dir', 'serial = $dir/serial',
        'default_md = sha256', 'policy = p', 'unique_subject = no', 'copy_extensions = none', '[p]', 'commonName = supplied', '',
      ].join('\n'));
      writeFileSync(join(dir, 'serial'), '01\n');
      openssl(['ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.pem', '-keyfile', 'ca.key', '-in', 'srv.csr', '-out', 'srv.pem', '-notext',
        '-startdate', '20200101000000Z', '-enddate', '20210101000000Z', '-extfile', 'ext.cnf'], dir);
    } else {
      openssl(['x509', '-req', '-in', 'srv.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'srv.pem', '-days', '365', '-extfile', 'ext.cnf'], dir);
    }
    const read = (f) => readFileSync(join(dir, f), 'utf8');
    return { caPem: read('ca.pem'), cert: read('srv.pem'), key: read('srv.key') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The stand-in issuer (../dev/issuer.mjs) served over HTTPS with `pki`'s server certificate.
 * Beyond its modes: `bearer` (discovery and JWKS answer 401 without `Authorization: Bearer
 * <bearer>`), 'truncate' (a Content-Length longer than the body, then the connection dropped),
 * 'chunked' key sets (as Go writes larger ones), `tls12` (the server speaks TLS 1.2 only).
 * Counts TLS handshakes (`handshakes`) and what each request carried (`authorizations`).
 */
export class HttpsIssuer extends Issuer {
  constructor(pki, { tls12 = false, bearer = null } = {}) {
    super();
    this.pki = pki;
    this.tls12 = tls12;
    this.bearer = bearer;
    this.handshakes = 0;
    this.authorizations = [];
    this.jwksOrigin = null; // another HttpsIssuer serving the JWKS (a jwks_uri on another origin)
  }

  async start(port = 0) {
    const options = { key: this.pki.key, cert: this.pki.cert, ...(this.tls12 ? { maxVersion: 'TLSv1.2', minVersion: 'TLSv1.2' } : {}) };
    this.server = createServer(options, (req, res) => this.handle(req, res));
    this.server.on('secureConnection', (socket) => {
      this.handshakes++;
      socket.setNoDelay(true); // no Nagle wait between the chunked body's writes
    });
    await new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', resolve);
    });
    this.url = `https://127.0.0.1:${this.server.address().port}`;
    return this;
  }

  discovery() {
    const doc = super.discovery();
    if (this.jwksOrigin) doc.jwks_uri = `${this.jwksOrigin.url}/openid/v1/jwks`;
    return doc;
  }

  handle(req, res) {
    this.authorizations.push(req.headers.authorization ?? null);
    if (this.bearer && req.headers.authorization !== `Bearer ${this.bearer}`) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"kind":"Status","code":401,"reason":"Unauthorized"}');
      return;
    }
    const path = new URL(req.url, this.url).pathname;
    if (this.mode === 'truncate') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"keys":[');
      setTimeout(() => req.socket.destroy(), 20);
      return;
    }
    if (this.mode === 'up' && path === '/openid/v1/jwks') {
      // Chunked, in two chunks, as Go writes a body it does not buffer whole.
      this.hits.jwks++;
      const text = JSON.stringify({ keys: this.keys.map((k) => k.jwk) });
      res.writeHead(200, { 'content-type': 'application/jwk-set+json', 'cache-control': 'public, max-age=3600' });
      res.write(text.slice(0, 40));
      res.end(text.slice(40));
      return;
    }
    super.handle(req, res);
  }
}
