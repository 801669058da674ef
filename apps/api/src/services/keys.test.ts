import { describe, expect, it } from '@jest/globals';
import { digestsEqual, generateApiKey, generateTenantId, hashKey, presentedKey, secretMatches } from './keys.js';

describe('API keys', () => {
  it('are sk_ + 32 random bytes, stored as their SHA-256 with a short display prefix', () => {
    const { key, hash, prefix } = generateApiKey();
    expect(key).toMatch(/^sk_[A-Za-z0-9_-]{43}$/);
    expect(hash).toBe(hashKey(key));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(key.startsWith(prefix)).toBe(true);
    expect(generateApiKey().key).not.toBe(key);
  });

  it('compares digests and secrets in constant time, never matching an empty configuration', () => {
    expect(digestsEqual(hashKey('a'), hashKey('a'))).toBe(true);
    expect(digestsEqual(hashKey('a'), hashKey('b'))).toBe(false);
    expect(digestsEqual('', '')).toBe(false);
    expect(secretMatches('admin', 'admin')).toBe(true);
    expect(secretMatches('admin', 'admin2')).toBe(false);
    expect(secretMatches('', '')).toBe(false);
  });

  it('reads X-API-KEY first, then a Bearer token, never anything else', () => {
    expect(presentedKey({ 'x-api-key': ' k1 ' }, 'x-api-key')).toBe('k1');
    expect(presentedKey({ authorization: 'Bearer k2' }, 'x-api-key')).toBe('k2');
    expect(presentedKey({ authorization: 'bearer   k3 ' }, 'x-api-key')).toBe('k3');
    expect(presentedKey({ authorization: 'Basic abc' }, 'x-api-key')).toBeNull();
    expect(presentedKey({ 'x-api-key': '' }, 'x-api-key')).toBeNull();
    expect(presentedKey({}, 'x-api-key')).toBeNull();
  });

  it('makes tn_ tenant ids', () => {
    expect(generateTenantId()).toMatch(/^tn_[A-Za-z0-9_-]{16}$/);
  });
});
