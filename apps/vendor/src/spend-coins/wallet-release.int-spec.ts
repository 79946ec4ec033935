import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { requestPaid, Wallet } from '#wallet';
import { acceptedPositions } from '../../test/chain-audit.js';
import { type RunningVendor, VendorStack } from '../../test/vendor-stack.js';

/**
 * The stuck-chain defect, end to end (real NATS, JetStream, Redis): a vendor refuses a payment
 * without recording it, and the wallet's next payment on that chain is accepted — the paywords
 * of the dead purchase serve it — instead of being refused SPEND.PAYWORD_SKIPPED.
 */
describe('a refusal that recorded nothing does not strand the chain', () => {
  let stack: VendorStack;
  let vendor: RunningVendor;

  beforeAll(async () => {
    stack = await VendorStack.start();
    vendor = await stack.vendor('shop');
  });
  afterAll(() => stack.dispose());

  it('408 with recorded: false and the index, then the next payment pays from that index', async () => {
    const issued = await stack.broker.issue();
    const wallet = new Wallet();
    await wallet.addChain({ seed: issued.chain.seed, touchstone: issued.touchstone });
    const price = Number((await vendor.http('GET', '/articles/a1')).headers.get('x-netpay-price'));
    expect(price).toBeGreaterThan(0);

    // A wallet whose clock is a minute behind names a deadline that has already passed here.
    const late = await requestPaid(
      wallet,
      { url: `${vendor.url}/articles/a1`, vendorId: 'shop', count: price },
      { now: () => Date.now() - 60_000 },
    );
    expect(late.paid).toBe(false);
    expect(late.response.status).toBe(408);
    expect(await late.response.json()).toMatchObject({
      code: 'REQUEST.DEADLINE_EXCEEDED',
      recorded: false,
      index: 1,
    });
    // Refused, not yet released: on the wallet's clock its deadline has not passed.
    expect(late.purchase).toMatchObject({
      status: 'refused',
      fromIndex: 1,
      unrecorded: true,
      vendorIndex: 1,
    });

    // Now (past that deadline and the clock skew allowed) the next purchase gets those paywords.
    const next = await requestPaid(wallet, {
      url: `${vendor.url}/articles/a2`,
      vendorId: 'shop',
      count: price,
    });
    expect({ status: next.response.status, paid: next.paid }).toEqual({ status: 200, paid: true });
    expect(next.purchase).toMatchObject({ fromIndex: 1, payword: late.purchase.payword });
    expect(wallet.purchaseList().find((p) => p.purchaseKey === late.purchase.purchaseKey)?.status).toBe(
      'released',
    );
    const accepted = await acceptedPositions(stack.store, issued.chain.chainId);
    expect(accepted.map((a) => a.position)).toEqual(Array.from({ length: price }, (_, i) => i + 1));
  });
});
