import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decideSpend, foldChain } from '#chain';
import { InMemoryEventStore } from '#event-store';
import { type ChainEvent, decode, streams, toNewEvent } from '#events';
import { ManualClock } from '#platform';
import type { PublicKeyRecord } from '#protocol';
import { newWalletNonce, preparePayment, Wallet } from '#wallet';
import { Audit } from '../../../auditor/src/core/audit.js';
import { replayStore } from '../../../auditor/src/cli/replay.js';
import type { CoinsPurchasedAnswer } from '../buy-coins/buy-coins.command.js';
import { startBroker, testBrokerConfig, type TestBroker } from '../test/broker-harness.js';
import { bankBalance, buy, registerCustomer, registerVendor, type TestCustomer } from '../test/scenario.js';
import { ExpirySweeper } from './expiry.sweeper.js';

const DAY = 86_400_000;

// An expired chain is closed at its true index and its unspent value settled by EXPIRY_POLICY,
// once, on a schedule; coins spent before stay the vendor's; nothing is spent after.
describe.each(['refund', 'keep'] as const)('expiry, EXPIRY_POLICY=%s (in-memory store)', (policy) => {
  const clock = new ManualClock('2026-03-01T10:00:00.000Z');
  const store = new InMemoryEventStore();
  let broker: TestBroker;
  let sweeper: ExpirySweeper;

  beforeAll(async () => {
    const config = testBrokerConfig({
      EXPIRY_POLICY: policy,
      EXPIRY_SWEEP_INTERVAL: '0',
      EXPIRY_GRACE: '10m',
    });
    broker = await startBroker({ store, clock, config });
    sweeper = broker.app.get(ExpirySweeper);
    await registerVendor(broker.http, 'v1');
  });
  afterAll(() => broker.close());

  /** A vendor's spend, decided on the chain's stream at the clock's time and appended. */
  async function spend(
    wallet: Wallet,
    count: number,
    payAt = clock.now(),
  ): Promise<{ ok: boolean; code?: string }> {
    // The wallet itself refuses an expired chain: `payAt` lets the test make the payment before.
    const payment = await preparePayment(wallet, count, { vendorId: 'v1', now: payAt });
    const recorded = await store.readStream(streams.chain(payment.chainId));
    const history = recorded.map((r) => ({
      event: decode(r) as unknown as ChainEvent,
      revision: r.revision,
    }));
    const decision = decideSpend(foldChain(history), {
      vendorId: 'v1',
      proof: payment.proof,
      count: payment.count,
      receiptId: `r-${payment.chainId}-${payment.proof.position}`,
      at: clock.now().toISOString(),
    });
    if (!decision.ok) return { ok: false, code: decision.code };
    await store.appendToStream(
      streams.chain(payment.chainId),
      decision.events.map((e, i) =>
        toNewEvent(
          e,
          { correlationId: 'c', causationId: 'c', actor: 'vendor:v1' },
          `spend-${payment.chainId}-${i}`,
        ),
      ),
      { expectedRevision: recorded.at(-1)!.revision },
    );
    wallet.settle(payment.purchaseKey, { ok: true, receiptId: 'r' });
    return { ok: true };
  }

  let customer: TestCustomer;
  let wallet: Wallet;
  let chainId: string;
  let expiresAt: number;

  it('leaves a chain alone until it expired and the grace passed', async () => {
    customer = await registerCustomer(broker.http, 1_000);
    const answer = (
      await buy(broker.http, customer, { coins: 10, coinValue: 5, walletNonce: newWalletNonce() })
    ).json<CoinsPurchasedAnswer>();
    wallet = new Wallet();
    for (const chain of answer.chains)
      await wallet.addChain({ seed: chain.seed!, touchstone: chain.touchstone });
    chainId = answer.chains[0]!.chainId;
    expiresAt = Date.parse(answer.chains[0]!.touchstone.expiresAt);
    expect(await spend(wallet, 3)).toEqual({ ok: true });

    clock.advance(expiresAt - clock.now().getTime() + 60_000); // expired a minute ago: within the grace
    expect(await sweeper.sweep()).toBe(0);
    expect((await store.readStream(streams.chain(chainId))).map((e) => e.type)).toEqual([
      'ChainIssued',
      'CoinsSpent',
    ]);
  });

  it(`after the grace: closed at its index, the unspent 35 ${policy === 'refund' ? 'refunded' : 'kept with notice'}, once`, async () => {
    clock.advance(DAY);
    expect(await sweeper.sweep()).toBe(1);
    expect(await sweeper.sweep()).toBe(0); // again: nothing more
    const chain = await store.readStream(streams.chain(chainId));
    expect(chain.map((e) => e.type)).toEqual(['ChainIssued', 'CoinsSpent', 'ChainClosed']);
    expect(chain[2]!.data).toMatchObject({ reason: 'expired', index: 4 });
    const settled = (await store.readStream(streams.customer(customer.customerId))).filter(
      (e) => e.type === 'CoinsExpiredSettled',
    );
    expect(settled).toHaveLength(1);
    expect(settled[0]!.data).toMatchObject({
      chainId,
      amount: 35,
      currency: 'NZD',
      policy: policy === 'refund' ? 'refunded' : 'kept',
    });
    expect(await bankBalance(broker.http, customer.bankAccount)).toBe(policy === 'refund' ? 985 : 950);
  });

  it('refuses a spend after the expiry, and the auditor finds the ledger balanced with the expiry in it', async () => {
    // A payment made just before the expiry arrives at the vendor after the chain was settled.
    expect(await spend(wallet, 1, new Date(expiresAt - 1_000))).toMatchObject({
      ok: false,
      code: 'CHAIN.CLOSED',
    });
    const { keys } = (await broker.http('GET', '/keys')).json<{ keys: PublicKeyRecord[] }>();
    const audit = new Audit({ brokerKeys: keys });
    await replayStore(store, audit, { pageSize: 100 });
    const report = audit.finish();
    expect(report.violationsByRule).toEqual({});
    expect(report.money.NZD).toMatchObject({
      customerPayments: 50,
      valueSpent: 15,
      expiredSettled: 35,
      refunded: 0,
      unspentOutstanding: 0,
      // What the vendor spent and will redeem is still owed; the expired rest is not.
      spentNotRedeemed: 15,
      outstandingLiability: 15,
    });
  });
});
