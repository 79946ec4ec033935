// The floor: a bare node:http server answering GET /noop/:id with the vendor's no-op JSON
// ({ vendorId, id }), no framework, no middleware. perf-sweep measures it in the same run as the
// vendor's own no-op route and the spend path (the `bare` run): what any Node service meets on
// this machine with this load generator.
//   PORT=25090 node load-tests/open/bare-server.mjs
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 25090);
const server = createServer((req, res) => {
  const m = /^\/noop\/([^/?#]+)/.exec(req.url ?? '');
  if (req.method !== 'GET' || !m) {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"code":"NOT_FOUND"}');
    return;
  }
  const body = JSON.stringify({ vendorId: 'bare', id: decodeURIComponent(m[1]) });
  res.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => console.log(`bare: listening on http://127.0.0.1:${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
process.on('SIGINT', () => server.close(() => process.exit(0)));
