import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CHAIN, decideSpend, foldChain } from '#chain';
import { InMemoryEventStore } from '#event-store';
import { type ChainEvent, decode, streams, toNewEvent } from '#events';
import { ManualClock } from '#platform';
import type { PublicKeyRecord } from '#protocol';
import { newWalletNonce, preparePayment, Wallet } from '#wallet';
import { Audit } from '../../../auditor/src/core/audit.js';
import { replayStore } from '../../../auditor/src/cli/replay.js';
import type { CoinsPurchasedAnswer } from '../buy-coins/buy-coins.command.js';
import { ADMIN_TOKEN, startBroker, type TestBroker } from '../test/broker-harness.js';
import { bankBalance, buy, registerCustomer, registerVendor, type TestCustomer } from '../test/scenario.js';
import type { CashOutAnswer } from './cash-out.handler.js';

// Cash-out of a client-side chain: spent coins stay the vendor's, the rest is refunded once, and
// nothing spent after the close is accepted.
describe('cash-out (in-memory store, simulated bank)', () => {
  const clock = new ManualClock('2026-03-01T10:00:00.000Z');
  const store = new InMemoryEventStore();
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startBroker({ store, clock });
    await registerVendor(broker.http, 'v1');
  });
  afterAll(() => broker.close());

  /** A vendor's spend, decided on the chain's stream and appended with its expected revision. */
  async function spend(
    wallet: Wallet,
    vendorId: string,
    count: number,
  ): Promise<{ ok: boolean; code?: string }> {
    const payment = await preparePayment(wallet, count, { vendorId, now: clock.now() });
    const recorded = await store.readStream(streams.chain(payment.chainId));
    const history = recorded.map((r) => ({
      event: decode(r) as unknown as ChainEvent,
      revision: r.revision,
    }));
    const decision = decideSpend(foldChain(history), {
      vendorId,
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
          { correlationId: 'c', causationId: 'c', actor: `vendor:${vendorId}` },
          `spend-${payment.chainId}-${payment.proof.position}-${i}`,
        ),
      ),
      { expectedRevision: recorded.at(-1)!.revision },
    );
    wallet.settle(payment.purchaseKey, { ok: true, receiptId: 'r' });
    return { ok: true };
  }

  async function customerWithChain(): Promise<{ customer: TestCustomer; wallet: Wallet; chainId: string }> {
    const customer = await registerCustomer(broker.http, 1_000);
    const answer = (
      await buy(broker.http, customer, { coins: 10, coinValue: 5, walletNonce: newWalletNonce() })
    ).json<CoinsPurchasedAnswer>();
    const wallet = new Wallet();
    for (const chain of answer.chains)
      await wallet.addChain({ seed: chain.seed!, touchstone: chain.touchstone });
    return { customer, wallet, chainId: answer.chains[0]!.chainId };
  }

  it('closes at the true index, refunds the unspent coins once, and refuses spends after the close', async () => {
    const { customer, wallet, chainId } = await customerWithChain();
    expect(await bankBalance(broker.http, customer.bankAccount)).toBe(950);
    expect(await spend(wallet, 'v1', 3)).toEqual({ ok: true });

    const key = 'cash-out-1';
    const first = await broker.http('POST', `/chains/${chainId}/cash-out`, { token: customer.token, key });
    expect(first.status).toBe(201);
    expect(first.json<CashOutAnswer>()).toMatchObject({
      chainId,
      closedAtIndex: 4,
      coins: 7,
      amount: 35,
      currency: 'NZD',
    });
    expect(await bankBalance(broker.http, customer.bankAccount)).toBe(985);

    // A retry with the same key, and a new request, both leave the money where it is.
    const again = await broker.http('POST', `/chains/${chainId}/cash-out`, { token: customer.token, key });
    expect(again.json<CashOutAnswer>()).toEqual(first.json<CashOutAnswer>());
    const fresh = await broker.http('POST', `/chains/${chainId}/cash-out`, { token: customer.token });
    expect(fresh.status).toBe(201);
    expect(fresh.json<CashOutAnswer>().paymentRef).toBe(first.json<CashOutAnswer>().paymentRef);
    expect(await bankBalance(broker.http, customer.bankAccount)).toBe(985);
    const refunds = (await store.readStream(streams.customer(customer.customerId))).filter(
      (e) => e.type === 'CoinsRefunded',
    );
    expect(refunds).toHaveLength(1);

    // The holder's next spend meets the closed chain.
    expect(await spend(wallet, 'v1', 1)).toEqual({ ok: false, code: CHAIN.CLOSED });
    const types = (await store.readStream(streams.chain(chainId))).map((e) => e.type);
    expect(types).toEqual(['ChainIssued', 'CoinsSpent', 'ChainClosed']);
  });

  it('refuses a refund the bank would decline before closing the chain: its coins stay spendable', async () => {
    // The customer's account was closed after they bought. Closing first left the value in a
    // closed chain the bank would not refund, neither spendable nor re-issuable.
    const { customer, wallet, chainId } = await customerWithChain();
    expect(await spend(wallet, 'v1', 2)).toEqual({ ok: true });
    const closed = await broker.http('POST', `/bank/accounts/${customer.bankAccount}/close`, {
      token: ADMIN_TOKEN,
    });
    expect(closed.status).toBe(200);
    const res = await broker.http('POST', `/chains/${chainId}/cash-out`, { token: customer.token });
    expect(res.status).toBe(402);
    expect(res.json()).toMatchObject({ code: 'CASHOUT.BANK_DECLINED', reason: 'account-closed' });
    expect((await store.readStream(streams.chain(chainId))).map((e) => e.type)).toEqual([
      'ChainIssued',
      'CoinsSpent',
    ]);
    expect(await spend(wallet, 'v1', 1)).toEqual({ ok: true });
  });

  it('asks the bank nothing when no refund is due: a spent-out chain closes, an expired one is the expiry policy’s', async () => {
    const spentOut = await customerWithChain();
    expect(await spend(spentOut.wallet, 'v1', 10)).toEqual({ ok: true });
    await broker.http('POST', `/bank/accounts/${spentOut.customer.bankAccount}/close`, {
      token: ADMIN_TOKEN,
    });
    const closed = await broker.http('POST', `/chains/${spentOut.chainId}/cash-out`, {
      token: spentOut.customer.token,
    });
    expect(closed.status).toBe(201);
    expect(closed.json<CashOutAnswer>()).toMatchObject({ coins: 0, amount: 0 });

    const customer = await registerCustomer(broker.http, 1_000);
    const bought = await buy(broker.http, customer, {
      coins: 10,
      coinValue: 5,
      walletNonce: newWalletNonce(),
      expiresInDays: 1,
    });
    const chainId = bought.json<CoinsPurchasedAnswer>().chains[0]!.chainId;
    await broker.http('POST', `/bank/accounts/${customer.bankAccount}/close`, { token: ADMIN_TOKEN });
    const back = clock.now().toISOString();
    clock.advance(2 * 86_400_000);
    try {
      const expired = await broker.http('POST', `/chains/${chainId}/cash-out`, { token: customer.token });
      expect([expired.status, expired.json<{ code: string }>().code]).toEqual([410, CHAIN.EXPIRED]);
    } finally {
      clock.set(back);
    }
  });

  it('answers 404 for a chain that is not the customer’s, and changes nothing', async () => {
    const { chainId } = await customerWithChain();
    const other = await registerCustomer(broker.http, 1_000);
    const res = await broker.http('POST', `/chains/${chainId}/cash-out`, { token: other.token });
    expect(res.status).toBe(404);
    expect(res.json()).toMatchObject({ code: CHAIN.NOT_FOUND });
    expect((await store.readStream(streams.chain(chainId))).map((e) => e.type)).toEqual(['ChainIssued']);
  });

  it('leaves a log the auditor finds balanced: issued = spent + refunded + outstanding', async () => {
    const { keys } = (await broker.http('GET', '/keys')).json<{ keys: PublicKeyRecord[] }>();
    const audit = new Audit({ brokerKeys: keys });
    await replayStore(store, audit, { pageSize: 100 });
    const report = audit.finish();
    expect(report.violationsByRule).toEqual({});
  });
});
