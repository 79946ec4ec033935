/**
 * The broker's only door to real money: the macro-payment that buys coins and the payout that
 * redeems them. A real bank or card processor sits behind it in production; this project ships
 * a simulated bank (`SimulatedBank`). Amounts are integer minor units.
 */
export interface PaymentRequest {
  readonly account: string;
  readonly amount: number;
  /** ISO 4217. */
  readonly currency: string;
  /** Same key → same result, money moved at most once. */
  readonly idempotencyKey: string;
  /** Shown on the statement (a purchase or payout id); never a secret. */
  readonly reference: string;
}

export type DeclineReason =
  | 'insufficient-funds'
  | 'account-unknown'
  | 'account-closed'
  | 'over-limit'
  | 'currency-mismatch'
  // A credit would take the balance past what the bank counts exactly (2^53 − 1 minor units):
  | 'balance-limit'
  | 'idempotency-key-reused'
  // The payment's key was voided by reconciliation before the charge reached the bank:
  | 'payment-voided'
  // The operator's billing (Mobile-NetPay, `apps/broker/src/operator`):
  | 'prepaid-balance-insufficient'
  | 'postpaid-cap-reached';

export type PaymentResult =
  | { readonly ok: true; readonly paymentRef: string }
  | { readonly ok: false; readonly declined: true; readonly reason: DeclineReason; readonly message: string };

/** The payer shows the mandate its bank gave it for the account (a real acquirer's e-mandate). */
export interface MandateRequest {
  readonly account: string;
  readonly mandate: string;
}

/** One answer whatever went wrong, so that asking does not tell whether an account exists. */
export type MandateResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'mandate-invalid'; readonly message: string };

/**
 * What the bank holds under a payment's key once asked to void it: the payment it booked (too
 * late to void), its decline, or the void itself (nothing was charged and nothing ever will be
 * under that key); `unsettled` when this bank cannot void (ask again later).
 */
export type VoidResult =
  | { readonly status: 'booked'; readonly paymentRef: string }
  | { readonly status: 'declined'; readonly reason: DeclineReason }
  | { readonly status: 'voided' }
  | { readonly status: 'unsettled'; readonly message: string };

export interface PaymentGateway {
  /**
   * Whether the payer controls `account`: the bank checks the mandate it issued for it. Throws
   * only when the bank cannot be reached.
   */
  verifyMandate(request: MandateRequest): Promise<MandateResult>;
  /** Debits the customer's account. Throws only when the bank cannot be reached. */
  charge(request: PaymentRequest): Promise<PaymentResult>;
  /**
   * Credits an account: a vendor's (redemption) or a customer's (a refund). Idempotency keys are
   * the account's own: one key may be used at two accounts (a refund that moved after a decline).
   * A decline for `account-closed` or `currency-mismatch` is final under its key — the bank answers
   * it again, never books that payment later — since a refund moves to another account only after
   * one of them.
   */
  payout(request: PaymentRequest): Promise<PaymentResult>;
  /**
   * Why a payout to `account` in `currency` would be declined now (closed, unknown, another
   * currency), or undefined when it would be taken: asked before a step that cannot be undone and
   * ends in a payout (a cash-out closes its chain). Moves nothing. Throws only when the bank
   * cannot be reached.
   */
  payoutRefusal(account: string, currency: string): Promise<DeclineReason | undefined>;
  /**
   * Settles a debit whose answer was lost, by its key: answers its outcome if the bank has one,
   * otherwise voids the key (a later charge under it is declined `payment-voided`). Idempotent;
   * `request` is the charge as it was sent. Throws only when the bank cannot be reached.
   */
  voidPayment(request: PaymentRequest): Promise<VoidResult>;
}
