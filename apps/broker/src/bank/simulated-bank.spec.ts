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
    expect(await bank.openAccount({ accountId: 'v1', currency: 'NZD', balance: 0 })).toBe(true);
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
});
