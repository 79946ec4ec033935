import { describe, expect, it } from '@jest/globals';
import { createSigner, generateChain, generateSigningKey, signTouchstone } from '#protocol';
import { encodeHeaderJson, parsePaymentHeader, parseTouchstoneHeader } from './payment-header.js';

const code = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
};

describe('payment headers', () => {
  it('reads <chainId>.<position>.<payword> and nothing looser', () => {
    const word = 'ab'.repeat(32);
    expect(parsePaymentHeader(`c_1.17.${word}`)).toEqual({ chainId: 'c_1', position: 17, payword: word });
    for (const bad of [
      `c-1.17.${word}`,
      `c1.0.${word}`,
      `c1.17.${word.toUpperCase()}`,
      `c1.17.${word}00`,
      `c1.x.${word}`,
      '',
    ]) {
      expect(code(() => parsePaymentHeader(bad))).toBe('PAYMENT.MALFORMED');
    }
  });

  it('reads a carried touchstone strictly and refuses anything else with a coded error', () => {
    const broker = createSigner(generateSigningKey('b'));
    const chain = generateChain({ chainId: 'c1', length: 5, alg: 'sha256' });
    const t = signTouchstone(
      {
        chainId: 'c1',
        alg: 'sha256',
        root: chain.root,
        length: 5,
        coinValue: 5,
        currency: 'NZD',
        issuedAt: '2026-01-01T00:00:00.000Z',
        expiresAt: '2027-01-01T00:00:00.000Z',
        brokerKeyId: 'b',
      },
      broker,
    );
    expect(parseTouchstoneHeader(encodeHeaderJson(t))).toEqual(t);
    expect(code(() => parseTouchstoneHeader(encodeHeaderJson({ ...t, extra: 1 })))).toBe(
      'TOUCHSTONE.SIGNATURE_INVALID',
    );
    expect(code(() => parseTouchstoneHeader('%%%'))).toBe('TOUCHSTONE.SIGNATURE_INVALID');
  });
});
