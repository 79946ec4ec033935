import type { Hex, Receipt, Touchstone } from '#protocol';
import type { CoinsSpent } from '#events';

/** A payer spends `count` coins of a chain: the payword at `position` = I + count - 1. */
export interface SpendCoinsCommand {
  readonly chainId: string;
  readonly position: number;
  readonly payword: Hex;
  /** k: the price in coins. */
  readonly count: number;
  /** What is bought (route, article id); the receipt names it. */
  readonly resource: string;
  /** The touchstone, when the payer carries it (saves asking the broker). */
  readonly touchstone?: Touchstone;
  readonly correlationId: string;
  /** Record it by then (ms since the epoch, see `requestDeadline`) or not at all. */
  readonly deadline?: number;
}

export interface SpendOutcome {
  readonly receipt: Receipt;
  /** The recorded spend (from the chain stream). */
  readonly spend: CoinsSpent['data'];
  /** A retry of a spend already recorded: answered again, not spent again. */
  readonly duplicate: boolean;
}
