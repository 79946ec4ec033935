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
      /** The vendor's receipt (the wallet keeps it). */
      readonly receiptId: string;
      /** What it paid for, as the vendor recorded it (absent on spends recorded before it was kept). */
      readonly resource?: string;
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
  | {
      /** Unspent value of a chain paid back to the customer's account (cash-out, expiry). */
      readonly kind: 'refund';
      readonly at: string;
      readonly chainId: string;
      readonly amount: number;
      readonly currency: string;
      readonly paymentRef: string;
    }
  | {
      /**
       * The bank declined a cash-out's refund after the close (`RefundDeclined`): the value is owed
       * until a `refund` entry of the chain. After a refusal for good (account-closed,
       * currency-mismatch), cash out again naming another account of yours; else cash out later.
       */
      readonly kind: 'refund-declined';
      readonly at: string;
      readonly chainId: string;
      readonly amount: number;
      readonly currency: string;
      readonly reason: string;
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

/** What a customer spent at one vendor. */
export interface VendorSpending {
  readonly vendorId: string;
  readonly purchases: number;
  readonly coins: number;
  /** The time of the latest of those spends. */
  readonly lastAt: string;
}

/**
 * Customers' transaction histories folded from the same events as the wallet view. Chain events
 * are kept per chain (a chain's events may come before the purchase that names its customer) and
 * joined with the customer's chains when asked. A spend names what it paid for (`resource`, as
 * the vendor recorded it in `CoinsSpent`), for both wallet kinds.
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
          ...(d.resource === undefined ? {} : { resource: d.resource }),
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
      case 'CoinsRefunded':
        return this.refund(event.data);
      case 'RefundDeclined': {
        const d = event.data;
        return this.customer(d.customerId, {
          kind: 'refund-declined',
          at: d.at,
          chainId: d.chainId,
          amount: d.amount,
          currency: d.currency,
          reason: d.reason,
        });
      }
      case 'CoinsExpiredSettled': {
        // An expired chain's unspent value: a refund when paid back (EXPIRY_POLICY=refund).
        const d = event.data;
        if (d.policy !== 'refunded' || d.paymentRef === undefined) return;
        return this.refund({ ...d, paymentRef: d.paymentRef });
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

  /** A chain's unspent value paid back to its customer (a cash-out, or an expiry's refund). */
  private refund(d: {
    customerId: string;
    at: string;
    chainId: string;
    amount: number;
    currency: string;
    paymentRef: string;
  }): void {
    this.customer(d.customerId, {
      kind: 'refund',
      at: d.at,
      chainId: d.chainId,
      amount: d.amount,
      currency: d.currency,
      paymentRef: d.paymentRef,
    });
  }

  /** The customer's own entries and those of `chainIds` (the customer's chains), oldest first. */
  /** Each entry's place in the log's order (events are folded in global order). */
  private readonly folded = new WeakMap<HistoryEntry, number>();
  private foldedCount = 0;

  historyOf(customerId: string, chainIds: readonly string[]): HistoryEntry[] {
    const entries = [
      ...(this.ofCustomer.get(customerId) ?? []),
      ...chainIds.flatMap((id) => this.ofChain.get(id) ?? []),
    ];
    // Entries of equal times keep the log's order (a cash-out's close, then its refund), across streams.
    const order = (entry: HistoryEntry): number => this.folded.get(entry) ?? 0;
    return entries.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : order(a) - order(b)));
  }

  /** Coins spent per vendor in `entries` (how many purchases, how many coins), by vendor id. */
  static spentPerVendor(entries: readonly HistoryEntry[]): VendorSpending[] {
    const per = new Map<string, { purchases: number; coins: number; last: string }>();
    for (const e of entries) {
      if (e.kind !== 'spend') continue;
      const seen = per.get(e.vendorId) ?? { purchases: 0, coins: 0, last: e.at };
      per.set(e.vendorId, {
        purchases: seen.purchases + 1,
        coins: seen.coins + e.coins,
        last: e.at > seen.last ? e.at : seen.last,
      });
    }
    return [...per.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([vendorId, v]) => ({ vendorId, purchases: v.purchases, coins: v.coins, lastAt: v.last }));
  }

  /** Vendors the customer authorised to check out the server-side wallet, and did not withdraw. */
  authorisedVendors(customerId: string): string[] {
    return [...(this.authorised.get(customerId) ?? [])].sort();
  }

  private chain(chainId: string, entry: HistoryEntry): void {
    const list = this.ofChain.get(chainId) ?? [];
    this.folded.set(entry, this.foldedCount++);
    list.push(entry);
    this.ofChain.set(chainId, list);
  }

  private customer(customerId: string, entry: HistoryEntry): void {
    const list = this.ofCustomer.get(customerId) ?? [];
    this.folded.set(entry, this.foldedCount++);
    list.push(entry);
    this.ofCustomer.set(customerId, list);
  }
}
