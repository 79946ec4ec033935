import { describe, expect, it } from '@jest/globals';
import { generateSigningKey } from '#protocol';
import { BrokerKeyRing } from './broker-key-ring.js';

describe('BrokerKeyRing', () => {
  const base = { brokerId: 'broker', signingKeyId: 'b2', oldPublicKeys: [] as string[], nodeEnv: 'test' };

  it('signs with the configured key and serves retired keys after it', () => {
    const current = generateSigningKey('b2');
    const old = generateSigningKey('b1');
    const ring = new BrokerKeyRing({
      ...base,
      signingKey: current.privateKey,
      oldPublicKeys: [`b1:${old.publicKey}`],
    });
    expect(ring.ephemeral).toBe(false);
    expect(ring.publicKeys()).toEqual([
      { keyId: 'b2', publicKey: current.publicKey, ownerId: 'broker' },
      { keyId: 'b1', publicKey: old.publicKey, ownerId: 'broker' },
    ]);
  });

  it('uses an ephemeral key outside production, and refuses to start without one in production', () => {
    expect(new BrokerKeyRing(base).ephemeral).toBe(true);
    expect(() => new BrokerKeyRing({ ...base, nodeEnv: 'production' })).toThrow(/BROKER_SIGNING_KEY/);
  });

  it('refuses a retired key list that repeats the current key id', () => {
    const key = generateSigningKey('b2');
    expect(
      () =>
        new BrokerKeyRing({ ...base, signingKey: key.privateKey, oldPublicKeys: [`b2:${key.publicKey}`] }),
    ).toThrow(/repeats/);
  });
});
