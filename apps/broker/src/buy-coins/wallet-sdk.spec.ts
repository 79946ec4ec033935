import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decideSpend, foldChain } from '#chain';
import { InMemoryEventStore } from '#event-store';
import { type ChainEvent, decode, streams } from '#events';
import { ManualClock } from '#platform';
import { decryptWallet, encryptWallet, newWalletNonce, preparePayment, Wallet } from '#wallet';
import { startBroker, type TestBroker } from '../test/broker-harness.js';
import { buy, registerCustomer } from '../test/scenario.js';
import type { CoinsPurchasedAnswer } from './buy-coins.command.js';

// The client-side flow end to end: the broker's purchase answer goes into the wallet SDK, whose
// payment the chain aggregate accepts as a vendor would.
describe('purchase answer → wallet SDK → spend', () => {
  const clock = new ManualClock('2026-03-01T10:00:00.000Z');
  const store = new InMemoryEventStore();
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startBroker({ store, clock });
  });
  afterAll(() => broker.close());

  it('pays from a bought chain, survives the encrypted file, and the vendor-side decider accepts it', async () => {
    const customer = await registerCustomer(broker.http);
    const res = await buy(broker.http, customer, { coins: 30, walletNonce: newWalletNonce() });
    const answer = res.json<CoinsPurchasedAnswer>();
    let wallet = new Wallet();
    for (const chain of answer.chains)
      await wallet.addChain({ seed: chain.seed!, touchstone: chain.touchstone });
    wallet = decryptWallet(
      encryptWallet(wallet, 'a long passphrase', { N: 1024, r: 8, p: 1 }),
      'a long passphrase',
    );

    const payment = await preparePayment(wallet, 3, { vendorId: 'v1', now: clock.now() });
    const history = (await store.readStream(streams.chain(payment.chainId))).map((r) => ({
      event: decode(r) as unknown as ChainEvent,
      revision: r.revision,
    }));
    const decision = decideSpend(foldChain(history), {
      vendorId: 'v1',
      proof: payment.proof,
      count: payment.count,
      receiptId: 'r-1',
      at: clock.now().toISOString(),
    });
    expect(decision).toMatchObject({
      ok: true,
      events: [{ type: 'CoinsSpent', data: { fromIndex: 1, toIndex: 3 } }],
    });
    wallet.settle(payment.purchaseKey, { ok: true, receiptId: 'r-1' });
    expect(wallet.summaries(clock.now())[0]).toMatchObject({ index: 4, lastVendor: 'v1' });
  });
});
