import { describe, expect, it } from '@jest/globals';
import { boughtChain } from '../../../libs/wallet/src/wallet.test-support.js';
import { WALLET_LOCK, type WalletLockManager, withWalletLock } from './wallet-lock.js';
import { mergeStates, type WalletState, WebWallet } from './web-wallet.js';

const NOW = new Date('2026-06-01T00:00:00.000Z');

/** A stand-in for `navigator.locks`: exclusive, first come first served, per lock name. */
class FakeLocks implements WalletLockManager {
  readonly names: string[] = [];
  private tail = new Map<string, Promise<unknown>>();

  request<T>(name: string, options: { mode: 'exclusive' }, callback: () => Promise<T>): Promise<T> {
    expect(options.mode).toBe('exclusive');
    this.names.push(name);
    const before = this.tail.get(name) ?? Promise.resolve();
    const run = before.then(callback, callback);
    this.tail.set(
      name,
      run.catch(() => undefined),
    );
    return run;
  }
}

/** One origin's localStorage, read and written asynchronously (as the sealed vault is: WebCrypto). */
class Store {
  private text: string | undefined;
  async read(): Promise<WalletState | undefined> {
    await new Promise((resolve) => setImmediate(resolve));
    return this.text === undefined ? undefined : (JSON.parse(this.text) as WalletState);
  }
  async write(state: WalletState): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    this.text = JSON.stringify(state);
  }
}

/** One tab: its own copy of the wallet, refreshed from and saved to the shared store as vault-store.mjs does. */
class Tab {
  constructor(
    private readonly store: Store,
    private readonly locks: WalletLockManager | null | undefined,
    private wallet = new WebWallet(),
  ) {}

  private async refresh(): Promise<void> {
    const stored = await this.store.read();
    if (stored !== undefined) this.wallet = WebWallet.fromState(mergeStates(stored, this.wallet.state()));
  }

  /** vault.update(v => v.wallet.pay(…)): read, reserve, write, under the lock when there is one. */
  pay(purchaseKey: string, resource: string): Promise<number> {
    return withWalletLock(async () => {
      await this.refresh();
      const { purchase } = await this.wallet.pay({
        purchaseKey,
        vendorId: 'news',
        resource,
        coins: 2,
        now: NOW,
      });
      if (this.locks === null) await this.refresh();
      await this.store.write(this.wallet.state());
      return purchase.position;
    }, this.locks);
  }
}

async function twoTabsPayAtOnce(locks: WalletLockManager | null | undefined) {
  const store = new Store();
  const c = boughtChain('c_tabs', { length: 10 });
  const first = new WebWallet();
  await first.addChain({ seed: c.seed, touchstone: c.touchstone });
  await store.write(first.state());
  const [a, b] = [new Tab(store, locks), new Tab(store, locks)];
  const positions = await Promise.all([a.pay('p_a', 'GET /a1'), b.pay('p_b', 'GET /a2')]);
  return { positions, stored: (await store.read())! };
}

describe('the wallet lock (two tabs of one browser paying at the same moment)', () => {
  it('serialises read-reserve-write: the second tab reserves after the first saved, other paywords', async () => {
    const locks = new FakeLocks();
    const { positions, stored } = await twoTabsPayAtOnce(locks);
    expect(new Set(positions).size).toBe(2);
    expect([...positions].sort()).toEqual([2, 4]);
    expect(stored.purchases.map((p) => [p.purchaseKey, p.position]).sort()).toEqual([
      ['p_a', positions[0]],
      ['p_b', positions[1]],
    ]);
    expect(stored.chains[0]!.index).toBe(5);
    expect(locks.names).toEqual([WALLET_LOCK, WALLET_LOCK]);
  });

  // Node 22+ has Web Locks (`navigator.locks`); Node 20, where CI also runs the unit tier, has none,
  // and the fake lock manager above covers the locked section there.
  const withRuntimeLocks = (globalThis as { navigator?: { locks?: unknown } }).navigator?.locks
    ? it
    : it.skip;
  withRuntimeLocks(
    "takes the runtime's navigator.locks when none is given (Node 24's Web Locks here)",
    async () => {
      const { positions } = await twoTabsPayAtOnce(undefined);
      expect([...positions].sort()).toEqual([2, 4]);
    },
  );

  it('without a lock manager (Node, very old browsers) runs as before: the same paywords twice', async () => {
    // The hazard the lock removes; this is what two tabs did before it.
    const { positions, stored } = await twoTabsPayAtOnce(null);
    expect(positions).toEqual([2, 2]);
    expect(new Set(stored.purchases.map((p) => p.payword)).size).toBe(1);
  });

  it('lets the next writer in when the work fails (the lock is never left held)', async () => {
    const locks = new FakeLocks();
    await expect(withWalletLock(() => Promise.reject(new Error('boom')), locks)).rejects.toThrow('boom');
    await expect(withWalletLock(() => Promise.resolve(7), locks)).resolves.toBe(7);
  });
});
