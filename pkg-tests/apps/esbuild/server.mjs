// A Node HTTP server bundled by esbuild (build.mjs): jwksgate and jose verify the request's
// Bearer token. It prints the port it listens on.
import { createServer } from 'node:http';
import { check } from './generated/check.mjs';

const server = createServer(async (req, res) => {
  const body = JSON.stringify(await check(req.headers.authorization));
  res.writeHead(200, { 'content-type': 'application/json' }).end(body);
});
server.listen(0, '127.0.0.1', () => console.log(`listening on ${server.address().port}`));
