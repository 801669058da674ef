import http from 'node:http';

/**
 * The callback receiver of the sender micro-benchmark, run as its own process (`fork`) so its CPU
 * is not counted against the client. Answers every request with 200 "ok" once the body is read,
 * keeps connections open (keep-alive 60 s), and reports on request how many it accepted.
 */
let accepted = 0;
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
    res.end('ok');
  });
});
server.on('connection', () => {
  accepted++;
});
server.keepAliveTimeout = 60_000;
server.headersTimeout = 0;
server.requestTimeout = 0;
server.listen(0, '0.0.0.0', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
});
process.on('message', (message) => {
  if (message === 'accepted') process.send?.({ accepted });
});
process.on('disconnect', () => process.exit(0));
