import { DEFAULT_STATUS_BY_CODE, NetPayError } from '#platform';
import { CHAIN } from '#chain';
import { PROTOCOL, SIGNATURE, SPEND, TOUCHSTONE } from '#protocol';

/** Codes the vendor decides itself (the chain aggregate and protocol bring their own). */
export const VENDOR = {
  /** The chain's currency is not the one this vendor sells in. */
  CURRENCY_NOT_ACCEPTED: 'SPEND.CURRENCY_NOT_ACCEPTED',
  /** The chain's coin value differs from the one this vendor's prices are set in. */
  COIN_VALUE_NOT_ACCEPTED: 'SPEND.COIN_VALUE_NOT_ACCEPTED',
  /** A touchstone that does not carry a valid broker signature. */
  TOUCHSTONE_INVALID: 'TOUCHSTONE.SIGNATURE_INVALID',
  /** The payer carried a touchstone that is not the chain's. */
  TOUCHSTONE_MISMATCH: 'TOUCHSTONE.MISMATCH',
  /** Neither the payer nor the broker gave a touchstone for the chain. */
  TOUCHSTONE_UNAVAILABLE: 'TOUCHSTONE.UNAVAILABLE',
  /** The holder's hand-off certificate does not verify. */
  CERTIFICATE_INVALID: 'HANDOFF.CERTIFICATE_INVALID',
  /** Asked to hand off a chain this vendor does not hold. */
  HANDOFF_NOT_HOLDER: 'HANDOFF.NOT_HOLDER',
  /** The vendor asking for a chain is a revoked pseudonym (P2P peer) on the CRL. */
  HANDOFF_VENDOR_REVOKED: 'HANDOFF.VENDOR_REVOKED',
  /** The vendor asking for a chain is suspended for fraud (a broker-signed notice; the operator may lift it). */
  HANDOFF_VENDOR_SUSPENDED: 'HANDOFF.VENDOR_SUSPENDED',
  /** The chain kept changing hands while we tried to spend it. */
  CHAIN_CONTENDED: 'CHAIN.CONTENDED',
  /** Server-side wallet: no paywords released to this vendor cover the purchase. */
  WALLET_NO_PAYWORDS: 'WALLET.NO_PAYWORDS',
  /** A resource no receipt can name (empty, over MAX_TEXT_BYTES UTF-8 bytes, control characters). */
  RESOURCE_INVALID: 'SPEND.RESOURCE_INVALID',
  /** More coins in one spend than a vendor verifies (k hashes each). */
  TOO_MANY_COINS: 'SPEND.TOO_MANY_COINS',
  /** The hand-off asks for a server-side wallet without the broker's grant for the requester. */
  HANDOFF_WALLET_NOT_AUTHORISED: 'HANDOFF.WALLET_NOT_AUTHORISED',
  /** The broker has no valid certificate of this vendor's current key (not registered?). */
  NOT_CERTIFIED: 'CERTIFICATE.MISSING',
  /** A bad request message on NATS. */
  BAD_REQUEST: 'REQUEST.INVALID',
} as const;

/**
 * HTTP status of every refusal a spend can meet:
 * 402 this chain cannot pay here (use another), 409 a conflict with what was
 * already spent or who holds it, 422 a payment that is not a valid proof.
 */
const STATUS: Readonly<Record<string, number>> = {
  'SPEND.PAYWORD_REPLAYED': 409,
  'SPEND.PAYWORD_FORGED': 422,
  'SPEND.PAYWORD_SKIPPED': 422,
  'SPEND.OUT_OF_RANGE': 422,
  'SPEND.WRONG_CHAIN': 422,
  'SPEND.INVALID_COUNT': 422,
  'SPEND.TOO_MANY_COINS': 422,
  'SPEND.RESOURCE_INVALID': 400,
  'SPEND.CHAIN_EXHAUSTED': 402,
  'SPEND.CURRENCY_NOT_ACCEPTED': 402,
  'SPEND.COIN_VALUE_NOT_ACCEPTED': 402,
  'TOUCHSTONE.EXPIRED': 402,
  'TOUCHSTONE.NOT_YET_VALID': 402,
  'TOUCHSTONE.VENDOR_NOT_ALLOWED': 402,
  'TOUCHSTONE.SIGNATURE_INVALID': 422,
  'TOUCHSTONE.MISMATCH': 422,
  'TOUCHSTONE.UNAVAILABLE': 503,
  'CHAIN.NOT_FOUND': 404,
  'CHAIN.REVOKED': 402,
  'CHAIN.CLOSED': 402,
  'CHAIN.WRONG_WALLET_KIND': 422,
  'CHAIN.NOT_HOLDER': 409,
  'CHAIN.BEYOND_SLICE': 402,
  'CHAIN.NOT_CHECKED_OUT': 409,
  'CHAIN.SLICE_WITHDRAWN': 403,
  'CHECKOUT.HELD_ELSEWHERE': 409,
  'CHECKOUT.TOKEN_INVALID': 403,
  'CHECKOUT.TOKEN_EXPIRED': 403,
  'CHECKOUT.VENDOR_NOT_AUTHORISED': 403,
  'CHECKOUT.NO_COINS': 402,
  'CHAIN.CONTENDED': 409,
  'HANDOFF.CERTIFICATE_INVALID': 502,
  'HANDOFF.NOT_HOLDER': 409,
  'HANDOFF.VENDOR_REVOKED': 403,
  'HANDOFF.VENDOR_SUSPENDED': 403,
  'VENDOR.SUSPENDED': 403,
  // The broker's, passed on from a checkout (their status there):
  'CUSTOMER.REVOKED': 403,
  'PROJECTION.BEHIND': 503,
  'HANDOFF.CERTIFICATE_MISMATCH': 409,
  'HANDOFF.TO_SELF': 422,
  'HANDOFF.WALLET_NOT_AUTHORISED': 403,
  'HANDOFF.UNSIGNED': 401,
  'HANDOFF.SIGNATURE_INVALID': 401,
  'HANDOFF.MISADDRESSED': 400,
  'HANDOFF.STALE': 401,
  'HANDOFF.REPLAYED': 409,
  'CERTIFICATE.INVALID': 401,
  'CERTIFICATE.EXPIRED': 401,
  'CERTIFICATE.NOT_YET_VALID': 401,
  'CERTIFICATE.WRONG_VENDOR': 401,
  'CERTIFICATE.MISSING': 503,
  'CHECKOUT.UNSIGNED': 401,
  'CHECKOUT.SIGNATURE_INVALID': 401,
  'CHECKOUT.STALE': 401,
  'CHECKOUT.REPLAYED': 409,
  'CLAIM.HOLDER_CHANGED': 409,
  'WALLET.NO_PAYWORDS': 402,
  'REQUEST.INVALID': 400,
  'REQUEST.DEADLINE_INVALID': 400,
  'REQUEST.DEADLINE_EXCEEDED': 408,
  'IDEMPOTENCY.KEY_REQUIRED': 400,
  'IDEMPOTENCY.KEY_INVALID': 400,
};

/**
 * The status of a refusal's code. A dependency away (`*.UNAVAILABLE`, e.g. a hand-off holder's
 * `REDIS.UNAVAILABLE` passed on) is a 503 a client retries, never a 422 it would take as final.
 */
export function statusOf(code: string): number {
  return knownStatusOf(code) ?? 422;
}

/**
 * The status of a code the vendor knows, else `undefined`: a broker's refusal the vendor does not
 * know keeps the broker's own status (a 503 to retry stays one, not a 422 taken as final).
 */
export function knownStatusOf(code: string): number | undefined {
  return (
    STATUS[code] ??
    DEFAULT_STATUS_BY_CODE[code] ??
    (code.startsWith('PROTOCOL.') ? 400 : code.endsWith('.UNAVAILABLE') ? 503 : undefined)
  );
}

/** Codes of a dependency away that another party may pass on (retried as 503). */
const UNAVAILABLE = [
  'EVENT_STORE.UNAVAILABLE',
  'IDEMPOTENCY.UNAVAILABLE',
  'NATS.UNAVAILABLE',
  'PAYMENT.UNAVAILABLE',
  'REDIS.UNAVAILABLE',
  'SERVICE.UNAVAILABLE',
  'TOUCHSTONE.UNAVAILABLE',
];

/** Every code the vendor knows by name: the only ones another party's refusal may pass on with. */
const KNOWN_CODES: ReadonlySet<string> = new Set([
  ...Object.keys(STATUS),
  ...Object.keys(DEFAULT_STATUS_BY_CODE).filter((code) => !code.endsWith('.')),
  ...[PROTOCOL, SPEND, SIGNATURE, TOUCHSTONE, CHAIN, VENDOR].flatMap((codes) => Object.values(codes)),
  ...UNAVAILABLE,
]);

/** Longest text of another party's refusal passed on to the payer. */
const PASSED_ON_MESSAGE = 200;

/**
 * A hand-off holder's refusal as this vendor passes it on. The holder is another party: a code
 * this vendor does not know becomes `HANDOFF.BAD_REPLY` (it would reach the payer's answer and,
 * as the `code` label of `netpay_vendor_refusals_total`, make a new series per made-up code), and
 * its message is cut to 200 characters.
 */
export function holderRefusal(error: { code: string; message?: unknown }): { code: string; message: string } {
  const text = typeof error.message === 'string' ? error.message : '';
  const message = text.length > PASSED_ON_MESSAGE ? `${text.slice(0, PASSED_ON_MESSAGE)}…` : text;
  return KNOWN_CODES.has(error.code)
    ? { code: error.code, message }
    : { code: 'HANDOFF.BAD_REPLY', message: 'the holder refused with a code this vendor does not know' };
}

/** A refusal as the coded error HTTP and NATS callers receive. */
export function refusal(code: string, message: string, details?: Record<string, unknown>): NetPayError {
  return new NetPayError(code, message, { status: statusOf(code), ...(details ? { details } : {}) });
}

/** The refusal for a chain that cannot be spent any more (or never existed). */
export function notSpendable(
  chainId: string,
  status: 'absent' | 'revoked' | 'closed',
  reason?: string,
): NetPayError {
  if (status === 'absent') return refusal('CHAIN.NOT_FOUND', `no chain ${chainId} was issued`, { chainId });
  const why = reason ? `: ${reason}` : '';
  return refusal(
    status === 'revoked' ? 'CHAIN.REVOKED' : 'CHAIN.CLOSED',
    `chain ${chainId} is ${status}${why}`,
    { chainId },
  );
}
