import { createSecretKey } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { InMemoryEventStore } from '#event-store';
import { ManualClock } from '#platform';
import { SimulatedBank } from '../bank/simulated-bank.js';
import { MAX_SUBSCRIBER_AMOUNT, OperatorBilling } from './operator-billing.js';

function setup(at = '2026-03-31T23:00:00.000Z') {
  const store = new InMemoryEventStore();
  const clock = new ManualClock(new Date(at));
  const bank = new SimulatedBank(store, clock, 1_000_000);
  const billing = new OperatorBilling(store, clock, bank, createSecretKey(Buffer.alloc(32, 7)));
  return { store, clock, bank, billing };
}

const charge = (account: string, amount: number, key: string) => ({
  account,
  amount,
  currency: 'NZD',
  idempotencyKey: key,
  reference: `pur_${key}`,
});

describe('OperatorBilling (Mobile-NetPay macro-payment)', () => {
  it('refuses a top-up that would take a balance over MAX_SUBSCRIBER_AMOUNT: every sum stays exact', async () => {
    const { billing } = setup();
    await billing.open({
      msisdn: '+64210000009',
      plan: 'prepaid',
      currency: 'NZD',
      balance: MAX_SUBSCRIBER_AMOUNT - 5,
    });
    const id = billing.accountIdOf('+64210000009');
    expect(await billing.topUp(id, 6, 'NZD', 'big-1')).toEqual({ ok: false, reason: 'over-limit' });
    expect(await billing.topUp(id, 5, 'NZD', 'big-2')).toEqual({ ok: true, balance: MAX_SUBSCRIBER_AMOUNT });
    expect(await billing.view(id)).toMatchObject({ balance: MAX_SUBSCRIBER_AMOUNT, toppedUp: 5 });
  });

  it('prepaid: charges the balance, refuses when short with a reason, and a top-up lets it buy again', async () => {
    const { billing } = setup();
    const opened = await billing.open({
      msisdn: '+64210000001',
      plan: 'prepaid',
      currency: 'NZD',
      balance: 100,
    });
    expect(opened).toEqual({ accountId: billing.accountIdOf('+64210000001') });
    const id = billing.accountIdOf('+64210000001');
    expect(id).toMatch(/^sub_[0-9a-f]{24}$/);
    expect(id).not.toContain('6421');
    expect(await billing.charge(charge(id, 60, 'a'))).toMatchObject({ ok: true });
    expect(await billing.charge(charge(id, 60, 'b'))).toMatchObject({
      ok: false,
      reason: 'prepaid-balance-insufficient',
    });
    expect(await billing.view(id)).toMatchObject({ plan: 'prepaid', balance: 40, charged: 60 });
    expect(await billing.topUp(id, 50, 'NZD', 'voucher-1')).toEqual({ ok: true, balance: 90 });
    expect(await billing.topUp(id, 50, 'NZD', 'voucher-1')).toEqual({ ok: true, balance: 90 }); // retried
    expect(await billing.charge(charge(id, 60, 'c'))).toMatchObject({ ok: true });
    expect(await billing.view(id)).toMatchObject({ balance: 30, toppedUp: 50, charged: 120 });
  });

  it('a retried charge is booked once and answers the same; a key reused for another charge is refused', async () => {
    const { billing } = setup();
    await billing.open({ msisdn: '+64210000002', plan: 'prepaid', currency: 'NZD', balance: 100 });
    const id = billing.accountIdOf('+64210000002');
    const results = await Promise.all([1, 2, 3].map(() => billing.charge(charge(id, 40, 'same'))));
    expect(new Set(results.map((r) => JSON.stringify(r))).size).toBe(1);
    expect(results[0]).toMatchObject({ ok: true });
    expect(await billing.view(id)).toMatchObject({ balance: 60, charged: 40 });
    expect(await billing.charge({ ...charge(id, 41, 'same') })).toMatchObject({
      ok: false,
      reason: 'idempotency-key-reused',
    });
    // A declined charge retried is declined again, even after a top-up (the answer is recorded).
    expect(await billing.charge(charge(id, 500, 'big'))).toMatchObject({
      reason: 'prepaid-balance-insufficient',
    });
    await billing.topUp(id, 1_000, 'NZD', 'v2');
    expect(await billing.charge(charge(id, 500, 'big'))).toMatchObject({
      reason: 'prepaid-balance-insufficient',
    });
  });

  it('voids the key of a charge it never saw (a lost answer), once; a charge arriving later under it is declined', async () => {
    const { billing, store } = setup();
    await billing.open({ msisdn: '+64210000009', plan: 'prepaid', currency: 'NZD', balance: 100 });
    const id = billing.accountIdOf('+64210000009');
    expect(await billing.voidPayment(charge(id, 40, 'lost'))).toEqual({ status: 'voided' });
    expect(await billing.voidPayment(charge(id, 40, 'lost'))).toEqual({ status: 'voided' }); // retried
    expect(await billing.charge(charge(id, 40, 'lost'))).toMatchObject({
      ok: false,
      reason: 'payment-voided',
    });
    expect(await billing.view(id)).toMatchObject({ balance: 100, charged: 0 });
    const voided = (await store.readStream(`opaccount-${id}`)).filter(
      (e) => e.type === 'OperatorChargeVoided',
    );
    expect(voided).toHaveLength(1);
    // A charge it saw answers as it was; another charge under a voided key is refused.
    expect(await billing.charge(charge(id, 30, 'seen'))).toMatchObject({ ok: true });
    expect(await billing.voidPayment(charge(id, 30, 'seen'))).toMatchObject({ status: 'booked' });
    expect(await billing.voidPayment(charge(id, 41, 'lost'))).toEqual({
      status: 'declined',
      reason: 'idempotency-key-reused',
    });
  });

  it('keeps exact balances under concurrent charges on one account', async () => {
    const { billing } = setup();
    await billing.open({ msisdn: '+64210000003', plan: 'prepaid', currency: 'NZD', balance: 100 });
    const id = billing.accountIdOf('+64210000003');
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => billing.charge(charge(id, 30, `k${i}`))),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(3);
    expect(await billing.view(id)).toMatchObject({ balance: 10 });
  });

  it('postpaid: charges go on the bill up to the spending cap of the period; a new month has a new bill', async () => {
    const { billing, clock } = setup('2026-03-31T23:00:00.000Z');
    await billing.open({ msisdn: '+64210000004', plan: 'postpaid', currency: 'NZD', spendingCap: 100 });
    const id = billing.accountIdOf('+64210000004');
    expect(await billing.charge(charge(id, 70, 'm1'))).toMatchObject({ ok: true });
    expect(await billing.charge(charge(id, 40, 'm2'))).toMatchObject({
      ok: false,
      reason: 'postpaid-cap-reached',
    });
    expect(await billing.charge(charge(id, 30, 'm3'))).toMatchObject({ ok: true });
    expect(await billing.view(id)).toMatchObject({ bill: { period: '2026-03', charged: 100, capLeft: 0 } });
    expect(await billing.topUp(id, 10, 'NZD', 't')).toEqual({ ok: false, reason: 'not-prepaid' });
    clock.set(new Date('2026-04-01T00:00:01.000Z'));
    expect(await billing.charge(charge(id, 40, 'm4'))).toMatchObject({ ok: true });
    expect(await billing.view(id)).toMatchObject({ bill: { period: '2026-04', charged: 40 }, charged: 140 });
  });

  it('declines unknown, barred and wrong-currency charges; other accounts and payouts go to the bank', async () => {
    const { billing, bank } = setup();
    expect(await billing.charge(charge('sub_000000000000000000000000', 1, 'x'))).toMatchObject({
      reason: 'account-unknown',
    });
    await billing.open({ msisdn: '+64210000005', plan: 'prepaid', currency: 'NZD', balance: 100 });
    const id = billing.accountIdOf('+64210000005');
    expect(await billing.charge({ ...charge(id, 1, 'eur'), currency: 'EUR' })).toMatchObject({
      reason: 'currency-mismatch',
    });
    expect(await billing.bar(id)).toBe(true);
    expect(await billing.charge(charge(id, 1, 'after'))).toMatchObject({ reason: 'account-closed' });
    expect(await billing.open({ msisdn: '+64210000005', plan: 'postpaid', currency: 'NZD' })).toBe(false);
    await bank.openAccount({ accountId: 'web_bank_1', currency: 'NZD', balance: 50 });
    expect(await billing.charge(charge('web_bank_1', 20, 'w'))).toMatchObject({ ok: true });
    expect(await bank.account('web_bank_1')).toMatchObject({ balance: 30 });
  });
});
