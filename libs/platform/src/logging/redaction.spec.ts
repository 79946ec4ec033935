import { describe, expect, it } from '@jest/globals';
import { Redactor } from './redaction.js';

// The shapes `Redactor.text` blanks. The redactor first asks one cheap question ("could any of
// these match?") and skips the replaces when the answer is no; these cases pin that the shortcut
// never lets a secret through, whatever its case, place or neighbours.
const SECRETS_IN_TEXT: readonly string[] = [
  'Bearer eyJhbGciOiJFZERTQSJ9.e30.sig',
  'bearer abcdefgh',
  'BEARER ABCDEFGH',
  'Basic dXNlcjpwYXNzd29yZA==',
  'basic\tdXNlcjpwYXNz',
  'npc.customer-token-0123456789',
  'npz.any_other_token~value',
  'nct.checkout_token-ABCDEFGH',
  // A Mobile-NetPay subscriber token: what the operator's gateway injects as X-NetPay-Checkout.
  'nst1.eyJ2IjoxLCJzdWJzY3JpYmVyIjoibnMxIn0',
  'NST1.eyJ2IjoxLCJzdWJzY3JpYmVyIjoibnMxIn0',
  '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA\n-----END PRIVATE KEY-----',
  '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIA',
];
const AROUND: readonly [string, string][] = [
  ['', ''],
  ['authorization: ', ''],
  ['GET /wallet?token=', '&x=1'],
  ['error: "', '" was refused'],
  ['(', ')'],
];

describe('Redactor.text', () => {
  it('blanks every secret shape wherever it sits in the text', () => {
    const redactor = new Redactor();
    for (const secret of SECRETS_IN_TEXT) {
      for (const [before, after] of AROUND) {
        const out = redactor.text(`${before}${secret}${after}`);
        expect(out).toContain('[redacted]');
        // Nothing of the credential itself survives (the scheme word of a bearer/basic may).
        const credential = secret.replace(/^(bearer|basic)\s+/i, '').split('\n')[0]!;
        if (!credential.startsWith('-----BEGIN')) expect(out).not.toContain(credential);
        expect(out.startsWith(before)).toBe(true);
      }
    }
  });

  it('answers text without a secret shape unchanged, and still blanks configured values in it', () => {
    const redactor = new Redactor(['configured-secret-value']);
    for (const text of [
      'GET /noop/:id 200',
      '/articles/a-1',
      'c0a8f3e2-1b2c-4d5e',
      'Basically fine',
      'anpc.x',
      'instance nst1',
    ]) {
      expect(redactor.text(text)).toBe(text);
    }
    expect(redactor.text('key=configured-secret-value;')).toBe('key=[redacted];');
  });

  it('blanks secret field names however they are spelt, many times over', () => {
    const redactor = new Redactor();
    for (let i = 0; i < 3; i++) {
      expect(
        redactor.fields({ Authorization: 'x', 'checkout-token': 'y', PRIVATE_KEY: 'z', route: '/r' }),
      ).toEqual({
        Authorization: '[redacted]',
        'checkout-token': '[redacted]',
        PRIVATE_KEY: '[redacted]',
        route: '/r',
      });
    }
  });

  it('blanks the headers and query fields that carry credentials or unspent value', () => {
    // LOG_LEVEL=verbose puts every request's headers and query in its line.
    const redactor = new Redactor();
    const headers = {
      'x-netpay-checkout': 'opaque-gateway-value',
      'x-netpay-payment': 'ch_1.4.00112233445566778899aabbccddeeff',
      'x-api-key': 'k-0123456789',
      'proxy-authorization': 'p',
      'x-netpay-touchstone': 'public',
      'idempotency-key': 'buy-1',
    };
    expect(
      redactor.fields({ headers, query: { key: 'abc', api_key: 'def', apiKey: 'ghi', page: '2' } }),
    ).toEqual({
      headers: {
        'x-netpay-checkout': '[redacted]',
        'x-netpay-payment': '[redacted]',
        'x-api-key': '[redacted]',
        'proxy-authorization': '[redacted]',
        'x-netpay-touchstone': 'public',
        'idempotency-key': 'buy-1',
      },
      query: { key: '[redacted]', api_key: '[redacted]', apiKey: '[redacted]', page: '2' },
    });
  });
});
