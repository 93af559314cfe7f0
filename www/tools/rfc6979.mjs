// Deterministic ES256 for the built-in example: ECDSA over P-256 with SHA-256 and the nonce of
// RFC 6979 section 3.2, so www/tools/make-example.mjs writes the same token on every run
// (node:crypto's ECDSA draws a random nonce). Not a signer for anything but that file: BigInt
// arithmetic is not constant-time. Checked against RFC 6979 A.2.5 on every run, and each
// signature against node:crypto.verify by the caller.
import { createHash, createHmac } from 'node:crypto';

const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const A = P - 3n;
const G = [0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n, 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n];

const mod = (a, m) => ((a % m) + m) % m;
function pow(b, e, m) {
  let r = 1n;
  for (let x = mod(b, m); e > 0n; e >>= 1n, x = (x * x) % m) if (e & 1n) r = (r * x) % m;
  return r;
}
const inv = (a, m) => pow(a, m - 2n, m); // m is prime

function add(p, q) {
  if (p === null) return q;
  if (q === null) return p;
  const [x1, y1] = p;
  const [x2, y2] = q;
  if (x1 === x2 && mod(y1 + y2, P) === 0n) return null;
  const l = x1 === x2 ? mod((3n * x1 * x1 + A) * inv(2n * y1, P), P) : mod((y2 - y1) * inv(x2 - x1, P), P);
  const x3 = mod(l * l - x1 - x2, P);
  return [x3, mod(l * (x1 - x3) - y1, P)];
}

function mul(k, point) {
  let r = null;
  for (let q = point; k > 0n; k >>= 1n, q = add(q, q)) if (k & 1n) r = add(r, q);
  return r;
}

const octets = (x) => Buffer.from(x.toString(16).padStart(64, '0'), 'hex');
const int = (buf) => BigInt(`0x${Buffer.from(buf).toString('hex')}`);
const hmac = (key, ...parts) => createHmac('sha256', key).update(Buffer.concat(parts)).digest();

/** The RFC 6979 nonces for private scalar `d` and digest `h` (qlen = hlen = 256: bits2int is int). */
function* nonces(d, h) {
  const m = octets(mod(int(h), N));
  let v = Buffer.alloc(32, 1);
  let k = Buffer.alloc(32, 0);
  k = hmac(k, v, Buffer.of(0), octets(d), m);
  v = hmac(k, v);
  k = hmac(k, v, Buffer.of(1), octets(d), m);
  v = hmac(k, v);
  for (;;) {
    v = hmac(k, v);
    const t = int(v);
    if (t >= 1n && t < N) yield t;
    k = hmac(k, v, Buffer.of(0));
    v = hmac(k, v);
  }
}

/** Signs `data` with private scalar `d` (a BigInt): the JWS form, r || s, 64 bytes. */
export function signES256(d, data) {
  const h = createHash('sha256').update(data).digest();
  for (const k of nonces(d, h)) {
    const r = mod(mul(k, G)[0], N);
    const s = mod(inv(k, N) * (int(h) + r * d), N);
    if (r !== 0n && s !== 0n) return Buffer.concat([octets(r), octets(s)]);
  }
  throw new Error('unreachable');
}

// RFC 6979 A.2.5, P-256 with SHA-256, message "sample".
const sample = signES256(0xc9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721n, Buffer.from('sample')).toString('hex');
const want = 'efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8';
if (sample !== want) throw new Error(`RFC 6979 A.2.5 not reproduced: ${sample}`);
