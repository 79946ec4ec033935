import { describe, expect, it } from '@jest/globals';
import {
  encodeHandOffCertificateBody,
  encodeReceiptBody,
  encodeTouchstoneBody,
  ProtocolError,
  parseHandOffCertificate,
  parseReceipt,
  publicKeyRecord,
  signHandOffCertificate,
  signReceipt,
  verifyHandOffCertificate,
  verifyReceipt,
  type HandOffCertificate,
  type HandOffCertificateBody,
  type Receipt,
  type ReceiptBody,
} from '../src/index.js';
import { chainFixture, touchstoneBodyFor, vendorAKey, vendorASigner, vendorBKey } from './fixtures.js';

const chain = chainFixture(20);
const keys = [publicKeyRecord(vendorAKey, 'vendor-a'), publicKeyRecord(vendorBKey, 'vendor-b')];

const handOffBody: HandOffCertificateBody = {
  chainId: chain.chainId,
  fromVendor: 'vendor-a',
  toVendor: 'vendor-b',
  index: 6,
  lastPayword: chain.payword(5),
  at: '2026-11-21T09:30:00.000Z',
  vendorKeyId: vendorAKey.keyId,
};

const receiptBody: ReceiptBody = {
  receiptId: 'rcpt-0001',
  vendorId: 'vendor-a',
  chainId: chain.chainId,
  fromIndex: 1,
  toIndex: 3,
  amount: 15,
  currency: 'NZD',
  resource: '/articles/42',
  at: '2026-11-21T09:00:00.000Z',
  vendorKeyId: vendorAKey.keyId,
};

describe('hand-off certificates', () => {
  it('are signed by the handing-off vendor and survive JSON', () => {
    const c = signHandOffCertificate(handOffBody, vendorASigner);
    const parsed = parseHandOffCertificate(JSON.parse(JSON.stringify(c)));
    expect(verifyHandOffCertificate(parsed, keys)).toMatchObject({ ok: true, key: { ownerId: 'vendor-a' } });
  });

  const tampered: [string, Partial<HandOffCertificate>][] = [
    ['chainId', { chainId: 'chain-2' }],
    ['toVendor', { toVendor: 'vendor-c' }],
    ['index', { index: 7 }],
    ['lastPayword', { lastPayword: chain.payword(6) }],
    ['at', { at: '2026-11-21T09:30:00.001Z' }],
  ];
  it.each(tampered)('reject a tampered %s', (_f, change) => {
    const c = { ...signHandOffCertificate(handOffBody, vendorASigner), ...change };
    expect(verifyHandOffCertificate(c, keys)).toMatchObject({ ok: false, code: 'SIGNATURE.INVALID' });
  });

  it('reject a certificate whose key belongs to another vendor than fromVendor', () => {
    const c = { ...signHandOffCertificate(handOffBody, vendorASigner), fromVendor: 'vendor-c' };
    expect(verifyHandOffCertificate(c, keys)).toMatchObject({ code: 'SIGNATURE.KEY_OWNER_MISMATCH' });
  });

  it('refuse a hand-off to oneself and a zero index', () => {
    expect(() => signHandOffCertificate({ ...handOffBody, toVendor: 'vendor-a' }, vendorASigner)).toThrow(
      ProtocolError,
    );
    expect(() => signHandOffCertificate({ ...handOffBody, index: 0 }, vendorASigner)).toThrow(ProtocolError);
  });
});

describe('receipts', () => {
  it('are signed by the vendor and survive JSON', () => {
    const r = signReceipt(receiptBody, vendorASigner);
    expect(verifyReceipt(parseReceipt(JSON.parse(JSON.stringify(r))), keys).ok).toBe(true);
  });

  const tampered: [string, Partial<Receipt>][] = [
    ['receiptId', { receiptId: 'rcpt-0002' }],
    ['toIndex', { toIndex: 4 }],
    ['amount', { amount: 16 }],
    ['resource', { resource: '/articles/43' }],
    ['currency', { currency: 'AUD' }],
  ];
  it.each(tampered)('reject a tampered %s', (_f, change) => {
    const r = { ...signReceipt(receiptBody, vendorASigner), ...change };
    expect(verifyReceipt(r, keys)).toMatchObject({ ok: false, code: 'SIGNATURE.INVALID' });
  });

  it('reject a receipt for another vendor signed with vendor A’s key', () => {
    const r = signReceipt({ ...receiptBody, vendorId: 'vendor-b' }, vendorASigner);
    expect(verifyReceipt(r, keys)).toMatchObject({ code: 'SIGNATURE.KEY_OWNER_MISMATCH' });
  });

  it('refuse an inverted range', () => {
    expect(() => signReceipt({ ...receiptBody, fromIndex: 4, toIndex: 3 }, vendorASigner)).toThrow(
      ProtocolError,
    );
  });
});

describe('domain separation', () => {
  it('starts every encoding with its own tag', () => {
    const tagOf = (bytes: Buffer) => bytes.subarray(4, 4 + bytes.readUInt32BE(0)).toString('utf8');
    expect(tagOf(encodeTouchstoneBody(touchstoneBodyFor(chain)))).toBe('netpay/touchstone/v1');
    expect(tagOf(encodeHandOffCertificateBody(handOffBody))).toBe('netpay/hand-off/v1');
    expect(tagOf(encodeReceiptBody(receiptBody))).toBe('netpay/receipt/v1');
  });

  it('never lets a signature of one kind verify as another', () => {
    // A receipt signature transplanted onto a certificate built from the same vendor key.
    const receipt = signReceipt(receiptBody, vendorASigner);
    const cert = { ...signHandOffCertificate(handOffBody, vendorASigner), signature: receipt.signature };
    expect(verifyHandOffCertificate(cert, keys)).toMatchObject({ code: 'SIGNATURE.INVALID' });
    const signedCert = signHandOffCertificate(handOffBody, vendorASigner);
    expect(verifyReceipt({ ...receipt, signature: signedCert.signature }, keys)).toMatchObject({
      code: 'SIGNATURE.INVALID',
    });
  });
});
