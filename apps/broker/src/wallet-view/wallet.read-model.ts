import { FINAL_REFUND_DECLINES, type StoredEvent } from '#events';
import type { ChainAlgorithm } from '#protocol';

export interface ChainView {
  readonly chainId: string;
  readonly wallet: 'client' | 'server';
  readonly alg: ChainAlgorithm;
  readonly length: number;
  readonly coinValue: number;
  readonly currency: string;
  readonly issuedAt: string;
  readonly expiresAt: string;
  readonly vendorRestriction?: readonly string[];
  /** I: next unspent position. */
  readonly index: number;
  readonly holder?: string;
  readonly sliceEnd?: number;
  readonly status: 'open' | 'revoked' | 'closed';
  readonly reissuedAs?: string;
  /** Why it was closed, and when. */
  readonly closedAs?: string;
  readonly closedAt?: string;
  /**
   * A cash-out's refund: `paid` (`CoinsRefunded`), or `waits` for the customer to name another
   * account (the bank declined it for good where it was going); absent while it is due.
   */
  readonly refund?: 'paid' | 'waits';
  /** Its unspent value was settled at expiry (`CoinsExpiredSettled`). */
  readonly expirySettled?: true;
  /** Why and when it was revoked (the CRL entry). */
  readonly revoked?: { readonly reason: string; readonly at: string };
}

/**
 * The broker's in-memory view of every chain and who bought it, folded from chain, purchase
 * and customer events in global order (a chain's events may arrive before its purchase).
 */
export class WalletReadModel {
  private readonly chains = new Map<string, ChainView>();
  private readonly chainsOf = new Map<string, string[]>();
  private readonly owners = new Map<string, string>();
  private readonly revokedOrder: string[] = [];

  apply(event: StoredEvent): void {
    switch (event.type) {
      case 'ChainIssued': {
        const t = event.data.touchstone;
        this.chains.set(t.chainId, {
          chainId: t.chainId,
          wallet: event.data.wallet,
          alg: t.alg,
          length: t.length,
          coinValue: t.coinValue,
          currency: t.currency,
          issuedAt: t.issuedAt,
          expiresAt: t.expiresAt,
          ...(t.vendorRestriction ? { vendorRestriction: t.vendorRestriction } : {}),
          index: 1,
          status: 'open',
        });
        return;
      }
      case 'WalletCheckedOut':
        return this.move(event.data.chainId, {
          holder: event.data.vendorId,
          sliceEnd: event.data.sliceEnd,
        });
      case 'CoinsSpent':
        return this.move(event.data.chainId, {
          index: event.data.toIndex + 1,
          holder: event.data.vendorId,
        });
      case 'IndexHandedOff':
        return this.move(event.data.certificate.chainId, { holder: event.data.certificate.toVendor });
      case 'ChainClaimed':
        return this.move(event.data.chainId, { holder: event.data.toVendor });
      case 'SliceWithdrawn': {
        // The withdrawn vendor's unspent slice is back in the wallet: nobody holds the chain.
        const chain = this.chains.get(event.data.chainId);
        if (chain) {
          const { holder: _holder, sliceEnd: _sliceEnd, ...rest } = chain;
          this.chains.set(chain.chainId, { ...rest, index: event.data.index });
        }
        return;
      }
      case 'ChainRevoked': {
        const { chainId, reason, at } = event.data;
        this.revokedOrder.push(chainId);
        return this.update(chainId, { status: 'revoked', revoked: { reason, at } });
      }
      case 'ChainClosed':
        return this.update(event.data.chainId, {
          status: 'closed',
          closedAs: event.data.reason,
          closedAt: event.data.at,
          index: event.data.index,
          ...(event.data.reissuedAs ? { reissuedAs: event.data.reissuedAs } : {}),
        });
      case 'CoinsPurchased':
        for (const chainId of event.data.chainIds) this.link(event.data.customerId, chainId);
        return;
      case 'CoinsExpiredSettled':
        return this.update(event.data.chainId, { expirySettled: true });
      case 'CoinsRefunded':
        return this.update(event.data.chainId, { refund: 'paid' });
      case 'RefundDeclined':
        return FINAL_REFUND_DECLINES.has(event.data.reason) &&
          this.chains.get(event.data.chainId)?.refund !== 'paid'
          ? this.update(event.data.chainId, { refund: 'waits' })
          : undefined;
      case 'RefundAccountChosen': {
        // Moved to another account: due again there (unless already paid).
        const chain = this.chains.get(event.data.chainId);
        if (chain?.refund === 'waits') {
          const { refund: _refund, ...rest } = chain;
          this.chains.set(chain.chainId, rest);
        }
        return;
      }
      case 'ChainReissued':
        // The link lives in the customer's stream (a chain stream never names the successor).
        this.update(event.data.fromChainId, { reissuedAs: event.data.toChainId });
        return this.link(event.data.customerId, event.data.toChainId);
      default:
        return;
    }
  }

  chain(chainId: string): ChainView | undefined {
    return this.chains.get(chainId);
  }

  /**
   * Chains whose unspent value is due for settlement at expiry: expired at `before` or earlier,
   * and open, or closed as expired without their settlement recorded yet (a crash between the two).
   */
  dueForExpiry(before: Date): ChainView[] {
    const due: ChainView[] = [];
    for (const chain of this.chains.values()) {
      if (Date.parse(chain.expiresAt) > before.getTime() || chain.expirySettled) continue;
      if (chain.status === 'open' || chain.closedAs === 'expired') due.push(chain);
    }
    return due;
  }

  /**
   * Chains a cash-out closed at `before` or earlier whose refund is neither recorded as paid nor
   * waiting for the customer (a cash-out that stopped after its close), with value left to refund.
   */
  dueForRefund(before: Date): ChainView[] {
    const due: ChainView[] = [];
    for (const chain of this.chains.values()) {
      if (chain.closedAs !== 'cashed-out' || chain.refund !== undefined || chain.closedAt === undefined)
        continue;
      if (Date.parse(chain.closedAt) > before.getTime() || chain.index > chain.length) continue;
      due.push(chain);
    }
    return due;
  }

  ownerOf(chainId: string): string | undefined {
    return this.owners.get(chainId);
  }

  /** The customer's chains in purchase order (a chain not yet issued is skipped). */
  chainsOfCustomer(customerId: string): ChainView[] {
    return (this.chainsOf.get(customerId) ?? []).flatMap((id) => {
      const chain = this.chains.get(id);
      return chain ? [chain] : [];
    });
  }

  /** The certificate revocation list: revoked chains in the order they were revoked. */
  revocations(): { chainId: string; reason: string; at: string }[] {
    return this.revokedOrder.flatMap((chainId) => {
      const revoked = this.chains.get(chainId)?.revoked;
      return revoked ? [{ chainId, ...revoked }] : [];
    });
  }

  private link(customerId: string, chainId: string): void {
    if (this.owners.has(chainId)) return;
    this.owners.set(chainId, customerId);
    const list = this.chainsOf.get(customerId) ?? [];
    list.push(chainId);
    this.chainsOf.set(customerId, list);
  }

  /** A vendor's move of an open chain: after the close or the revocation nothing moves it (as in every fold). */
  private move(chainId: string, change: Partial<ChainView>): void {
    if (this.chains.get(chainId)?.status === 'open') this.update(chainId, change);
  }

  private update(chainId: string, change: Partial<ChainView>): void {
    const chain = this.chains.get(chainId);
    if (chain) this.chains.set(chainId, { ...chain, ...change });
  }
}

/** Coins left to spend: none once revoked or closed (a closed chain's rest lives on re-issued). */
export function remainingCoins(chain: ChainView): number {
  return chain.status === 'open' ? chain.length - chain.index + 1 : 0;
}
