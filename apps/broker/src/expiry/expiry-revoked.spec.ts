import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { InMemoryEventStore } from '#event-store';
import { streams } from '#events';
import { ManualClock } from '#platform';
import type { CoinsPurchasedAnswer } from '../buy-coins/buy-coins.command.js';
import { ADMIN_TOKEN, startBroker, testBrokerConfig, type TestBroker } from '../test/broker-harness.js';
import { auditStore } from '../test/refunds.js';
import { bankBalance, buy, openBankAccount } from '../test/scenario.js';
import { ExpirySweeper } from './expiry.sweeper.js';

const DAY = 86_400_000;

// A revocation covers the customer's bank account: another customer on it may not cash out, so its
// expired chains are not refunded to that account either until the lift (as the refund sweep holds
// a revoked customer's cash-out refund).
describe('expiry of a chain whose owner is refused through a revoked bank account', () => {
  const clock = new ManualClock('2026-12-06T10:00:00.000Z');
  const store = new InMemoryEventStore();
  let broker: TestBroker;
  let sweeper: ExpirySweeper;

  beforeAll(async () => {
    const config = testBrokerConfig({
      EXPIRY_POLICY: 'refund',
      EXPIRY_SWEEP_INTERVAL: '0',
      EXPIRY_GRACE: '10m',
    });
    broker = await startBroker({ store, clock, config });
    sweeper = broker.app.get(ExpirySweeper);
  });
  afterAll(() => broker.close());

  it('is settled only after the revocation on its account is lifted, then refunded once', async () => {
    const bankAccount = `acct_${randomUUID().replaceAll('-', '')}`;
    const bankMandate = await openBankAccount(broker.http, bankAccount, 1_000);
    const register = async () =>
      (
        await broker.http('POST', '/customers', { body: { name: 'Ada Reader', bankAccount, bankMandate } })
      ).json<{ customerId: string; token: string }>();
    const first = await register();
    const sibling = await register();
    const bought = await buy(
      broker.http,
      { ...sibling, bankAccount },
      { coins: 10, coinValue: 5, expiresInDays: 1 },
    );
    const chainId = bought.json<CoinsPurchasedAnswer>().chains[0]!.chainId;
    expect(await bankBalance(broker.http, bankAccount)).toBe(950);
    const revoked = await broker.http('POST', `/customers/${first.customerId}/revoke`, {
      token: ADMIN_TOKEN,
      body: { reason: 'FRAUD.CHARGEBACK' },
    });
    expect(revoked.status).toBe(200);

    clock.advance(2 * DAY);
    expect(await sweeper.sweep()).toBe(0);
    expect(await bankBalance(broker.http, bankAccount)).toBe(950);
    expect((await store.readStream(streams.chain(chainId))).map((e) => e.type)).toEqual(['ChainIssued']);

    const lifted = await broker.http('POST', `/customers/${first.customerId}/reinstate`, {
      token: ADMIN_TOKEN,
    });
    expect(lifted.status).toBe(200);
    expect(await sweeper.sweep()).toBe(1);
    expect(await sweeper.sweep()).toBe(0);
    expect(await bankBalance(broker.http, bankAccount)).toBe(1_000);
    expect((await auditStore(broker.http, store)).violationsByRule).toEqual({});
  });
});
