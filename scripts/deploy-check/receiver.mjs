// A loopback callback receiver for deploy-check: answers 204 to every request and appends one
// JSON line per request (method, path, headers, body) to the file named by argv[2]. Prints its
// port on stdout once listening. Stops on SIGTERM.
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http';

const out = process.argv[2];
if (!out) {
  process.stderr.write('usage: node receiver.mjs <requests.jsonl>\n');
  process.exit(64);
}
const server = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => {
    body += chunk;
  });
  req.on('end', () => {
    appendFileSync(out, `${JSON.stringify({ method: req.method, path: req.url, headers: req.headers, body })}\n`);
    res.writeHead(204).end();
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
