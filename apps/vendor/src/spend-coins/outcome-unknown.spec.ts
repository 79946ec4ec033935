import { describe, expect, it } from '@jest/globals';
import {
  DelegatingEventStore,
  EventStoreUnavailableError,
  type AppendOptions,
  type AppendResult,
  type NewEvent,
} from '#event-store';
import { mapError, toProblem } from '#platform';
import { PaymentOutcomeUnknownError, requestPaid, Wallet, type FetchLike } from '#wallet';
import { acceptedPositions } from '../../test/chain-audit.js';
import { EngineWorld, payment, refusedWith } from '../../test/engine-fixture.js';
import { parsePaymentHeader, parseTouchstoneHeader } from '../netpay/payment-header.js';

/** Records the next `lost` appends, then fails them as if the acknowledgement never came. */
class LostAcks extends DelegatingEventStore {
  lost = 0;
  override async appendToStream(
    stream: string,
    events: readonly NewEvent[],
    options?: AppendOptions,
  ): Promise<AppendResult> {
    const result = await super.appendToStream(stream, events, options);
    if (this.lost > 0) {
      this.lost -= 1;
      throw new EventStoreUnavailableError('publish timed out before the ack');
    }
    return result;
  }
}

/** A paid route over the engine, answering as the vendor's HTTP layer does (problem+json on error). */
function vendorAt(world: EngineWorld, store: LostAcks, price: number): { fetch: FetchLike; calls: number } {
  const vendor = world.vendor('va', { store });
  const state = { calls: 0, fetch: undefined as unknown as FetchLike };
  state.fetch = async (url, init) => {
    state.calls += 1;
    try {
      const proof = parsePaymentHeader(init.headers['x-netpay-payment']!);
      const touchstone = parseTouchstoneHeader(init.headers['x-netpay-touchstone']!);
      const outcome = await vendor.spendCoins.execute({
        ...proof,
        count: price,
        resource: new URL(url).pathname,
        correlationId: 'test',
        touchstone,
      });
      return new Response(JSON.stringify({ receiptId: outcome.receipt.receiptId }), { status: 200 });
    } catch (error) {
      const mapping = mapError(error);
      return new Response(JSON.stringify(toProblem(mapping)), { status: mapping.status });
    }
  };
  return state;
}

// After a 503 the spend may be recorded: the answer says so, and the wallet SDK repeats the same
// payment for the same request instead of spending the payword elsewhere.
describe('a spend whose outcome is unknown', () => {
  it('answers 503 with outcome "unknown" and a retry hint; the same payment then gets its receipt', async () => {
    const world = new EngineWorld();
    const store = new LostAcks(world.store);
    const vendor = world.vendor('va', { store });
    const issued = await world.broker.issue();
    store.lost = 1;
    const first = payment(issued, 1, 2, 'article-1');
    const error = await vendor.spendCoins.execute(first).catch((e: unknown) => e);
    expect(toProblem(mapError(error))).toMatchObject({
      status: 503,
      code: 'EVENT_STORE.UNAVAILABLE',
      outcome: 'unknown',
      retry: expect.stringContaining('same payment'),
    });
    // It was recorded: the payword for another article is a replay, the same request is answered.
    expect(await refusedWith(vendor.spendCoins.execute(payment(issued, 1, 2, 'article-2')))).toBe(
      'SPEND.PAYWORD_REPLAYED',
    );
    const again = await vendor.spendCoins.execute(first);
    expect(again.duplicate).toBe(true);
    expect((await acceptedPositions(world.store, issued.chain.chainId)).map((a) => a.position)).toEqual([
      1, 2,
    ]);
  });

  it('the wallet SDK repeats the same payment and ends paid, without losing a coin', async () => {
    const world = new EngineWorld();
    const store = new LostAcks(world.store);
    const shop = vendorAt(world, store, 2);
    const issued = await world.broker.issue();
    const wallet = new Wallet();
    await wallet.addChain({ seed: issued.chain.seed, touchstone: issued.touchstone });
    store.lost = 1;
    const answer = await requestPaid(
      wallet,
      { url: 'http://vendor.test/article-1', vendorId: 'va', count: 2 },
      { fetch: shop.fetch, retryDelayMs: 0 },
    );
    expect(answer.paid).toBe(true);
    expect(shop.calls).toBe(2);
    expect(wallet.summaries()[0]).toMatchObject({ index: 3, remainingCoins: 48 });
    const next = await requestPaid(
      wallet,
      { url: 'http://vendor.test/article-2', vendorId: 'va', count: 2 },
      { fetch: shop.fetch, retryDelayMs: 0 },
    );
    expect(next.paid).toBe(true);
    expect((await acceptedPositions(world.store, issued.chain.chainId)).map((a) => a.position)).toEqual([
      1, 2, 3, 4,
    ]);
  });

  it('hands the payment back to repeat later when the outcome stays unknown', async () => {
    const world = new EngineWorld();
    const store = new LostAcks(world.store);
    const shop = vendorAt(world, store, 1);
    const issued = await world.broker.issue();
    const wallet = new Wallet();
    await wallet.addChain({ seed: issued.chain.seed, touchstone: issued.touchstone });
    store.lost = 5;
    const failed = await requestPaid(
      wallet,
      { url: 'http://vendor.test/article-1', vendorId: 'va', count: 1 },
      { fetch: shop.fetch, attempts: 2, retryDelayMs: 0 },
    ).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(PaymentOutcomeUnknownError);
    // Not settled: the payword stays reserved for this purchase, never offered to another.
    const { purchase, purchaseKey } = failed as PaymentOutcomeUnknownError;
    expect(purchase).toMatchObject({ status: 'sent', fromIndex: 1, position: 1 });
    expect(wallet.summaries()[0]!.index).toBe(2);
    store.lost = 0;
    const later = await requestPaid(
      wallet,
      { url: 'http://vendor.test/article-1', vendorId: 'va', count: 1, purchaseKey },
      { fetch: shop.fetch },
    );
    expect(later.paid).toBe(true);
    expect(later.purchase).toMatchObject({ status: 'paid', position: 1, payword: purchase.payword });
    expect(wallet.summaries()[0]!.index).toBe(2);
    expect((await acceptedPositions(world.store, issued.chain.chainId)).map((a) => a.position)).toEqual([1]);
  });
});
