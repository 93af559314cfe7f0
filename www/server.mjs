// A tiny static file server for the inspector on loopback: `node www/server.mjs [dir] [port]`
// (defaults: target/www, 8080). Any static host works as well; this one adds the security headers.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

// Same policy as the page's <meta> CSP, plus what only a header can say (frame-ancestors).
// connect-src stays open because the user may ask the page to fetch any issuer's keys.
export const CSP = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; " +
  "img-src 'self' data:; connect-src 'self' https: http:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * Starts serving `dir` on 127.0.0.1:`port` (0 picks a free port); resolves to the server.
 * `opener` is the Cross-Origin-Opener-Policy: `same-origin` cuts the link to a page of another
 * origin that opened the inspector, which could otherwise rewrite its `#token=` fragment; a
 * static host that sets no headers gives no such policy (`null`).
 */
export function serve(dir, port = 8080, { opener = 'same-origin' } = {}) {
  const root = resolve(dir);
  const server = createServer(async (req, res) => {
    const headers = {
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-cache',
    };
    if (opener) headers['cross-origin-opener-policy'] = opener;
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { ...headers, allow: 'GET, HEAD' }).end();
        return;
      }
      let path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      if (path.endsWith('/')) path += 'index.html';
      const file = resolve(join(root, path));
      if (file !== root && !file.startsWith(root + sep)) throw Object.assign(new Error(), { code: 'ENOENT' });
      if (!(await stat(file)).isFile()) throw Object.assign(new Error(), { code: 'ENOENT' });
      const body = await readFile(file);
      res.writeHead(200, { ...headers, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': body.length });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (e) {
      const missing = e.code === 'ENOENT' || e.code === 'ENOTDIR' || e instanceof URIError;
      res.writeHead(missing ? 404 : 500, { ...headers, 'content-type': 'text/plain; charset=utf-8' });
      res.end(missing ? 'not found\n' : 'error\n');
    }
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => ok(server));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const dir = process.argv[2] ?? join(here, '..', 'target', 'www');
  const port = Number(process.argv[3] ?? process.env.PORT ?? 8080);
  const server = await serve(dir, port);
  console.log(`token inspector: http://127.0.0.1:${server.address().port}/ (serving ${dir}; Ctrl-C stops)`);
}
