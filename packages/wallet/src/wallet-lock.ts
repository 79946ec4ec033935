/**
 * One writer at a time across the tabs and frames of one browser origin. Every read-modify-write
 * of the stored wallet (read the vault, reserve or settle or add a chain, write it back) runs
 * under the exclusive Web Lock `netpay-wallet`, so a second tab reserves only after the first has
 * saved, on the fresh state: two purchases never get the same payword from two copies.
 */

/** The Web Lock every NetPay wallet writer of one origin takes. */
export const WALLET_LOCK = 'netpay-wallet';

/** The part of the Web Locks API (`navigator.locks`) the wallet uses. */
export interface WalletLockManager {
  request<T>(name: string, options: { mode: 'exclusive' }, callback: () => Promise<T>): Promise<T>;
}

/** `navigator.locks` where there is one (browsers; Node 24.5+ too); undefined in very old browsers. */
export function webLocks(): WalletLockManager | undefined {
  const nav = (globalThis as { navigator?: { locks?: WalletLockManager } }).navigator;
  return typeof nav?.locks?.request === 'function' ? nav.locks : undefined;
}

/**
 * Runs `work` holding the exclusive wallet lock (`locks`: `navigator.locks` unless given; `null`:
 * none). Without a lock manager (very old browsers have no `navigator.locks`; Node code keeps its
 * own file store in one process and does not need it) it runs `work` as it is: the behaviour before
 * the lock, where two tabs writing at once can still reserve the same paywords (the merge on save
 * keeps both purchases; the vendor then refuses the second `SPEND.PAYWORD_REPLAYED`).
 */
export function withWalletLock<T>(
  work: () => Promise<T>,
  locks: WalletLockManager | null = webLocks() ?? null,
): Promise<T> {
  if (locks === null) return work();
  return locks.request(WALLET_LOCK, { mode: 'exclusive' }, work);
}
