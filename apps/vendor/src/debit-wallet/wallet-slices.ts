import { createHash } from 'node:crypto';
import { verifyPaywordAgainst, type Hex, type Touchstone } from '#protocol';
import { refusal, VENDOR } from '../engine/vendor-errors.js';
import type { KeptDebit, WalletSlice, WalletSliceStore } from './wallet-slice-store.js';

export function tokenHash(checkoutToken: string): string {
  return createHash('sha256').update(checkoutToken).digest('hex');
}

/**
 * The server-side wallet slices this vendor holds. Released paywords are
 * checked to hash down to the chain's state before they are kept, so a bad
 * slice is refused at once instead of at the first purchase.
 */
export class WalletSlices {
  constructor(private readonly store: WalletSliceStore) {}

  /** Keeps W[from…] after checking W[from] hashes to `previous` = W[from-1], and each word to the one before. */
  async add(touchstone: Touchstone, from: number, previous: Hex, words: readonly Hex[]): Promise<void> {
    let below = previous;
    for (let i = 0; i < words.length; i++) {
      const check = verifyPaywordAgainst(
        touchstone.alg,
        touchstone.chainId,
        from + i - 1,
        below,
        from + i,
        words[i]!,
      );
      if (!check.ok) {
        throw refusal(
          VENDOR.WALLET_NO_PAYWORDS,
          `released payword ${from + i} does not belong to the chain`,
          {
            chainId: touchstone.chainId,
          },
        );
      }
      below = words[i]!;
    }
    if (words.length > 0) await this.store.put({ chainId: touchstone.chainId, from, words: [...words] });
  }

  /** W[position] if this vendor holds it. */
  async payword(chainId: string, position: number): Promise<Hex | undefined> {
    const slice = await this.store.get(chainId);
    return slice ? slice.words[position - slice.from] : undefined;
  }

  /** The unspent words from `index` on, removed from this vendor: handed to the next one. */
  async release(chainId: string, index: number): Promise<Hex[]> {
    const slice: WalletSlice | undefined = await this.store.get(chainId);
    await this.store.delete(chainId);
    if (!slice) return [];
    return slice.words.slice(Math.max(0, index - slice.from));
  }

  /** Forgets the slice of a chain (the customer withdrew it: it is theirs again). */
  drop(chainId: string): Promise<void> {
    return this.store.delete(chainId);
  }

  chainForToken(checkoutToken: string): Promise<string | undefined> {
    return this.store.chainForToken(tokenHash(checkoutToken));
  }

  bindToken(checkoutToken: string, chainId: string): Promise<void> {
    return this.store.bindToken(tokenHash(checkoutToken), chainId);
  }

  keptDebit(scope: string): Promise<KeptDebit | undefined> {
    return this.store.keptDebit(scope);
  }

  keepDebit(scope: string, debit: KeptDebit): Promise<void> {
    return this.store.keepDebit(scope, debit);
  }
}
