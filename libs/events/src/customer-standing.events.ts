import type { SignedRevocationNotice } from '#protocol';

/**
 * Why the operator revokes a customer: a code from a fixed list, never free text (the reason
 * goes into the public, broker-signed revocation notice). The details belong in the operator's
 * own records; `evidence` holds references to them.
 */
export const CUSTOMER_REVOCATION_REASONS = [
  'FRAUD.DOUBLE_SPEND_ATTEMPT',
  'FRAUD.CHARGEBACK',
  'FRAUD.STOLEN_PAYMENT_MEANS',
  'FRAUD.OTHER',
] as const;

export type CustomerRevocationReason = (typeof CUSTOMER_REVOCATION_REASONS)[number];

export function isCustomerRevocationReason(value: unknown): value is CustomerRevocationReason {
  return typeof value === 'string' && (CUSTOMER_REVOCATION_REASONS as readonly string[]).includes(value);
}

/** The `reason` of a customer's reinstatement notice (a code: notices are public). */
export const CUSTOMER_REINSTATEMENT_REASON = 'OPERATOR.REINSTATED';

/**
 * In `customer-<id>`, written only by the broker on the operator's decision: the customer is
 * revoked for fraud. `notice` is the broker-signed revocation notice (kind `customer`); `evidence`
 * the operator's references (case or record ids, no personal data). While revoked the broker
 * refuses the customer's purchases, checkouts, re-issues and cash-outs (`CUSTOMER.REVOKED`);
 * its open chains are revoked (`ChainRevoked`, reason `fraud`) alongside.
 */
export interface CustomerRevoked {
  readonly type: 'CustomerRevoked';
  readonly version: 1;
  readonly data: {
    readonly customerId: string;
    readonly reason: CustomerRevocationReason;
    readonly evidence: readonly string[];
    readonly notice: SignedRevocationNotice;
    readonly at: string;
  };
}

/**
 * In `customer-<id>`: the operator lifted the revocation; `notice` is the broker-signed lift
 * (`lifted: true`). Chains revoked with it stay revoked; new purchases are allowed again.
 */
export interface CustomerReinstated {
  readonly type: 'CustomerReinstated';
  readonly version: 1;
  readonly data: {
    readonly customerId: string;
    readonly note: string;
    readonly notice: SignedRevocationNotice;
    readonly at: string;
  };
}

export type CustomerStandingEvent = CustomerRevoked | CustomerReinstated;
