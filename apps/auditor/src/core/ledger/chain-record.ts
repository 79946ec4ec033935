import type { Touchstone } from '#protocol';
import { KnownWords } from '../hash/known-words.js';
import type { PaywordHasher } from '../hash/payword-hasher.js';
import { RangeSet, type Range } from './ranges.js';

export interface RedeemedRange extends Range {
  readonly vendorId: string;
  readonly batchId: string;
}

/** One line of a chain's history, kept only for `--chain`. */
export interface TimelineEntry {
  readonly position: bigint;
  readonly revision: number;
  readonly type: string;
  readonly summary: string;
}

/**
 * A chain as the auditor rebuilds it from its own stream (never from the
 * services' aggregate): what the broker signed, who holds it, the next index,
 * the proven words, and which positions each vendor spent validly.
 */
export class ChainRecord {
  status: 'open' | 'revoked' | 'closed' = 'open';
  /** I: the next unspent position, as the log has it. */
  index = 1;
  holder: string | undefined;
  /**
   * The holder, when it got the chain (checkout, hand-off, claim) while the wallet's owner
   * authorised it; cleared by `SliceWithdrawn`: its debits are judged in the chain's order.
   */
  authorisedHolder: string | undefined;
  sliceEnd: number | undefined;
  /** Vendor → log position of the latest withdrawal of it this chain recorded (`SliceWithdrawn`, `VendorWithdrawn`). */
  readonly withdrawals = new Map<string, bigint>();
  /** Positions accepted by spends (replays not counted twice). */
  coinsSpent = 0;
  /** Positions each vendor spent with no violation: what it may redeem. */
  readonly validSpends = new Map<string, RangeSet>();
  /** Ranges accepted item by item (RedemptionItemAccepted). */
  readonly redeemed = new RangeSet<RedeemedRange>();
  /** Ranges in the per-chain redemption ledger (`redeemed-<chainId>`, RangeRedeemed). */
  readonly ledgerRanges = new RangeSet<RedeemedRange>();
  /** Minor units returned to the customer. */
  refunded = 0;
  /**
   * The account a cash-out's refund goes to when the customer named one (`RefundAccountChosen`);
   * undefined: their registered account.
   */
  refundAccount: string | undefined;
  /** Accounts whose refund of this chain the bank declined (`RefundDeclined`), with the reason. */
  readonly refundsDeclined = new Map<string, string>();
  /** A declined refund's value, owed to the customer until a `CoinsRefunded` pays it. */
  refundOwed = 0;
  closedAtIndex: number | undefined;
  /** Why it was closed (`ChainClosed.reason`). */
  closedAs: string | undefined;
  /** Its unspent value was settled at expiry (`CoinsExpiredSettled`). */
  expirySettled = false;
  readonly words: KnownWords;
  readonly validFromMs: number;
  readonly validToMs: number;
  readonly timeline: TimelineEntry[] | undefined;

  constructor(
    readonly chainId: string,
    readonly touchstone: Touchstone,
    readonly wallet: 'client' | 'server',
    readonly issuedAtPosition: bigint,
    /** Whether the broker's signature verified: false chains are still followed, to find more. */
    readonly touchstoneVerified: boolean,
    hasher: PaywordHasher,
    crossCheck: boolean,
    keepTimeline: boolean,
  ) {
    this.words = new KnownWords(hasher, touchstone.root, crossCheck);
    this.validFromMs = Date.parse(touchstone.issuedAt);
    this.validToMs = Date.parse(touchstone.expiresAt);
    this.timeline = keepTimeline ? [] : undefined;
  }

  get length(): number {
    return this.touchstone.length;
  }

  get coinValue(): number {
    return this.touchstone.coinValue;
  }

  get currency(): string {
    return this.touchstone.currency;
  }

  /** n × coinValue: what the customer paid for this chain. */
  get value(): number {
    return this.touchstone.length * this.touchstone.coinValue;
  }

  /** Value of the positions not yet spent, less what was already refunded. */
  get unspentValue(): number {
    return Math.max(0, this.length - this.index + 1) * this.coinValue - this.refunded;
  }

  recordValidSpend(vendorId: string, from: number, to: number): void {
    let spent = this.validSpends.get(vendorId);
    if (spent === undefined) {
      spent = new RangeSet();
      this.validSpends.set(vendorId, spent);
    }
    spent.insert({ from, to });
  }

  note(position: bigint, revision: number, type: string, summary: string): void {
    this.timeline?.push({ position, revision, type, summary });
  }
}
