import { describe, expect, it } from '@jest/globals';
import { chainEventSigningBytes, checkChainEventSignature, signChainEvent } from './chain-event-signature.js';
import { createSigner, generateSigningKey, publicKeyRecord } from './keys.js';

describe('broker chain-event signatures', () => {
  const broker = createSigner(generateSigningKey('broker_k1'));
  const keys = [publicKeyRecord(broker)];
  const data = { chainId: 'c1', reason: 'fraud', at: '2026-01-01T00:00:00.000Z' };
  const signed = { ...data, brokerSignature: signChainEvent(broker, 'chain-c1', 3, 'ChainRevoked', data) };

  it('verifies what the broker signed, whatever the order of the keys', () => {
    const reordered = {
      at: signed.at,
      brokerSignature: signed.brokerSignature,
      reason: 'fraud',
      chainId: 'c1',
    };
    expect(checkChainEventSignature('chain-c1', 3, 'ChainRevoked', reordered, keys)).toBe('valid');
  });

  it('refuses it in another stream, at another revision, as another type, with other data, unsigned or by another key', () => {
    expect(checkChainEventSignature('chain-c2', 3, 'ChainRevoked', signed, keys)).toBe('invalid');
    expect(checkChainEventSignature('chain-c1', 4, 'ChainRevoked', signed, keys)).toBe('invalid');
    expect(checkChainEventSignature('chain-c1', 3, 'ChainClosed', signed, keys)).toBe('invalid');
    expect(
      checkChainEventSignature('chain-c1', 3, 'ChainRevoked', { ...signed, reason: 'other' }, keys),
    ).toBe('invalid');
    expect(checkChainEventSignature('chain-c1', 3, 'ChainRevoked', { ...signed, extra: 1 }, keys)).toBe(
      'invalid',
    );
    expect(checkChainEventSignature('chain-c1', 3, 'ChainRevoked', data, keys)).toBe('unsigned');
    const vendor = createSigner(generateSigningKey('broker_k1'));
    const byVendor = {
      ...data,
      brokerSignature: signChainEvent(vendor, 'chain-c1', 3, 'ChainRevoked', data),
    };
    expect(checkChainEventSignature('chain-c1', 3, 'ChainRevoked', byVendor, keys)).toBe('invalid');
    expect(
      checkChainEventSignature('chain-c1', 3, 'ChainRevoked', { ...data, brokerSignature: 'x' }, keys),
    ).toBe('invalid');
  });

  it('encodes nested values unambiguously and refuses what JSON events never hold', () => {
    const a = chainEventSigningBytes('s', 0, 'T', { x: ['1', 2] });
    const b = chainEventSigningBytes('s', 0, 'T', { x: [1, '2'] });
    expect(a.equals(b)).toBe(false);
    expect(() => chainEventSigningBytes('s', 0, 'T', { x: 1.5 })).toThrow();
    expect(
      checkChainEventSignature('s', 0, 'T', { x: -1, brokerSignature: signed.brokerSignature }, keys),
    ).toBe('invalid');
  });
});
