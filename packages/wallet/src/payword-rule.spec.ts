import { describe, expect, it } from '@jest/globals';
import { SPEND, verifySpend, type Touchstone } from '#protocol';
import { boughtChain } from '../../../libs/wallet/src/wallet.test-support.js';
import { mergeStates, type WalletPurchase, WebWallet } from './web-wallet.js';

// The one payword rule of @netpay/wallet (packages/wallet/README.md): reserved per purchase, the
// same paywords on a retry, released only when the purchase is provably dead.

const NOW = new Date('2026-06-01T00:00:00.000Z');
/** A minute on: past the default deadline (15 s) of a try sent at NOW and the clock skew (5 s). */
const DEAD = new Date(NOW.getTime() + 60_000);

async function walletWith(
  chainId: string,
  length = 20,
): Promise<{ wallet: WebWallet; touchstone: Touchstone }> {
  const c = boughtChain(chainId, { length });
  const wallet = new WebWallet();
  await wallet.addChain({ seed: c.seed, touchstone: c.touchstone });
  return { wallet, touchstone: c.touchstone };
}

const buy = (key: string, coins = 1, now = NOW, vendorId = 'news') => ({
  purchaseKey: key,
  vendorId,
  resource: `GET /${key}`,
  coins,
  now,
});

/** Every position shown by purchases not released: no position may be shown by two of them. */
function livePositions(purchases: readonly WalletPurchase[]): number[] {
  return purchases
    .filter((p) => p.status !== 'released')
    .flatMap((p) => Array.from({ length: p.coins }, (_, i) => p.fromIndex + i));
}

/** What a vendor holding the chain at `index` (nothing recorded past it) says of a payment. */
function vendorCheck(touchstone: Touchstone, p: WalletPurchase, index: number, lastPayword: string) {
  return verifySpend({
    chain: touchstone,
    state: { chainId: touchstone.chainId, index, lastPayword },
    proof: { chainId: p.chainId, position: p.position, payword: p.payword },
    count: p.coins,
  });
}

describe('the payword rule', () => {
  it('concurrent purchases never share a payword', async () => {
    const { wallet } = await walletWith('r_conc', 40);
    const paid = await Promise.all(
      Array.from({ length: 12 }, (_, i) => wallet.pay(buy(`k${i}`, 1 + (i % 3)))),
    );
    const positions = livePositions(paid.map((p) => p.purchase));
    expect(new Set(positions).size).toBe(positions.length);
    expect(positions.length).toBe(paid.reduce((sum, p) => sum + p.purchase.coins, 0));
    expect(wallet.coinsLeft(undefined, NOW)).toBe(40 - positions.length);
  });

  it('a retry of a purchase (outcome unknown, 503, time-out) sends the same paywords, with a new deadline', async () => {
    const { wallet } = await walletWith('r_retry');
    const first = await wallet.pay(buy('p1', 2));
    wallet.settle('p1', { ok: false, code: 'EVENT_STORE.UNAVAILABLE' }); // 503, outcome unknown
    const later = new Date(NOW.getTime() + 1_000);
    const again = await wallet.pay({ ...buy('p1', 2, later), deadlineMs: 4_000 });
    expect(again.retry).toBe(true);
    expect(again.headers['x-netpay-payment']).toBe(first.headers['x-netpay-payment']);
    expect(again.headers['x-netpay-deadline']).toBe(new Date(later.getTime() + 4_000).toISOString());
    expect(again.purchase.status).toBe('sent');
    // Another purchase meanwhile gets other paywords.
    const other = await wallet.pay(buy('p2', 1, later));
    expect(other.purchase.fromIndex).toBe(3);
  });

  it('a definitive refusal that spent nothing releases the paywords once no try can be accepted', async () => {
    const { wallet } = await walletWith('r_release');
    const p1 = await wallet.pay(buy('p1', 2));
    wallet.settle('p1', {
      ok: false,
      code: 'REQUEST.DEADLINE_EXCEEDED',
      recorded: false,
      index: 1,
      now: new Date(NOW.getTime() + 1_000),
    });
    // Its deadline has not passed: a try still in flight could be recorded, so it stays reserved
    // and the next purchase goes past it (and is refused as skipping, recording nothing).
    const p2 = await wallet.pay(buy('p2', 1, NOW));
    expect(p2.purchase.fromIndex).toBe(3);
    wallet.settle('p2', { ok: false, code: 'SPEND.PAYWORD_SKIPPED', recorded: false, index: 1, now: NOW });
    expect(wallet.purchaseList().find((p) => p.purchaseKey === 'p1')!.status).toBe('refused');
    expect(wallet.summaries(NOW)[0]!.index).toBe(4);
    // Past the deadline (and the skew): both are dead; their paywords serve the next purchase.
    const p3 = await wallet.pay(buy('p3', 2, DEAD));
    expect(wallet.purchaseList().find((p) => p.purchaseKey === 'p1')!.status).toBe('released');
    expect(p3.purchase).toMatchObject({ fromIndex: 1, position: 2, payword: p1.purchase.payword });
    expect(livePositions(wallet.purchaseList())).toEqual([1, 2]);
    // p1 asked again is a new try with paywords of its own, never p3's.
    const p1again = await wallet.pay(buy('p1', 2, DEAD));
    expect(p1again.retry).toBe(false);
    expect(p1again.purchase.fromIndex).toBe(3);
    const positions = livePositions(wallet.purchaseList());
    expect(new Set(positions).size).toBe(positions.length);
  });

  it('never releases a refusal that may have spent, or whose vendor is past the purchase', async () => {
    const { wallet } = await walletWith('r_keep');
    await wallet.pay(buy('a', 1));
    await wallet.pay(buy('b', 1));
    await wallet.pay(buy('c', 1));
    // (At the time of the tries: a settle releases what is dead by its `now`, the real clock by default.)
    wallet.settle('a', { ok: false, code: 'SPEND.PAYWORD_FORGED', index: 1, now: NOW }); // no `recorded: false`
    wallet.settle('b', { ok: false, code: 'SPEND.PAYWORD_REPLAYED', recorded: false, index: 3, now: NOW });
    wallet.settle('c', { ok: false, code: 'REQUEST.DEADLINE_EXCEEDED', recorded: false, now: NOW }); // no index
    expect(wallet.releaseDead(DEAD)).toEqual([]);
    expect((await wallet.pay(buy('d', 1, DEAD))).purchase.fromIndex).toBe(4);
  });

  it('fixes the stuck chain: after a refusal that recorded nothing, the next payment is accepted', async () => {
    const { wallet, touchstone } = await walletWith('r_stuck');
    // A vendor that does not take this coin value refuses without recording: its index stays 1.
    await wallet.pay(buy('p1', 2, NOW, 'cards'));
    wallet.settle('p1', {
      ok: false,
      code: 'SPEND.COIN_VALUE_NOT_ACCEPTED',
      recorded: false,
      index: 1,
      now: NOW,
    });
    // The next payment, at the vendor holding the chain at index 1 with nothing recorded.
    const next = await wallet.pay(buy('p2', 1, DEAD, 'news'));
    const check = vendorCheck(touchstone, next.purchase, 1, touchstone.root);
    expect(check.ok ? 'accepted' : check.code).toBe('accepted');
    expect(check.ok ? undefined : check.code).not.toBe(SPEND.PAYWORD_SKIPPED);
  });

  it('frees a purchase whose request never reached the vendor: the vendor’s index proves it unrecorded', async () => {
    // A newcomer probe reloaded the shop page while a paid request was on its way: that purchase
    // never got an answer (status `sent` for good), every later payment of the chain skipped its
    // positions and was refused SPEND.PAYWORD_SKIPPED, at every shop, until a re-issue.
    const { wallet, touchstone } = await walletWith('r_lost');
    const lost = await wallet.pay(buy('lost', 2));
    const next = await wallet.pay(buy('next', 1));
    expect(next.purchase.fromIndex).toBe(3);
    // The vendor holds the chain at index 1 (nothing recorded): the next payment skips 1..2.
    wallet.settle('next', { ok: false, code: 'SPEND.PAYWORD_SKIPPED', recorded: false, index: 1, now: NOW });
    // Within the lost request's deadline it could still arrive: its paywords stay reserved.
    expect((await wallet.pay(buy('early', 1, NOW))).purchase.fromIndex).toBe(4);
    wallet.settle('early', { ok: false, code: 'SPEND.PAYWORD_SKIPPED', recorded: false, index: 1, now: NOW });
    expect(wallet.releaseDead(DEAD).map((p) => p.purchaseKey)).not.toContain('lost');
    // An index read past its deadline proves it unrecorded for good; once that refused try's own
    // deadline has passed too, the chain pays on at 1.
    await wallet.pay(buy('late', 1, DEAD));
    wallet.settle('late', { ok: false, code: 'SPEND.PAYWORD_SKIPPED', recorded: false, index: 1, now: DEAD });
    expect(wallet.purchaseList().find((p) => p.purchaseKey === 'lost')!.status).toBe('released');
    const after = await wallet.pay(buy('after', 2, new Date(DEAD.getTime() + 60_000)));
    expect(wallet.purchaseList().find((p) => p.purchaseKey === 'lost')!.status).toBe('released');
    expect(after.purchase).toMatchObject({ fromIndex: 1, payword: lost.purchase.payword });
    const check = vendorCheck(touchstone, after.purchase, 1, touchstone.root);
    expect(check.ok ? 'accepted' : check.code).toBe('accepted');
    const positions = livePositions(wallet.purchaseList());
    expect(new Set(positions).size).toBe(positions.length);
  });

  it('keeps a purchase never answered when the vendor may have recorded it (its index is past it)', async () => {
    const { wallet } = await walletWith('r_lost_kept');
    await wallet.pay(buy('maybe', 2));
    await wallet.pay(buy('next', 1));
    wallet.settle('next', { ok: false, code: 'SPEND.PAYWORD_REPLAYED', recorded: false, index: 2, now: NOW });
    expect(wallet.releaseDead(DEAD).map((p) => p.purchaseKey)).not.toContain('maybe');
    expect(wallet.purchaseList().find((p) => p.purchaseKey === 'maybe')!.status).toBe('sent');
  });

  it('a merge with a stale copy keeps a release and never hands one payword to two live purchases', async () => {
    const { wallet: tab } = await walletWith('r_merge', 10);
    await tab.pay(buy('p1', 2));
    const stale = WebWallet.fromState(tab.state()); // p1 sent
    tab.settle('p1', { ok: false, code: 'REQUEST.DEADLINE_EXCEEDED', recorded: false, index: 1, now: DEAD });
    const p3 = await tab.pay(buy('p3', 2, DEAD));
    expect(p3.purchase.fromIndex).toBe(1);
    for (const merged of [mergeStates(stale.state(), tab.state()), mergeStates(tab.state(), stale.state())]) {
      const wallet = WebWallet.fromState(merged);
      const positions = livePositions(wallet.purchaseList());
      expect(new Set(positions).size).toBe(positions.length);
      expect((await wallet.pay(buy('p4', 1, DEAD))).purchase.fromIndex).toBe(3);
    }
    // A copy that retried p1 later than the release was decided on keeps it reserved.
    const retried = WebWallet.fromState(stale.state());
    await retried.pay(buy('p1', 2, new Date(DEAD.getTime() + 1)));
    const wallet = WebWallet.fromState(mergeStates(tab.state(), retried.state()));
    expect(wallet.purchaseList().find((p) => p.purchaseKey === 'p1')!.status).toBe('sent');
  });
});
