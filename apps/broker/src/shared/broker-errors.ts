import { NetPayError } from '#platform';

/** Stable codes the broker answers with (besides the platform's REQUEST.* and the chain's CHAIN.*). */
export const BROKER_ERROR = {
  CUSTOMER_UNAUTHORISED: 'CUSTOMER.UNAUTHORISED',
  CUSTOMER_ALREADY_REGISTERED: 'CUSTOMER.ALREADY_REGISTERED',
  CUSTOMER_NOT_FOUND: 'CUSTOMER.NOT_FOUND',
  /** The operator revoked the customer for fraud: no purchases, checkouts, re-issues or cash-outs. */
  CUSTOMER_REVOKED: 'CUSTOMER.REVOKED',
  ADMIN_UNAUTHORISED: 'ADMIN.UNAUTHORISED',
  /** POST /vendors without the admin token or the registering vendor's own registration token. */
  VENDOR_REGISTRATION_UNAUTHORISED: 'VENDOR.REGISTRATION_UNAUTHORISED',
  PURCHASE_DECLINED: 'PURCHASE.DECLINED',
  /** Reconciliation found no charge at the bank and voided the purchase: nothing was charged. */
  PURCHASE_VOIDED: 'PURCHASE.VOIDED',
  PURCHASE_CURRENCY_NOT_SOLD: 'PURCHASE.CURRENCY_NOT_SOLD',
  PURCHASE_TOO_LARGE: 'PURCHASE.TOO_LARGE',
  PAYMENT_UNAVAILABLE: 'PAYMENT.UNAVAILABLE',
  VENDOR_NOT_FOUND: 'VENDOR.NOT_FOUND',
  VENDOR_ALREADY_REGISTERED: 'VENDOR.ALREADY_REGISTERED',
  VENDOR_KEY_ID_TAKEN: 'VENDOR.KEY_ID_TAKEN',
  VENDOR_KEY_NOT_FOUND: 'VENDOR.KEY_NOT_FOUND',
  /** Retiring the vendor's last key in use would leave it none: rotate first. */
  VENDOR_LAST_KEY: 'VENDOR.LAST_KEY',
  /** The vendor is suspended for repeated fraud: no key certificates, no wallet checkouts or grants. */
  VENDOR_SUSPENDED: 'VENDOR.SUSPENDED',
  CHECKOUT_TOKEN_INVALID: 'CHECKOUT.TOKEN_INVALID',
  CHECKOUT_TOKEN_EXPIRED: 'CHECKOUT.TOKEN_EXPIRED',
  CHECKOUT_VENDOR_NOT_AUTHORISED: 'CHECKOUT.VENDOR_NOT_AUTHORISED',
  CHECKOUT_NO_COINS: 'CHECKOUT.NO_COINS',
  CHECKOUT_HELD_ELSEWHERE: 'CHECKOUT.HELD_ELSEWHERE',
  /** The checkout request carries no vendor signature (a plain NATS client, or an old vendor). */
  CHECKOUT_UNSIGNED: 'CHECKOUT.UNSIGNED',
  /** Not signed by a registered key of the vendor it names (a stolen token replayed by another). */
  CHECKOUT_SIGNATURE_INVALID: 'CHECKOUT.SIGNATURE_INVALID',
  CHECKOUT_STALE: 'CHECKOUT.STALE',
  CHECKOUT_REPLAYED: 'CHECKOUT.REPLAYED',
  BANK_ACCOUNT_EXISTS: 'BANK.ACCOUNT_EXISTS',
  BANK_ACCOUNT_NOT_FOUND: 'BANK.ACCOUNT_NOT_FOUND',
  /** The bank did not confirm the payer controls the account (unknown, closed or wrong mandate). */
  BANK_MANDATE_INVALID: 'BANK.MANDATE_INVALID',
  PROJECTION_BEHIND: 'PROJECTION.BEHIND',
  /** A `minPosition` no event has reached yet: no answer carried it, waiting would not help. */
  PROJECTION_POSITION_AHEAD: 'PROJECTION.POSITION_AHEAD',
} as const;

/** HTTP status of codes raised as plain `{ code }` errors (chain and protocol refusals). */
export const BROKER_STATUS_BY_CODE: Readonly<Record<string, number>> = {
  'CHAIN.NOT_FOUND': 404,
  'CHAIN.REVOKED': 410,
  'CHAIN.EXPIRED': 410,
  'CHAIN.': 409,
  'HANDOFF.': 409,
  'TOUCHSTONE.': 422,
  'SPEND.': 422,
};

export function brokerError(
  code: string,
  message: string,
  status: number,
  details?: Record<string, unknown>,
): NetPayError {
  return new NetPayError(code, message, { status, ...(details ? { details } : {}) });
}

/** A refusal of the chain aggregate (or the protocol) as a coded error with its HTTP status. */
export function chainRefusal(refusal: { code: string; message: string }): NetPayError {
  return new NetPayError(refusal.code, refusal.message, { status: statusOf(refusal.code) });
}

function statusOf(code: string): number {
  const exact = BROKER_STATUS_BY_CODE[code];
  if (exact !== undefined) return exact;
  return BROKER_STATUS_BY_CODE[code.slice(0, code.indexOf('.') + 1)] ?? 409;
}
