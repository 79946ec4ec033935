import type { StoredEvent } from '#events';

/** One line of a customer's transaction history, as the broker's events tell it. */
export type HistoryEntry =
  | {
      readonly kind: 'purchase';
      readonly at: string;
      readonly purchaseId: string;
      readonly wallet: 'client' | 'server';
      readonly coins: number;
      readonly coinValue: number;
      readonly amount: number;
      readonly currency: string;
      readonly chainIds: readonly string[];
    }
  | {
      readonly kind: 'spend';
      readonly at: string;
      readonly chainId: string;
      readonly vendorId: string;
      readonly fromIndex: number;
      readonly toIndex: number;
      readonly coins: number;
      /** The vendor's receipt: the wallet that kept it knows which resource it paid for. */
      readonly receiptId: string;
    }
  | {
      readonly kind: 'hand-off';
      readonly at: string;
      readonly chainId: string;
      readonly fromVendor: string;
      readonly toVendor: string;
      readonly index: number;
      /** `claim`: the holder did not answer and the next vendor took the chain from the store. */
      readonly via: 'certificate' | 'claim';
    }
  | {
      readonly kind: 'checkout';
      readonly at: string;
      readonly chainId: string;
      readonly vendorId: string;
      readonly index: number;
      readonly sliceEnd: number;
    }
  | {
      /** The customer withdrew the holding vendor: the unspent slice came back to the wallet. */
      readonly kind: 'slice-returned';
      readonly at: string;
      readonly chainId: string;
      readonly vendorId: string;
      readonly index: number;
    }
  | { readonly kind: 'revoked'; readonly at: string; readonly chainId: string; readonly reason: string }
  | {
      readonly kind: 'closed';
      readonly at: string;
      readonly chainId: string;
      readonly index: number;
      readonly reason: string;
    }
  | {
      readonly kind: 'reissued';
      readonly at: string;
      readonly fromChainId: string;
      readonly toChainId: string;
      readonly coins: number;
    }
  | {
      readonly kind: 'vendor-authorised' | 'vendor-withdrawn';
      readonly at: string;
      readonly vendorId: string;
    };

/**
 * Customers' transaction histories folded from the same events as the wallet view. Chain events
 * are kept per chain (a chain's events may come before the purchase that names its customer) and
 * joined with the customer's chains when asked. The resource a spend paid for is not in any
 * broker event (vendors keep it in their receipts): the broker does not learn what was read.
 */
export class WalletHistoryReadModel {
  private readonly ofChain = new Map<string, HistoryEntry[]>();
  private readonly ofCustomer = new Map<string, HistoryEntry[]>();
  private readonly authorised = new Map<string, Set<string>>();

  apply(event: StoredEvent): void {
    switch (event.type) {
      case 'CoinsPurchased': {
        const d = event.data;
        return this.customer(d.customerId, {
          kind: 'purchase',
          at: d.at,
          purchaseId: d.purchaseId,
          wallet: d.wallet,
          coins: d.coins,
          coinValue: d.coinValue,
          amount: d.amount,
          currency: d.currency,
          chainIds: d.chainIds,
        });
      }
      case 'CoinsSpent': {
        const d = event.data;
        return this.chain(d.chainId, {
          kind: 'spend',
          at: d.at,
          chainId: d.chainId,
          vendorId: d.vendorId,
          fromIndex: d.fromIndex,
          toIndex: d.toIndex,
          coins: d.toIndex - d.fromIndex + 1,
          receiptId: d.receiptId,
        });
      }
      case 'IndexHandedOff': {
        const c = event.data.certificate;
        return this.chain(c.chainId, {
          kind: 'hand-off',
          at: event.data.at,
          chainId: c.chainId,
          fromVendor: c.fromVendor,
          toVendor: c.toVendor,
          index: c.index,
          via: 'certificate',
        });
      }
      case 'ChainClaimed': {
        const d = event.data;
        return this.chain(d.chainId, {
          kind: 'hand-off',
          at: d.at,
          chainId: d.chainId,
          fromVendor: d.fromVendor,
          toVendor: d.toVendor,
          index: d.index,
          via: 'claim',
        });
      }
      case 'WalletCheckedOut': {
        const d = event.data;
        return this.chain(d.chainId, {
          kind: 'checkout',
          at: d.at,
          chainId: d.chainId,
          vendorId: d.vendorId,
          index: d.index,
          sliceEnd: d.sliceEnd,
        });
      }
      case 'SliceWithdrawn': {
        const d = event.data;
        return this.chain(d.chainId, {
          kind: 'slice-returned',
          at: d.at,
          chainId: d.chainId,
          vendorId: d.vendorId,
          index: d.index,
        });
      }
      case 'ChainRevoked': {
        const d = event.data;
        return this.chain(d.chainId, { kind: 'revoked', at: d.at, chainId: d.chainId, reason: d.reason });
      }
      case 'ChainClosed': {
        const d = event.data;
        return this.chain(d.chainId, {
          kind: 'closed',
          at: d.at,
          chainId: d.chainId,
          index: d.index,
          reason: d.reason,
        });
      }
      case 'ChainReissued': {
        const d = event.data;
        return this.customer(d.customerId, {
          kind: 'reissued',
          at: d.at,
          fromChainId: d.fromChainId,
          toChainId: d.toChainId,
          coins: d.coins,
        });
      }
      case 'VendorAuthorised':
      case 'VendorDeauthorised': {
        const d = event.data;
        const set = this.authorised.get(d.customerId) ?? new Set<string>();
        if (event.type === 'VendorAuthorised') set.add(d.vendorId);
        else set.delete(d.vendorId);
        this.authorised.set(d.customerId, set);
        return this.customer(d.customerId, {
          kind: event.type === 'VendorAuthorised' ? 'vendor-authorised' : 'vendor-withdrawn',
          at: d.at,
          vendorId: d.vendorId,
        });
      }
      default:
        return;
    }
  }

  /** The customer's own entries and those of `chainIds` (the customer's chains), oldest first. */
  historyOf(customerId: string, chainIds: readonly string[]): HistoryEntry[] {
    const entries = [
      ...(this.ofCustomer.get(customerId) ?? []),
      ...chainIds.flatMap((id) => this.ofChain.get(id) ?? []),
    ];
    // Stable: entries of one stream keep their order when their times are equal.
    return entries
      .map((entry, n) => ({ entry, n }))
      .sort((a, b) => (a.entry.at < b.entry.at ? -1 : a.entry.at > b.entry.at ? 1 : a.n - b.n))
      .map((x) => x.entry);
  }

  /** Vendors the customer authorised to check out the server-side wallet, and did not withdraw. */
  authorisedVendors(customerId: string): string[] {
    return [...(this.authorised.get(customerId) ?? [])].sort();
  }

  private chain(chainId: string, entry: HistoryEntry): void {
    const list = this.ofChain.get(chainId) ?? [];
    list.push(entry);
    this.ofChain.set(chainId, list);
  }

  private customer(customerId: string, entry: HistoryEntry): void {
    const list = this.ofCustomer.get(customerId) ?? [];
    list.push(entry);
    this.ofCustomer.set(customerId, list);
  }
}
