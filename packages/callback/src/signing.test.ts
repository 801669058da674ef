import { describe, expect, it } from '@jest/globals';
import { Webhook } from 'standardwebhooks';
import { generateSigningSecret, SIGNING_SECRET_PREFIX, secretKey, signatureHeader } from './signing.js';

describe('signing secrets', () => {
  it('are whsec_ + base64 of 24 random bytes', () => {
    const secret = generateSigningSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(secret.startsWith(SIGNING_SECRET_PREFIX)).toBe(true);
    expect(secretKey(secret)).toHaveLength(24);
    expect(generateSigningSecret()).not.toBe(secret);
  });

  it('decode to the same key with or without the prefix', () => {
    const secret = generateSigningSecret();
    expect(secretKey(secret.slice(SIGNING_SECRET_PREFIX.length))).toEqual(secretKey(secret));
  });
});

describe('signatureHeader', () => {
  it('matches the Standard Webhooks reference vector', () => {
    // From the spec's test suite (standard-webhooks/libraries): the secret, id, timestamp and payload below.
    const signature = signatureHeader(
      ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
      'msg_p5jXN8AQM9LWM0D4loKWxJek',
      1614265330,
      '{"test": 2432232314}',
    );
    expect(signature).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('signs with every secret given, each verifiable by the standardwebhooks library', () => {
    const [a, b] = [generateSigningSecret(), generateSigningSecret()];
    const timestamp = Math.floor(Date.now() / 1000);
    const body = '{"x":1}';
    const header = signatureHeader([a, b], 'msg_1', timestamp, body);
    expect(header.split(' ')).toHaveLength(2);
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(timestamp), 'webhook-signature': header };
    expect(new Webhook(a).verify(body, headers)).toEqual({ x: 1 });
    expect(new Webhook(b).verify(body, headers)).toEqual({ x: 1 });
    expect(() => new Webhook(generateSigningSecret()).verify(body, headers)).toThrow();
  });
});
