import { createHmac, createSecretKey, type KeyObject, randomBytes } from 'node:crypto';

/** Standard Webhooks marks its secrets with this prefix; the rest is the base64 HMAC key. */
export const SIGNING_SECRET_PREFIX = 'whsec_';

/** Random bytes in a new secret (192 bits). */
const SECRET_BYTES = 24;

/** A new Standard Webhooks signing secret: `whsec_` + base64 of 24 random bytes. */
export function generateSigningSecret(): string {
  return `${SIGNING_SECRET_PREFIX}${randomBytes(SECRET_BYTES).toString('base64')}`;
}

/** The HMAC key of a `whsec_<base64>` secret: the base64 part, decoded (a bare base64 secret too). */
export function secretKey(secret: string): Buffer {
  const encoded = secret.startsWith(SIGNING_SECRET_PREFIX) ? secret.slice(SIGNING_SECRET_PREFIX.length) : secret;
  return Buffer.from(encoded, 'base64');
}

/**
 * The `webhook-signature` header of Standard Webhooks v1: `v1,<base64 HMAC-SHA256>` over
 * `${id}.${timestamp}.${body}` for each secret, space-separated (two during a key rotation, so a
 * receiver holding either key accepts the request).
 */
export function signatureHeader(secrets: readonly string[], id: string, timestamp: number, body: string): string {
  const content = `${id}.${timestamp}.${body}`;
  return secrets
    .map((secret) => `v1,${createHmac('sha256', hmacKey(secret)).update(content, 'utf8').digest('base64')}`)
    .join(' ');
}

/**
 * Each secret's key object, made once: importing a raw key for every signature was a few % of a
 * busy worker's CPU. Few secrets are live at a time (one per tenant, two during a rotation).
 */
const keys = new Map<string, KeyObject>();
function hmacKey(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) {
    key = createSecretKey(secretKey(secret));
    if (keys.size >= 10_000) keys.delete(keys.keys().next().value as string);
    keys.set(secret, key);
  }
  return key;
}
