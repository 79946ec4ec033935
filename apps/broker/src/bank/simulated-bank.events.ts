/**
 * The simulated bank's own ledger: streams `bankaccount-<id>` in the same event store, but not
 * NetPay events (NetPay's decoders ignore them). It stands in for an external bank behind the
 * `PaymentGateway` port; a real deployment has no such streams.
 */
export const BANK_STREAM_CATEGORY = 'bankaccount';

export interface BankAccountOpened {
  readonly type: 'BankAccountOpened';
  readonly data: {
    readonly accountId: string;
    readonly currency: string;
    readonly openingBalance: number;
    /** Largest single charge this account accepts. */
    readonly maxCharge: number;
    /**
     * SHA-256 (hex) of the account's mandate secret, shown once to whoever opened the account;
     * absent in accounts opened before mandates existed (no mandate verifies for them).
     */
    readonly mandateHash?: string;
    readonly at: string;
  };
}

/** A charge (debit) or payout (credit) that moved money. */
export interface BankPaymentBooked {
  readonly type: 'BankPaymentBooked';
  readonly data: {
    readonly accountId: string;
    readonly direction: 'debit' | 'credit';
    readonly amount: number;
    readonly currency: string;
    readonly idempotencyKey: string;
    readonly reference: string;
    readonly paymentRef: string;
    readonly at: string;
  };
}

/** A refused charge, kept so that a retry with the same key gets the same answer. */
export interface BankPaymentDeclined {
  readonly type: 'BankPaymentDeclined';
  readonly data: {
    readonly accountId: string;
    readonly direction: 'debit' | 'credit';
    readonly amount: number;
    readonly currency: string;
    readonly idempotencyKey: string;
    readonly reference: string;
    readonly reason: string;
    readonly at: string;
  };
}

/** A debit's key voided before any charge under it (reconciliation): the key answers `payment-voided`. */
export interface BankPaymentVoided {
  readonly type: 'BankPaymentVoided';
  readonly data: {
    readonly accountId: string;
    readonly direction: 'debit';
    readonly amount: number;
    readonly currency: string;
    readonly idempotencyKey: string;
    readonly reference: string;
    readonly at: string;
  };
}

export interface BankAccountClosed {
  readonly type: 'BankAccountClosed';
  readonly data: { readonly accountId: string; readonly at: string };
}

export type BankEvent =
  BankAccountOpened | BankPaymentBooked | BankPaymentDeclined | BankPaymentVoided | BankAccountClosed;

export const BANK_EVENT_TYPES: ReadonlySet<string> = new Set([
  'BankAccountOpened',
  'BankPaymentBooked',
  'BankPaymentDeclined',
  'BankPaymentVoided',
  'BankAccountClosed',
]);

export function bankStream(accountId: string): string {
  return `${BANK_STREAM_CATEGORY}-${accountId}`;
}
