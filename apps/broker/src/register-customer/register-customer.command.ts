/** Register a customer: they get a bearer token, once; the broker keeps only its hash. */
export interface RegisterCustomer {
  readonly name: string;
  /** Their account at the bank, charged for purchases. */
  readonly bankAccount: string;
  /** The bank's mandate for that account: the proof the customer controls it (never stored). */
  readonly bankMandate: string;
  readonly idempotencyKey: string;
}

export interface CustomerRegisteredAnswer {
  readonly customerId: string;
  /** Shown once: keep it, the broker cannot show it again. */
  readonly token: string;
  readonly tokenType: 'Bearer';
}
