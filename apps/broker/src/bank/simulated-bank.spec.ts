import { describe, expect, it } from '@jest/globals';
import { InMemoryEventStore } from '#event-store';
import { FixedClock } from '#platform';
import { SimulatedBank } from './simulated-bank.js';

describe('SimulatedBank (in-memory ledger)', () => {
  const clock = new FixedClock('2026-03-01T10:00:00.000Z');

  it('keeps an exact balance under concurrent charges: each paid once, the rest declined', async () => {
    const bank = new SimulatedBank(new InMemoryEventStore(), clock, 1_000);
    await bank.openAccount({ accountId: 'busy', currency: 'NZD', balance: 100 });
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        bank.charge({
          account: 'busy',
          amount: 30,
          currency: 'NZD',
          idempotencyKey: `k${i}`,
          reference: `r${i}`,
        }),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(3);
    expect(results.filter((r) => !r.ok && r.reason === 'insufficient-funds')).toHaveLength(7);
    expect(await bank.account('busy')).toMatchObject({ balance: 10, payments: 3 });
  });

  it('declines a credit that would take a balance past 2^53 − 1, so every balance stays exact', async () => {
    // An attack probe opened an account at Number.MAX_SAFE_INTEGER and had a refund paid into it:
    // the balance went to …1492 (the exact sum is …1491) and stayed above the safe range.
    const bank = new SimulatedBank(new InMemoryEventStore(), clock, 1_000);
    await bank.openAccount({ accountId: 'full', currency: 'NZD', balance: Number.MAX_SAFE_INTEGER - 500 });
    const credit = (amount: number, key: string) =>
      bank.payout({ account: 'full', amount, currency: 'NZD', idempotencyKey: key, reference: key });
    expect(await credit(500, 'fits')).toMatchObject({ ok: true });
    expect(await credit(1, 'over')).toMatchObject({ ok: false, reason: 'balance-limit' });
    expect(await bank.account('full')).toMatchObject({ balance: Number.MAX_SAFE_INTEGER });
    expect(await bank.payoutRefusal('full', 'NZD')).toBeUndefined(); // a debit may make room again
  });

  it('charges a key once when the same charge is retried concurrently', async () => {
    const bank = new SimulatedBank(new InMemoryEventStore(), clock, 1_000);
    await bank.openAccount({ accountId: 'twice', currency: 'NZD', balance: 100 });
    const request = {
      account: 'twice',
      amount: 40,
      currency: 'NZD',
      idempotencyKey: 'same',
      reference: 'pur_1',
    };
    const [a, b, c] = await Promise.all([bank.charge(request), bank.charge(request), bank.charge(request)]);
    expect(a).toEqual(b);
    expect(b).toEqual(c);
    expect(await bank.account('twice')).toMatchObject({ balance: 60, payments: 1 });
  });

  it('opens an account once, pays out into it and declines after it is closed', async () => {
    const bank = new SimulatedBank(new InMemoryEventStore(), clock, 1_000);
    expect(await bank.openAccount({ accountId: 'v1', currency: 'NZD', balance: 0 })).toEqual({
      mandate: expect.stringMatching(/^mdt_[A-Za-z0-9_-]{32}$/),
    });
    expect(await bank.openAccount({ accountId: 'v1', currency: 'NZD', balance: 999 })).toBe(false);
    const payout = await bank.payout({
      account: 'v1',
      amount: 70,
      currency: 'NZD',
      idempotencyKey: 'p1',
      reference: 'batch-1',
    });
    expect(payout.ok).toBe(true);
    expect(await bank.closeAccount('v1')).toBe(true);
    const refused = await bank.charge({
      account: 'v1',
      amount: 1,
      currency: 'NZD',
      idempotencyKey: 'c1',
      reference: 'x',
    });
    expect(refused).toMatchObject({ ok: false, reason: 'account-closed' });
    expect(await bank.account('v1')).toMatchObject({ balance: 70, status: 'closed' });
  });

  it('stays exact with two processes on one ledger: each decides again on what the other appended', async () => {
    const store = new InMemoryEventStore();
    const here = new SimulatedBank(store, clock, 1_000);
    const there = new SimulatedBank(store, clock, 1_000);
    await here.openAccount({ accountId: 'shared', currency: 'NZD', balance: 100 });
    const request = (key: string, amount = 30) => ({
      account: 'shared',
      amount,
      currency: 'NZD',
      idempotencyKey: key,
      reference: key,
    });
    expect(await here.charge(request('a'))).toMatchObject({ ok: true }); // here keeps the ledger
    expect(await there.charge(request('b'))).toMatchObject({ ok: true }); // behind here's back
    // here's kept ledger is one payment behind: its append is refused, it reads and decides again.
    expect(await here.charge(request('c'))).toMatchObject({ ok: true });
    expect(await there.payout(request('p', 5))).toMatchObject({ ok: true });
    expect(await here.charge(request('d'))).toMatchObject({ ok: false, reason: 'insufficient-funds' });
    // A key the other process booked is replayed, never booked again.
    const replayed = await here.charge(request('b'));
    expect(replayed).toEqual(await there.charge(request('b')));
    expect(await there.closeAccount('shared')).toBe(true);
    expect(await here.charge(request('e', 1))).toMatchObject({ ok: false, reason: 'account-closed' });
    for (const bank of [here, there]) {
      expect(await bank.account('shared')).toMatchObject({ balance: 15, payments: 4, status: 'closed' });
    }
    const ledger = await store.readStream('bankaccount-shared');
    expect(ledger.map((e) => e.type)).toEqual([
      'BankAccountOpened',
      'BankPaymentBooked',
      'BankPaymentBooked',
      'BankPaymentBooked',
      'BankPaymentBooked',
      'BankPaymentDeclined',
      'BankAccountClosed',
      'BankPaymentDeclined',
    ]);
  });

  it('confirms an account’s mandate only to whoever shows it; the ledger keeps its hash alone', async () => {
    const store = new InMemoryEventStore();
    const bank = new SimulatedBank(store, clock, 1_000);
    const opened = await bank.openAccount({ accountId: 'c1', currency: 'NZD', balance: 100 });
    if (!opened) throw new Error('expected a new account');
    expect(await bank.verifyMandate({ account: 'c1', mandate: opened.mandate })).toEqual({ ok: true });
    for (const [account, mandate] of [
      ['c1', `${opened.mandate}x`],
      ['c1', 'mdt_guess'],
      ['nobody', opened.mandate],
    ] as const) {
      expect(await bank.verifyMandate({ account, mandate })).toMatchObject({
        ok: false,
        reason: 'mandate-invalid',
      });
    }
    const ledger = await store.readStream('bankaccount-c1');
    expect(JSON.stringify(ledger.map((e) => e.data))).not.toContain(opened.mandate);
    // A fresh process (nothing cached) folds the ledger and agrees; a closed account is refused.
    const other = new SimulatedBank(store, clock, 1_000);
    expect(await other.verifyMandate({ account: 'c1', mandate: opened.mandate })).toEqual({ ok: true });
    await other.closeAccount('c1');
    expect(await other.verifyMandate({ account: 'c1', mandate: opened.mandate })).toMatchObject({
      ok: false,
    });
  });
});
