import { describe, expect, it } from '@jest/globals';
import {
  checkTouchstoneUsable,
  encodeTouchstoneBody,
  generateSigningKey,
  publicKeyRecord,
  ProtocolError,
  signTouchstone,
  verifyTouchstone,
  type Touchstone,
} from '../src/index.js';
import { brokerKey, brokerSigner, chainFixture, touchstoneBodyFor, touchstoneFor } from './fixtures.js';

const keys = [publicKeyRecord(brokerKey)];
const chain = chainFixture(20);

describe('touchstone', () => {
  it('verifies with the broker key, whatever form the key ring takes', () => {
    const t = touchstoneFor(chain);
    expect(verifyTouchstone(t, keys)).toMatchObject({ ok: true, value: t });
    expect(verifyTouchstone(t, new Map([[brokerKey.keyId, brokerKey.publicKey]])).ok).toBe(true);
    expect(verifyTouchstone(t, (id) => (id === brokerKey.keyId ? brokerKey.publicKey : undefined)).ok).toBe(
      true,
    );
  });

  it('rejects an unknown key id and a key that did not sign', () => {
    const t = touchstoneFor(chain);
    expect(verifyTouchstone(t, [])).toMatchObject({ ok: false, code: 'SIGNATURE.UNKNOWN_KEY' });
    const other = generateSigningKey(brokerKey.keyId);
    expect(verifyTouchstone(t, [publicKeyRecord(other)])).toMatchObject({
      ok: false,
      code: 'SIGNATURE.INVALID',
    });
  });

  const tampered: [string, Partial<Touchstone>][] = [
    ['chainId', { chainId: 'chain-2' }],
    ['root', { root: chainFixture(20, 'sha256', 'x').root }],
    ['length', { length: 21 }],
    ['coinValue', { coinValue: 6 }],
    ['currency', { currency: 'AUD' }],
    ['issuedAt', { issuedAt: '2026-11-21T08:00:00.001Z' }],
    ['expiresAt', { expiresAt: '2030-01-01T00:00:00.000Z' }],
    ['vendorRestriction (added)', { vendorRestriction: ['vendor-a'] }],
  ];
  it.each(tampered)('rejects a tampered %s', (_field, change) => {
    const t = { ...touchstoneFor(chain), ...change };
    expect(verifyTouchstone(t, keys)).toMatchObject({ ok: false, code: 'SIGNATURE.INVALID' });
  });

  it('rejects a removed or changed vendor restriction', () => {
    const t = touchstoneFor(chain, { vendorRestriction: ['vendor-a', 'vendor-b'] });
    expect(verifyTouchstone(t, keys).ok).toBe(true);
    const { vendorRestriction: _dropped, ...without } = t;
    expect(verifyTouchstone(without, keys)).toMatchObject({ code: 'SIGNATURE.INVALID' });
    expect(verifyTouchstone({ ...t, vendorRestriction: ['vendor-b', 'vendor-a'] }, keys)).toMatchObject({
      code: 'SIGNATURE.INVALID',
    });
    expect(verifyTouchstone({ ...t, vendorRestriction: ['vendor-a,vendor-b'] }, keys)).toMatchObject({
      code: 'SIGNATURE.INVALID',
    });
  });

  it('reports an invalid body as MALFORMED instead of throwing', () => {
    const t = { ...touchstoneFor(chain), currency: 'nzd' };
    expect(verifyTouchstone(t, keys)).toMatchObject({ ok: false, code: 'SIGNATURE.MALFORMED' });
  });

  it('encodes deterministically and distinguishes an absent from a present restriction', () => {
    const body = touchstoneBodyFor(chain);
    expect(encodeTouchstoneBody(body).equals(encodeTouchstoneBody({ ...body }))).toBe(true);
    expect(
      encodeTouchstoneBody(body).equals(encodeTouchstoneBody({ ...body, vendorRestriction: ['v'] })),
    ).toBe(false);
    expect(signTouchstone(body, brokerSigner).signature).toBe(signTouchstone(body, brokerSigner).signature);
  });

  it('refuses to sign invalid bodies', () => {
    const bad: Partial<Touchstone>[] = [
      { length: 0 },
      { length: 1_000_001 },
      { coinValue: 0 },
      { coinValue: 1.5 },
      { currency: 'NZ' },
      { issuedAt: '2026-11-21' },
      { expiresAt: '2026-11-21T08:00:00.000Z' },
      { expiresAt: '2026-02-30T08:00:00.000Z' },
      { vendorRestriction: [] },
      { vendorRestriction: ['a', 'a'] },
      { root: 'AB'.repeat(32) },
      { root: 'ab'.repeat(16) },
      { brokerKeyId: 'other' },
    ];
    for (const change of bad) {
      expect(() => signTouchstone(touchstoneBodyFor(chain, change), brokerSigner)).toThrow(ProtocolError);
    }
  });

  it('says when a touchstone may be spent, and where', () => {
    const t = touchstoneFor(chain, { vendorRestriction: ['vendor-a'] });
    expect(checkTouchstoneUsable(t, { now: '2026-12-01T00:00:00.000Z', vendorId: 'vendor-a' })).toEqual({
      ok: true,
    });
    expect(checkTouchstoneUsable(t, { now: '2026-12-01T00:00:00.000Z', vendorId: 'vendor-b' })).toMatchObject(
      {
        code: 'TOUCHSTONE.VENDOR_NOT_ALLOWED',
      },
    );
    expect(checkTouchstoneUsable(t, { now: new Date('2026-01-01T00:00:00.000Z') })).toMatchObject({
      code: 'TOUCHSTONE.NOT_YET_VALID',
    });
    expect(checkTouchstoneUsable(t, { now: t.expiresAt })).toMatchObject({ code: 'TOUCHSTONE.EXPIRED' });
  });
});
