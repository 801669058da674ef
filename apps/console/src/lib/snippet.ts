/** The verification snippet the signing page shows (Node, with the standardwebhooks package). */
export const VERIFY_SNIPPET = `import { createServer } from 'node:http';
import { Webhook } from 'standardwebhooks'; // npm install standardwebhooks

const webhook = new Webhook(process.env.SIGNING_SECRET); // the whsec_... secret above
createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => (body += chunk)).on('end', () => {
    try {
      webhook.verify(body, req.headers); // checks webhook-id, webhook-timestamp, webhook-signature
    } catch {
      return res.writeHead(401).end();
    }
    // De-duplicate on req.headers['webhook-id']: every attempt of one occurrence carries the same id.
    res.writeHead(204).end();
  });
}).listen(3000);`;
