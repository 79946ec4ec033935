import { describe, expect, it } from '@jest/globals';
import type { RangeRedeemed } from '#events';
import { createSigner, publicKeyRecord, signingKeyFromPrivate } from '#protocol';
import { FORGERY } from '../domain/reasons.js';
import { RecordTrust } from './record-trust.js';

const signer = createSigner(signingKeyFromPrivate('redemption-2', '3b'.repeat(32)));
const retired = createSigner(signingKeyFromPrivate('redemption-1', '4c'.repeat(32)));
const reservation: RangeRedeemed['data'] = {
  chainId: 'c1',
  vendorId: 'va',
  batchId: 'b1',
  item: 0,
  fromIndex: 1,
  toIndex: 5,
  at: '2026-03-10T13:30:00.000Z',
};

describe('RecordTrust', () => {
  const trust = new RecordTrust({
    signer,
    keys: [publicKeyRecord(signer), publicKeyRecord(retired)],
    legacyUnsignedUntil: 10n,
  });

  it('trusts its own signature and a retired key’s, and nothing changed after signing', () => {
    expect(trust.reservation({ ...reservation, signature: trust.signReservation(reservation) }, 99n)).toBe(
      undefined,
    );
    const old = new RecordTrust({ signer: retired, keys: [publicKeyRecord(retired)] });
    expect(trust.reservation({ ...reservation, signature: old.signReservation(reservation) }, 99n)).toBe(
      undefined,
    );
    const signature = trust.signReservation(reservation);
    expect(trust.reservation({ ...reservation, toIndex: 50, signature }, 99n)).toMatchObject({
      reason: FORGERY.FORGED_RESERVATION,
    });
  });

  it('takes unsigned records only at or below the legacy position, and never a bad signature', () => {
    expect(trust.reservation(reservation, 10n)).toBe(undefined);
    expect(trust.reservation(reservation, 11n)).toMatchObject({ reason: FORGERY.FORGED_RESERVATION });
    const bad = { ...reservation, signature: { keyId: 'redemption-2', value: 'ab'.repeat(64) } };
    expect(trust.reservation(bad, 1n)).toMatchObject({ reason: FORGERY.FORGED_RESERVATION });
    const malformed = { ...reservation, signature: 'nope' } as unknown as RangeRedeemed['data'];
    expect(trust.reservation(malformed, 99n)).toMatchObject({ reason: FORGERY.FORGED_RESERVATION });
  });

  it('binds a verdict to its stream: a copy in another vendor-day stream does not count', () => {
    const data = {
      batchId: 'b1',
      item: 0,
      chainId: 'c1',
      fromIndex: 1,
      toIndex: 5,
      amount: 25,
      currency: 'NZD',
      at: '2026-03-10T13:30:00.000Z',
    };
    const verdict = { type: 'RedemptionItemAccepted' as const, data };
    const signature = trust.signVerdict('redemption-va_20260310', verdict);
    const signed = { ...verdict, data: { ...data, signature } };
    expect(trust.verdict('redemption-va_20260310', signed, 99n)).toBe(undefined);
    expect(trust.verdict('redemption-vb_20260310', signed, 99n)).toMatchObject({
      reason: FORGERY.FORGED_VERDICT,
    });
  });
});
