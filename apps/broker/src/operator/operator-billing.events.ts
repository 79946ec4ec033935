/**
 * The operator's billing ledger (Mobile-NetPay): streams `opaccount-<accountId>` in the same
 * event store, one per subscriber account. Like the simulated bank's ledger, these are not
 * NetPay events (NetPay's decoders ignore them): they are the Service Provider's own books, the
 * macro-payment side. The auditor reads them (`apps/auditor/src/core/checks/operator.ts`).
 */
export const OPERATOR_STREAM_CATEGORY = 'opaccount';

/** Subscriber account ids: `sub_` and 24 hex digits (a pseudonym of the MSISDN). */
export const SUBSCRIBER_ACCOUNT = /^sub_[0-9a-f]{24}$/;

export type BillingPlan = 'prepaid' | 'postpaid';

export interface SubscriberAccountOpened {
  readonly type: 'SubscriberAccountOpened';
  readonly data: {
    /**
     * A keyed HMAC of the MSISDN. The number itself is in no event: every role may read the
     * store (docs/security.md), and a plain hash of a phone number is easily reversed.
     */
    readonly accountId: string;
    readonly plan: BillingPlan;
    readonly currency: string;
    /** Prepaid: the opening balance (minor units). Postpaid: 0. */
    readonly openingBalance: number;
    /** Postpaid: most a bill period may collect (minor units). Prepaid: 0. */
    readonly spendingCap: number;
    readonly at: string;
  };
}

/** Money put on a prepaid account (a voucher, a card at the shop). */
export interface SubscriberToppedUp {
  readonly type: 'SubscriberToppedUp';
  readonly data: {
    readonly accountId: string;
    readonly amount: number;
    readonly currency: string;
    readonly idempotencyKey: string;
    readonly reference: string;
    readonly at: string;
  };
}

/**
 * A charge the operator booked: taken from the prepaid balance, or put on the postpaid bill of
 * `billPeriod` (`YYYY-MM`, UTC), collected with the monthly bill.
 */
export interface OperatorChargeBooked {
  readonly type: 'OperatorChargeBooked';
  readonly data: {
    readonly accountId: string;
    readonly plan: BillingPlan;
    readonly amount: number;
    readonly currency: string;
    readonly idempotencyKey: string;
    readonly reference: string;
    readonly paymentRef: string;
    readonly billPeriod: string;
    readonly at: string;
  };
}

/** A refused charge, kept so that a retry with the same key gets the same answer. */
export interface OperatorChargeDeclined {
  readonly type: 'OperatorChargeDeclined';
  readonly data: {
    readonly accountId: string;
    readonly plan: BillingPlan;
    readonly amount: number;
    readonly currency: string;
    readonly idempotencyKey: string;
    readonly reference: string;
    readonly reason: string;
    readonly billPeriod: string;
    readonly at: string;
  };
}

/**
 * A charge's key voided before any charge under it (the purchase reconciler settling a purchase
 * whose operator answer was lost): nothing is charged, and a charge that reaches the billing
 * later under this key is declined `payment-voided`, as at the bank.
 */
export interface OperatorChargeVoided {
  readonly type: 'OperatorChargeVoided';
  readonly data: {
    readonly accountId: string;
    readonly plan: BillingPlan;
    readonly amount: number;
    readonly currency: string;
    readonly idempotencyKey: string;
    readonly reference: string;
    readonly at: string;
  };
}

/** The operator bars the account: later charges are declined (`account-closed`). */
export interface SubscriberAccountBarred {
  readonly type: 'SubscriberAccountBarred';
  readonly data: { readonly accountId: string; readonly at: string };
}

export type OperatorEvent =
  | SubscriberAccountOpened
  | SubscriberToppedUp
  | OperatorChargeBooked
  | OperatorChargeDeclined
  | OperatorChargeVoided
  | SubscriberAccountBarred;

export const OPERATOR_EVENT_TYPES: ReadonlySet<string> = new Set([
  'SubscriberAccountOpened',
  'SubscriberToppedUp',
  'OperatorChargeBooked',
  'OperatorChargeDeclined',
  'OperatorChargeVoided',
  'SubscriberAccountBarred',
]);

export function operatorStream(accountId: string): string {
  return `${OPERATOR_STREAM_CATEGORY}-${accountId}`;
}

/** The bill period (UTC calendar month) of an instant. */
export function billPeriodOf(at: string): string {
  return at.slice(0, 7);
}
