/**
 * Why the broker refused to redeem an item. Stable codes: operators alert on them, the auditor
 * and vendors read them from `RedemptionItemRejected.reason`.
 */
export const REDEMPTION = {
  /** No `ChainIssued` in the chain's stream. */
  UNKNOWN_CHAIN: 'REDEMPTION.UNKNOWN_CHAIN',
  /** The touchstone does not carry a valid broker signature (or names another chain). */
  BAD_TOUCHSTONE: 'REDEMPTION.BAD_TOUCHSTONE',
  /**
   * The touchstone names a broker key the worker does not know (yet): after a rotation the
   * worker learns keys from the broker's root-signed key list, so such items are sealed again
   * in a retry batch and looked at the next night, for REDEMPTION_KEY_RETRY_DAYS after their day.
   */
  UNKNOWN_BROKER_KEY: 'REDEMPTION.UNKNOWN_BROKER_KEY',
  /** Positions that are not whole numbers, or a range that ends before it starts. */
  MALFORMED_ITEM: 'REDEMPTION.MALFORMED_ITEM',
  /** Part of the range was never validly spent (beyond the chain's index I, or its end). */
  NOT_SPENT: 'REDEMPTION.NOT_SPENT',
  /**
   * Part of the range was spent at another vendor (seed 004's fraud: a vendor hashing a later
   * payword it saw down to one paid elsewhere), or by this vendor while it was not the holder.
   */
  NOT_SPENT_BY_VENDOR: 'REDEMPTION.NOT_SPENT_BY_VENDOR',
  /** The proof is not W[toIndex] of this chain. */
  BAD_PROOF: 'REDEMPTION.BAD_PROOF',
  /** Exactly this range (or a range containing it) is already redeemed: this batch, another, another night. */
  ALREADY_REDEEMED: 'REDEMPTION.ALREADY_REDEEMED',
  /** The range partly overlaps a redeemed one. */
  OVERLAP: 'REDEMPTION.OVERLAP',
  /** A batch is paid in one currency: the currency of its first redeemable item. */
  CURRENCY_MISMATCH: 'REDEMPTION.CURRENCY_MISMATCH',
} as const;

export type RedemptionReason = (typeof REDEMPTION)[keyof typeof REDEMPTION];

/**
 * Records in the store the worker refuses to rely on (`RedemptionForgeryDetected.reason`): written
 * by someone else, or not holding against the chains' own streams when money is about to move.
 */
export const FORGERY = {
  /** A verdict (`RedemptionItemAccepted` / `Rejected`) without a valid signature of the worker. */
  FORGED_VERDICT: 'REDEMPTION.FORGED_VERDICT',
  /** A reservation (`RangeRedeemed`) without a valid signature of the worker. */
  FORGED_RESERVATION: 'REDEMPTION.FORGED_RESERVATION',
  /** A payout record (`VendorPaid`) without a valid signature of the worker: the batch is not taken as paid. */
  FORGED_PAYOUT: 'REDEMPTION.FORGED_PAYOUT',
  /** A signed accepted item that does not hold against the chain's stream and the ledger at payment. */
  UNVERIFIED_PAYMENT: 'REDEMPTION.UNVERIFIED_PAYMENT',
} as const;

export type ForgeryReason = (typeof FORGERY)[keyof typeof FORGERY];
