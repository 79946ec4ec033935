import { describe, expect, it } from '@jest/globals';
import { verifySpend } from '#protocol';
import { Wallet } from './wallet.js';
import { WALLET } from './wallet-errors.js';
import { boughtChain } from './wallet.test-support.js';

const now = new Date('2026-06-01T00:00:00.000Z');

describe('Wallet', () => {
  it('pays k coins with the payword at I+k-1, which a vendor verifies against the touchstone', () => {
    const wallet = new Wallet();
    wallet.add(boughtChain('w_a'));
    const payment = wallet.pay(3, { vendorId: 'v1', now });
    expect(payment).toMatchObject({ chainId: 'w_a', count: 3, fromIndex: 1, proof: { position: 3 } });
    const t = payment.touchstone;
    const check = verifySpend({
      chain: t,
      state: { chainId: 'w_a', index: 1, lastPayword: t.root },
      proof: payment.proof,
      count: 3,
    });
    expect(check.ok).toBe(true);
  });

  it('moves the index and remembers the vendor only when the spend is confirmed', () => {
    const wallet = new Wallet();
    wallet.add(boughtChain('w_a'));
    const first = wallet.pay(2, { now });
    expect(wallet.pay(2, { now }).fromIndex).toBe(1); // not confirmed: offered again
    expect(wallet.confirm(first, 'v1')).toMatchObject({ index: 3, remainingCoins: 18, lastVendor: 'v1' });
    const second = wallet.pay(4, { now });
    expect(second).toMatchObject({ fromIndex: 3, proof: { position: 6 }, lastVendor: 'v1' });
    expect(() => wallet.confirm(first, 'v1')).toThrow(
      expect.objectContaining({ code: WALLET.STALE_PAYMENT }),
    );
  });

  it('moves forward to the index a vendor reports after a confirmation was lost, never back', () => {
    const wallet = new Wallet();
    wallet.add(boughtChain('w_a'));
    wallet.pay(2, { now }); // the vendor recorded it, the answer was lost: never confirmed
    expect(wallet.advance('w_a', 3, 'v1')).toMatchObject({ index: 3, remainingCoins: 18, lastVendor: 'v1' });
    expect(wallet.pay(1, { now })).toMatchObject({ fromIndex: 3, proof: { position: 3 } });
    expect(() => wallet.advance('w_a', 2)).toThrow(expect.objectContaining({ code: WALLET.STALE_PAYMENT }));
    expect(() => wallet.advance('w_a', 22)).toThrow(expect.objectContaining({ code: WALLET.STALE_PAYMENT }));
    expect(wallet.advance('w_a', 21)).toMatchObject({ remainingCoins: 0 });
  });

  it('chooses a chain with enough coins, usable at that vendor and now, expiring first', () => {
    const wallet = new Wallet();
    wallet.add(boughtChain('w_small', { length: 2, expiresAt: '2026-07-01T00:00:00.000Z' }));
    wallet.add(boughtChain('w_only_v2', { vendors: ['v2'], expiresAt: '2026-08-01T00:00:00.000Z' }));
    wallet.add(boughtChain('w_expired', { expiresAt: '2026-02-01T00:00:00.000Z' }));
    wallet.add(boughtChain('w_late', { length: 50, expiresAt: '2026-12-31T00:00:00.000Z' }));
    wallet.add(boughtChain('w_soon', { length: 50, expiresAt: '2026-12-01T00:00:00.000Z' }));
    expect(wallet.pay(5, { vendorId: 'v1', now }).chainId).toBe('w_soon');
    expect(wallet.pay(5, { vendorId: 'v2', now }).chainId).toBe('w_only_v2');
    expect(wallet.pay(2, { vendorId: 'v1', now }).chainId).toBe('w_small');
  });

  it('prefers the chain the vendor already holds (no hand-off needed)', () => {
    const wallet = new Wallet();
    wallet.add(boughtChain('w_held', { expiresAt: '2026-12-31T00:00:00.000Z' }));
    wallet.confirm(wallet.pay(1, { vendorId: 'v3', now }), 'v3');
    wallet.add(boughtChain('w_fresh', { expiresAt: '2026-07-01T00:00:00.000Z' }));
    expect(wallet.pay(1, { vendorId: 'v3', now }).chainId).toBe('w_held');
    expect(wallet.pay(1, { vendorId: 'v1', now }).chainId).toBe('w_fresh');
  });

  it('refuses a price no single chain can pay, and a price that is not a whole number of coins', () => {
    const wallet = new Wallet();
    wallet.add(boughtChain('w_1', { length: 3 }));
    wallet.add(boughtChain('w_2', { length: 3 }));
    expect(() => wallet.pay(4, { now })).toThrow(
      expect.objectContaining({ code: WALLET.INSUFFICIENT_COINS }),
    );
    expect(() => wallet.pay(1.5, { now })).toThrow(expect.objectContaining({ code: WALLET.INVALID_COUNT }));
    expect(() => wallet.pay(0, { now })).toThrow(expect.objectContaining({ code: WALLET.INVALID_COUNT }));
  });

  it('refuses a seed that does not belong to the touchstone, and the same chain twice', () => {
    const wallet = new Wallet();
    const a = boughtChain('w_a');
    const b = boughtChain('w_a');
    expect(() => wallet.add({ seed: b.seed, touchstone: a.touchstone })).toThrow(
      expect.objectContaining({ code: WALLET.SEED_MISMATCH }),
    );
    wallet.add(a);
    expect(() => wallet.add(a)).toThrow(expect.objectContaining({ code: WALLET.DUPLICATE_CHAIN }));
  });

  it('sums remaining value per currency in minor units', () => {
    const wallet = new Wallet();
    wallet.add(boughtChain('w_nzd', { length: 10, coinValue: 5 }));
    wallet.add(boughtChain('w_eur', { length: 4, coinValue: 25, currency: 'EUR' }));
    wallet.confirm(wallet.pay(3, { currency: 'NZD', now }), 'v1');
    expect(wallet.balances()).toEqual({ NZD: 35, EUR: 100 });
  });
});
