import { describe, expect, it } from '@jest/globals';
import {
  checkSubscriberToken,
  createSigner,
  decodeSubscriberToken,
  encodeSubscriberToken,
  ProtocolError,
  publicKeyRecord,
  signSubscriberToken,
  signWalletGrant,
  type SubscriberTokenBody,
} from '../src/index.js';
import { brokerKey, vendorAKey } from './fixtures.js';

const operator = createSigner(brokerKey);
const rogue = createSigner(vendorAKey);
const operatorKeys = [publicKeyRecord(brokerKey)];
const now = '2026-11-21T09:30:00.000Z';

const body: SubscriberTokenBody = {
  subscriber: 'sp_pseudonym_1',
  vendorId: 'music',
  wallet: 'nct.opaque-handle',
  chainIds: ['c1', 'c2'],
  notBefore: '2026-11-21T09:29:00.000Z',
  notAfter: '2026-11-21T09:40:00.000Z',
  brokerKeyId: brokerKey.keyId,
};

function grant(chainId: string, vendorId = 'music', signer = operator) {
  return signWalletGrant(
    { chainId, vendorId, issuedAt: body.notBefore, notAfter: body.notAfter, brokerKeyId: signer.keyId },
    signer,
  );
}

describe('subscriber tokens (Mobile-NetPay)', () => {
  const token = signSubscriberToken(body, [grant('c1'), grant('c2')], operator);

  it('round-trips through the compact form and verifies for its vendor only, while valid', () => {
    const compact = encodeSubscriberToken(token);
    expect(compact.startsWith('nst1.')).toBe(true);
    expect(compact.length).toBeLessThan(4096);
    const back = decodeSubscriberToken(compact);
    expect(back).toEqual(token);
    expect(checkSubscriberToken(back, operatorKeys, { vendorId: 'music', now })).toEqual({ ok: true });
    expect(checkSubscriberToken(back, operatorKeys, { vendorId: 'greetings', now })).toMatchObject({
      code: 'SUBSCRIBER_TOKEN.WRONG_VENDOR',
    });
    expect(checkSubscriberToken(back, operatorKeys, { vendorId: 'music', now: body.notAfter })).toMatchObject(
      { code: 'SUBSCRIBER_TOKEN.EXPIRED' },
    );
    expect(
      checkSubscriberToken(back, operatorKeys, { vendorId: 'music', now: '2026-11-21T09:00:00.000Z' }),
    ).toMatchObject({ code: 'SUBSCRIBER_TOKEN.NOT_YET_VALID' });
  });

  it('refuses a token signed by any other key, or one whose fields were changed', () => {
    const forged = signSubscriberToken({ ...body, brokerKeyId: rogue.keyId }, [], rogue);
    expect(checkSubscriberToken(forged, operatorKeys, { vendorId: 'music', now })).toMatchObject({
      code: 'SUBSCRIBER_TOKEN.INVALID',
    });
    const retargeted = { ...token, vendorId: 'greetings' };
    expect(checkSubscriberToken(retargeted, operatorKeys, { vendorId: 'greetings', now })).toMatchObject({
      code: 'SUBSCRIBER_TOKEN.INVALID',
    });
    const extended = { ...token, notAfter: '2027-01-01T00:00:00.000Z' };
    expect(checkSubscriberToken(extended, operatorKeys, { vendorId: 'music', now })).toMatchObject({
      code: 'SUBSCRIBER_TOKEN.INVALID',
    });
  });

  it("refuses a grant for another vendor, another chain, or not the operator's", () => {
    for (const bad of [grant('c1', 'greetings'), grant('c9'), grant('c1', 'music', rogue)]) {
      const t = signSubscriberToken(body, [bad], operator);
      expect(checkSubscriberToken(t, operatorKeys, { vendorId: 'music', now })).toMatchObject({
        code: 'SUBSCRIBER_TOKEN.GRANT_INVALID',
      });
    }
  });

  it('refuses malformed compact forms with a ProtocolError', () => {
    for (const bad of [
      'nst1.',
      'nst1.!!!',
      'nct.x',
      `nst1.${Buffer.from('{"a":1}').toString('base64url')}`,
    ]) {
      expect(() => decodeSubscriberToken(bad)).toThrow(ProtocolError);
    }
  });
});
