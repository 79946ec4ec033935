import { describe, expect, it } from '@jest/globals';
import type { NetPayEvent } from '#events';
import {
  createSigner,
  generateSigningKey,
  publicKeyRecord,
  signRevocationNotice,
  verifyRevocationNotice,
} from '#protocol';
import {
  cleanCustomerStanding,
  type CustomerStanding,
  type CustomerStandingPolicy,
  decideReinstateCustomer,
  decideRevokeCustomer,
  evolveCustomerStanding,
} from './customer-standing.js';

const broker = createSigner(generateSigningKey('broker-1'));
const brokerKeys = [publicKeyRecord(broker, 'broker')];
const policy = (at: string): CustomerStandingPolicy => ({
  at,
  sign: (body) => signRevocationNotice({ ...body, brokerKeyId: broker.keyId }, broker),
});
const apply = (s: CustomerStanding, events: readonly NetPayEvent[]) =>
  events.reduce(evolveCustomerStanding, s);
const T1 = '2026-12-06T10:00:00.000Z';
const T2 = '2026-12-06T11:00:00.000Z';

describe('customer revocation: decision and fold', () => {
  it('revokes with a broker-signed customer notice carrying the reason code; a second revocation changes nothing', () => {
    const events = decideRevokeCustomer(
      cleanCustomerStanding,
      'cust_ann',
      { reason: 'FRAUD.DOUBLE_SPEND_ATTEMPT', evidence: ['case_42'] },
      policy(T1),
    );
    expect(events.map((e) => e.type)).toEqual(['CustomerRevoked']);
    const data = events[0]!.data;
    expect(data).toMatchObject({
      customerId: 'cust_ann',
      reason: 'FRAUD.DOUBLE_SPEND_ATTEMPT',
      evidence: ['case_42'],
    });
    expect(data.notice).toMatchObject({
      kind: 'customer',
      id: 'cust_ann',
      reason: 'FRAUD.DOUBLE_SPEND_ATTEMPT',
      at: T1,
    });
    expect(data.notice.lifted).toBeUndefined();
    expect(verifyRevocationNotice(data.notice, brokerKeys).ok).toBe(true);
    const revoked = apply(cleanCustomerStanding, events);
    expect(revoked.revoked?.at).toBe(T1);
    expect(
      decideRevokeCustomer(revoked, 'cust_ann', { reason: 'FRAUD.OTHER', evidence: [] }, policy(T2)),
    ).toEqual([]);
  });

  it('a lift is a signed lifted notice and clears the revocation; a lift of a customer not revoked changes nothing', () => {
    expect(
      decideReinstateCustomer(cleanCustomerStanding, 'cust_ann', 'OPERATOR.REINSTATED', policy(T1)),
    ).toEqual([]);
    const revoked = apply(
      cleanCustomerStanding,
      decideRevokeCustomer(
        cleanCustomerStanding,
        'cust_ann',
        { reason: 'FRAUD.CHARGEBACK', evidence: [] },
        policy(T1),
      ),
    );
    const lift = decideReinstateCustomer(revoked, 'cust_ann', 'OPERATOR.REINSTATED', policy(T2));
    expect(lift.map((e) => e.type)).toEqual(['CustomerReinstated']);
    expect(lift[0]!.data.notice).toMatchObject({ kind: 'customer', id: 'cust_ann', lifted: true, at: T2 });
    expect(verifyRevocationNotice(lift[0]!.data.notice, brokerKeys).ok).toBe(true);
    const lifted = apply(revoked, lift);
    expect(lifted.revoked).toBeUndefined();
    expect(lifted.notice?.lifted).toBe(true);
    expect(decideReinstateCustomer(lifted, 'cust_ann', 'OPERATOR.REINSTATED', policy(T2))).toEqual([]);
    // Revocable again after the lift.
    expect(
      decideRevokeCustomer(lifted, 'cust_ann', { reason: 'FRAUD.OTHER', evidence: [] }, policy(T2)).map(
        (e) => e.type,
      ),
    ).toEqual(['CustomerRevoked']);
  });

  it('other customer events leave the standing as it is', () => {
    const event = {
      type: 'VendorAuthorised',
      version: 1,
      data: { customerId: 'cust_ann', vendorId: 'va', at: T1 },
    } as NetPayEvent;
    expect(evolveCustomerStanding(cleanCustomerStanding, event)).toBe(cleanCustomerStanding);
  });
});
