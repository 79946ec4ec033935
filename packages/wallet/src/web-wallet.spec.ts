import { describe, expect, it } from '@jest/globals';
import { generateChain } from '#protocol';
import { boughtChain } from '../../../libs/wallet/src/wallet.test-support.js';
import { WebChainHasher } from './chain-hash.js';
import { VaultKey } from './vault.js';
import { mergeStates, type WalletState, type WalletTouchstone, WebWallet } from './web-wallet.js';

const NOW = new Date('2026-06-01T00:00:00.000Z');
const LATER = new Date('2026-06-01T01:00:00.000Z');
const bought = (id: string, o: Parameters<typeof boughtChain>[1] = {}) => {
  const c = boughtChain(id, o);
  return { seed: c.seed, touchstone: c.touchstone as unknown as WalletTouchstone };
};

describe('@netpay/wallet (WebCrypto, as in browsers)', () => {
  it("computes the protocol's paywords: the same words as libs/protocol's chain", async () => {
    const chain = generateChain({ chainId: 'c_web1', length: 12, alg: 'sha256' });
    const words = await new WebChainHasher('sha256', 'c_web1').words(chain.seed, 12);
    expect(words).toEqual(Array.from({ length: 13 }, (_, i) => chain.payword(i)));
  });

  it('refuses a seed that does not hash to the touchstone root, and md5 chains', async () => {
    const wallet = new WebWallet();
    const a = bought('c_a');
    const b = bought('c_b');
    await expect(wallet.addChain({ seed: b.seed, touchstone: a.touchstone })).rejects.toMatchObject({
      code: 'WALLET.SEED_MISMATCH',
    });
    await expect(
      wallet.addChain({ seed: a.seed, touchstone: { ...a.touchstone, alg: 'md5' } }),
    ).rejects.toMatchObject({ code: 'WALLET.UNSUPPORTED_CHAIN' });
    expect(wallet.summaries(NOW)).toEqual([]);
  });

  it('never shows a payword for two purchases; a retry of one purchase shows the same ones', async () => {
    const wallet = new WebWallet();
    const c = bought('c_pay', { length: 10 });
    await wallet.addChain(c);
    const one = await wallet.pay({
      purchaseKey: 'p1',
      vendorId: 'news',
      resource: 'GET /a1',
      coins: 2,
      now: NOW,
    });
    const again = await wallet.pay({
      purchaseKey: 'p1',
      vendorId: 'news',
      resource: 'GET /a1',
      coins: 2,
      now: NOW,
    });
    expect(again.retry).toBe(true);
    expect(again.headers).toEqual(one.headers);
    // Not settled yet (the answer may be lost): the next purchase still gets new paywords.
    const two = await wallet.pay({
      purchaseKey: 'p2',
      vendorId: 'news',
      resource: 'GET /a2',
      coins: 2,
      now: NOW,
    });
    expect(two.purchase.position).toBe(4);
    expect(two.headers['x-netpay-payment']).not.toBe(one.headers['x-netpay-payment']);
    expect(one.headers['x-netpay-payment']).toBe(`c_pay.2.${one.purchase.payword}`);
    // The same key for another resource is refused: its paywords are not shown for anything else.
    await expect(
      wallet.pay({ purchaseKey: 'p1', vendorId: 'news', resource: 'GET /a3', coins: 2, now: NOW }),
    ).rejects.toMatchObject({ code: 'WALLET.PURCHASE_MISMATCH' });
    // A refusal that does not say the try spent nothing keeps the paywords reserved; a reloaded
    // wallet goes on after them.
    wallet.settle('p2', { ok: false, code: 'SPEND.PAYWORD_FORGED', now: LATER });
    const reloaded = WebWallet.fromState(JSON.parse(JSON.stringify(wallet.state())) as WalletState);
    const three = await reloaded.pay({
      purchaseKey: 'p3',
      vendorId: 'news',
      resource: 'GET /a2',
      coins: 1,
      now: LATER,
    });
    expect(three.purchase.position).toBe(5);
    expect(reloaded.coinsLeft(undefined, NOW)).toBe(5);
  });

  it('says clearly when coins run out, retires a revoked chain and honours vendor restrictions', async () => {
    const wallet = new WebWallet();
    await wallet.addChain(bought('c_small', { length: 3, vendors: ['news'] }));
    await expect(
      wallet.pay({ purchaseKey: 'x', vendorId: 'cards', resource: 'GET /c', coins: 1, now: NOW }),
    ).rejects.toMatchObject({ code: 'WALLET.INSUFFICIENT_COINS' });
    const p = await wallet.pay({
      purchaseKey: 'y',
      vendorId: 'news',
      resource: 'GET /a',
      coins: 2,
      now: NOW,
    });
    expect(wallet.coinsLeft('news', NOW)).toBe(1);
    await expect(
      wallet.pay({ purchaseKey: 'z', vendorId: 'news', resource: 'GET /b', coins: 2, now: NOW }),
    ).rejects.toMatchObject({ code: 'WALLET.INSUFFICIENT_COINS' });
    wallet.settle(p.purchase.purchaseKey, { ok: false, code: 'CHAIN.REVOKED' });
    expect(wallet.coinsLeft('news', NOW)).toBe(0);
    expect(wallet.summaries(NOW)[0]).toMatchObject({ revoked: true, remainingCoins: 0 });
  });

  it('keeps chains encrypted at rest: a wrong passphrase opens nothing', async () => {
    const wallet = new WebWallet();
    await wallet.addChain(bought('c_vault'));
    const key = await VaultKey.create('correct horse battery', 1_000);
    const sealed = await key.seal(wallet.state());
    expect(JSON.stringify(sealed)).not.toContain(wallet.state().chains[0]!.seed);
    await expect(VaultKey.unlock(sealed, 'wrong passphrase')).rejects.toMatchObject({
      code: 'WALLET.WRONG_PASSPHRASE',
    });
    const { plain } = await VaultKey.unlock(sealed, 'correct horse battery');
    expect(plain).toEqual(wallet.state());
    await expect(VaultKey.create('short')).rejects.toMatchObject({ code: 'WALLET.PASSPHRASE_TOO_SHORT' });
  });

  it('merges two copies at the furthest index, so a stale copy never brings a payword back', async () => {
    const c = bought('c_merge', { length: 10 });
    const tab = new WebWallet();
    await tab.addChain(c);
    const stale = WebWallet.fromState(tab.state());
    await tab.pay({ purchaseKey: 'a', vendorId: 'news', resource: 'GET /a', coins: 3, now: NOW });
    const merged = WebWallet.fromState(mergeStates(stale.state(), tab.state()));
    const next = await merged.pay({
      purchaseKey: 'b',
      vendorId: 'news',
      resource: 'GET /b',
      coins: 1,
      now: NOW,
    });
    expect(next.purchase.position).toBe(4);
  });
});
