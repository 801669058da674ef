import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Longest API key we look at; anything longer is not a key of ours and is refused unhashed. */
export const MAX_KEY_LENGTH = 256;

/** Hex SHA-256 of a key: the only form in which keys are stored. Enough for 256-bit random keys. */
export const hashKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

/** A new API key, `sk_` + 32 random bytes in base64url, and what is stored of it. */
export function generateApiKey(): { key: string; hash: string; prefix: string } {
  const key = `sk_${randomBytes(32).toString('base64url')}`;
  return { key, hash: hashKey(key), prefix: displayPrefix(key) };
}

/** The first characters of a key, shown in listings so people can tell keys apart. */
export const displayPrefix = (key: string): string => key.slice(0, 7);

/** Constant-time equality of two hex digests (of equal length by construction). */
export function digestsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}

/** Constant-time comparison of a presented secret with the configured one (hashed first, so lengths match). */
export const secretMatches = (presented: string, configured: string): boolean =>
  configured.length > 0 && digestsEqual(hashKey(presented), hashKey(configured));

/** A new tenant id, `tn_` + 12 random bytes in base64url. */
export const generateTenantId = (): string => `tn_${randomBytes(12).toString('base64url')}`;

/**
 * The key a request presents: the `X-API-KEY` header, else `Authorization: Bearer <key>`.
 * Never a query parameter (it would end up in access logs).
 */
export function presentedKey(headers: Record<string, string | string[] | undefined>, header: string): string | null {
  const direct = headers[header];
  const value = Array.isArray(direct) ? direct[0] : direct;
  if (value?.trim()) return value.trim();
  const authorization = headers.authorization;
  const auth = Array.isArray(authorization) ? authorization[0] : authorization;
  const match = auth ? /^Bearer\s+(\S+)\s*$/i.exec(auth) : null;
  return match?.[1] ?? null;
}
