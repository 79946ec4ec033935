/** Debit a server-side e-wallet the customer authorised this vendor to use. */
export interface DebitWalletCommand {
  /** Opaque token from the broker, bound to this vendor; it never names the customer. */
  readonly checkoutToken: string;
  /** The price in coins. */
  readonly count: number;
  readonly resource: string;
  /**
   * Names the purchase (the `Idempotency-Key` header): a retry with the same
   * key, token and resource is answered with the receipt already recorded.
   */
  readonly idempotencyKey: string;
  readonly correlationId: string;
  /** Record it by then (ms since the epoch, see `requestDeadline`) or not at all. */
  readonly deadline?: number;
}
