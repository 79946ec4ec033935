import { describe, expect, it } from '@jest/globals';
import { createSigner, generateChain, generateSigningKey, signTouchstone } from '#protocol';
import {
  encodeHeaderJson,
  parsePaymentHeader,
  parseTouchstoneHeader,
  TouchstoneHeaders,
} from './payment-header.js';

const code = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
};

function touchstone(chainId: string, currency = 'NZD') {
  const chain = generateChain({ chainId, length: 5, alg: 'sha256' });
  return signTouchstone(
    {
      chainId,
      alg: 'sha256',
      root: chain.root,
      length: 5,
      coinValue: 5,
      currency,
      issuedAt: '2026-01-01T00:00:00.000Z',
      expiresAt: '2027-01-01T00:00:00.000Z',
      brokerKeyId: 'b',
    },
    createSigner(generateSigningKey('b')),
  );
}

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

  it("parses a chain's touchstone header once and answers the same text from memory", () => {
    const headers = new TouchstoneHeaders(2);
    const raw = encodeHeaderJson(touchstone('c1'));
    const first = headers.parse('c1', raw);
    expect(first).toEqual(parseTouchstoneHeader(raw));
    expect(headers.parse('c1', raw)).toBe(first);
  });

  it('parses any other text afresh: another touchstone for the chain, another chain, a malformed header', () => {
    const headers = new TouchstoneHeaders(2);
    const t1 = touchstone('c1');
    const first = headers.parse('c1', encodeHeaderJson(t1));
    const other = touchstone('c1', 'AUD');
    expect(headers.parse('c1', encodeHeaderJson(other))).toEqual(other);
    expect(headers.parse('c1', encodeHeaderJson(t1))).not.toBe(first);
    // A header naming chain c2 shown with a payment from c1 is returned as sent (the spend refuses it).
    const c2 = touchstone('c2');
    expect(headers.parse('c1', encodeHeaderJson(c2)).chainId).toBe('c2');
    expect(code(() => headers.parse('c1', '%%%'))).toBe('TOUCHSTONE.SIGNATURE_INVALID');
    expect(code(() => headers.parse('c1', '%%%'))).toBe('TOUCHSTONE.SIGNATURE_INVALID');
  });

  it('keeps at most its capacity of chains, dropping the least recently used', () => {
    const headers = new TouchstoneHeaders(2);
    const raws = ['c1', 'c2', 'c3'].map((id) => encodeHeaderJson(touchstone(id)));
    const c1 = headers.parse('c1', raws[0]!);
    const first2 = headers.parse('c2', raws[1]!);
    expect(headers.parse('c1', raws[0]!)).toBe(c1); // c1 used again: c2 is now the oldest
    const c3 = headers.parse('c3', raws[2]!);
    expect(headers.parse('c1', raws[0]!)).toBe(c1);
    expect(headers.parse('c3', raws[2]!)).toBe(c3);
    expect(headers.parse('c2', raws[1]!)).not.toBe(first2); // c2 was the one dropped
  });

  it('does not keep a header longer than its limit', () => {
    const raw = encodeHeaderJson(touchstone('c1'));
    const headers = new TouchstoneHeaders(10, raw.length - 1);
    expect(headers.parse('c1', raw)).not.toBe(headers.parse('c1', raw));
  });
});
