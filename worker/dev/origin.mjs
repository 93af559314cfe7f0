// A demo origin behind the gate: answers every request with what it received, so the identity
// headers the gate sets (and the ones it strips) can be seen. 127.0.0.1 only.
import { createServer } from 'node:http';

// script(record): for tests, the status and headers of the answer to one request (a redirect,
// caching headers), or nothing for the plain echo.
export async function startOrigin(port = 0, { script } = {}) {
  const seen = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const record = { method: req.method, path: req.url, headers: req.headers, body };
      seen.push(record);
      const { status = 200, headers = [] } = script?.(record) ?? {};
      res.writeHead(status, [['content-type', 'application/json'], ...headers].flat()).end(JSON.stringify(record, null, 2) + '\n');
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    seen,
    stop: () => new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(resolve);
    }),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const origin = await startOrigin(Number(process.argv[2] || 0));
  console.log(JSON.stringify({ origin: origin.url }));
  const stop = () => origin.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
