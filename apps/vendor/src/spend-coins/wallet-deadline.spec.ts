import { describe, expect, it } from '@jest/globals';
import { mapError, toProblem } from '#platform';
import { type FetchLike, requestPaid, Wallet } from '#wallet';
import { acceptedPositions } from '../../test/chain-audit.js';
import { EngineWorld } from '../../test/engine-fixture.js';
import { requestDeadline } from '../engine/request-deadline.js';
import { parsePaymentHeader, parseTouchstoneHeader } from '../netpay/payment-header.js';

/**
 * A paid route over the engine that freezes for `frozenMs` between the request's arrival and its
 * spend (a SIGSTOPped or starved vendor), reading `X-NetPay-Deadline` as the HTTP layer does. Its
 * own maximum age is an hour, so only the payer's deadline can stop a late spend.
 */
function frozenVendor(world: EngineWorld, frozenMs: number): { fetch: FetchLike; seen: string[] } {
  const vendor = world.vendor('va');
  const seen: string[] = [];
  const fetch: FetchLike = async (url, init) => {
    const header = init.headers['x-netpay-deadline'];
    if (header !== undefined) seen.push(header);
    try {
      const deadline = requestDeadline({
        header,
        arrivedAt: world.clock.now().getTime(),
        maxAgeMs: 3_600_000,
      });
      world.clock.advance(frozenMs);
      const outcome = await vendor.spendCoins.execute({
        ...parsePaymentHeader(init.headers['x-netpay-payment']!),
        touchstone: parseTouchstoneHeader(init.headers['x-netpay-touchstone']!),
        count: 1,
        resource: new URL(url).pathname,
        correlationId: 'test',
        deadline,
      });
      return new Response(JSON.stringify({ receiptId: outcome.receipt.receiptId }), { status: 200 });
    } catch (error) {
      const mapping = mapError(error);
      return new Response(JSON.stringify(toProblem(mapping)), { status: mapping.status });
    }
  };
  return { fetch, seen };
}

// Issue 13 item 8 for the SDK: a wallet that gave up waiting must not have paid unseen.
describe('the wallet SDK names its deadline', () => {
  it('sends X-NetPay-Deadline = now + timeoutMs on every try (configurable)', async () => {
    const world = new EngineWorld();
    const shop = frozenVendor(world, 0);
    const issued = await world.broker.issue();
    const wallet = new Wallet();
    await wallet.addChain({ seed: issued.chain.seed, touchstone: issued.touchstone });
    const now = () => world.clock.now().getTime();
    const answer = await requestPaid(
      wallet,
      { url: 'http://vendor.test/a', vendorId: 'va', count: 1 },
      { fetch: shop.fetch, timeoutMs: 4_000, now },
    );
    expect(answer.paid).toBe(true);
    expect(shop.seen).toEqual(['2026-06-01T12:00:04.000Z']);
    await requestPaid(
      wallet,
      { url: 'http://vendor.test/b', vendorId: 'va', count: 1 },
      { fetch: shop.fetch, now },
    );
    expect(shop.seen[1]).toBe('2026-06-01T12:00:15.000Z'); // the default, 15 s
  });

  it('a vendor frozen past that deadline records no spend, and the wallet keeps its coin', async () => {
    const world = new EngineWorld();
    const shop = frozenVendor(world, 20_000);
    const issued = await world.broker.issue();
    const wallet = new Wallet();
    await wallet.addChain({ seed: issued.chain.seed, touchstone: issued.touchstone });
    const answer = await requestPaid(
      wallet,
      { url: 'http://vendor.test/a', vendorId: 'va', count: 1 },
      { fetch: shop.fetch, timeoutMs: 5_000, now: () => world.clock.now().getTime() },
    );
    expect(answer.paid).toBe(false);
    expect(answer.response.status).toBe(408);
    expect(((await answer.response.json()) as { code: string }).code).toBe('REQUEST.DEADLINE_EXCEEDED');
    expect(await acceptedPositions(world.store, issued.chain.chainId)).toEqual([]);
    // The vendor said so (`recorded: false`, its index 1), and the deadline (5 s) and the clock skew
    // allowed (5 s) have passed on the wallet's clock (the vendor froze 20 s): no try can be recorded
    // any more, and the wallet gives the coin back to the next purchase.
    expect(answer.purchase).toMatchObject({ status: 'released', unrecorded: true, vendorIndex: 1 });
    expect(wallet.summaries()[0]!.index).toBe(1);
  });

  it('refuses a timeout that is not a positive whole number of ms', async () => {
    const wallet = new Wallet();
    await expect(
      requestPaid(wallet, { url: 'http://x.test/', vendorId: 'va', count: 1 }, { timeoutMs: 0 }),
    ).rejects.toThrow(RangeError);
  });
});
