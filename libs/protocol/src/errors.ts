/**
 * Errors and rejection codes of the protocol library.
 *
 * Malformed input (a wire form that does not parse) throws a `ProtocolError`.
 * A well-formed message that the protocol refuses (a forged payword, a bad
 * signature) is NOT an exception: verifiers return a rejection with a stable code.
 */

/** Codes of `ProtocolError`: the input is not a valid wire form. */
export const PROTOCOL = {
  BAD_TYPE: 'PROTOCOL.BAD_TYPE',
  MISSING_FIELD: 'PROTOCOL.MISSING_FIELD',
  UNKNOWN_FIELD: 'PROTOCOL.UNKNOWN_FIELD',
  BAD_HEX: 'PROTOCOL.BAD_HEX',
  BAD_LENGTH: 'PROTOCOL.BAD_LENGTH',
  BAD_VALUE: 'PROTOCOL.BAD_VALUE',
  BAD_TIMESTAMP: 'PROTOCOL.BAD_TIMESTAMP',
  BAD_ARGUMENT: 'PROTOCOL.BAD_ARGUMENT',
} as const;

export type ProtocolErrorCode = (typeof PROTOCOL)[keyof typeof PROTOCOL];

export class ProtocolError extends Error {
  constructor(
    readonly code: ProtocolErrorCode,
    /** Dotted path of the offending field (`vendorRestriction.2`), or `''` for the value itself. */
    readonly field: string,
    message: string,
  ) {
    super(field ? `${field}: ${message}` : message);
    this.name = 'ProtocolError';
  }
}

/** Rejection codes of `verifySpend` / `verifyPaywordAgainst`. */
export const SPEND = {
  /** The payword does not hash down to the holder's W[I-1]. */
  PAYWORD_FORGED: 'SPEND.PAYWORD_FORGED',
  /** position < I: that payword was already spent. */
  PAYWORD_REPLAYED: 'SPEND.PAYWORD_REPLAYED',
  /** position ≠ I + k - 1 for the price of k coins. */
  PAYWORD_SKIPPED: 'SPEND.PAYWORD_SKIPPED',
  /** position < 1 or > n. */
  OUT_OF_RANGE: 'SPEND.OUT_OF_RANGE',
  /** Fewer than k coins are left on the chain (I + k - 1 > n). */
  CHAIN_EXHAUSTED: 'SPEND.CHAIN_EXHAUSTED',
  /** The proof names another chain. */
  WRONG_CHAIN: 'SPEND.WRONG_CHAIN',
  /** k is not a positive safe integer: prices are whole numbers of coins. */
  INVALID_COUNT: 'SPEND.INVALID_COUNT',
} as const;

export type SpendRejectionCode = (typeof SPEND)[keyof typeof SPEND];

/** Rejection codes of signature verification (touchstones, hand-off certificates, receipts). */
export const SIGNATURE = {
  /** No public key is registered under the key id the message names. */
  UNKNOWN_KEY: 'SIGNATURE.UNKNOWN_KEY',
  /** The key id is registered to another signer than the one the message names. */
  KEY_OWNER_MISMATCH: 'SIGNATURE.KEY_OWNER_MISMATCH',
  /** The signature does not verify over the canonical encoding. */
  INVALID: 'SIGNATURE.INVALID',
  /** The signed body itself is not valid (bad field), so nothing was verified. */
  MALFORMED: 'SIGNATURE.MALFORMED',
} as const;

export type SignatureRejectionCode = (typeof SIGNATURE)[keyof typeof SIGNATURE];

/** Rejection codes of `checkTouchstoneUsable`. */
export const TOUCHSTONE = {
  NOT_YET_VALID: 'TOUCHSTONE.NOT_YET_VALID',
  EXPIRED: 'TOUCHSTONE.EXPIRED',
  VENDOR_NOT_ALLOWED: 'TOUCHSTONE.VENDOR_NOT_ALLOWED',
} as const;

export type TouchstoneRejectionCode = (typeof TOUCHSTONE)[keyof typeof TOUCHSTONE];

/** A refusal: a stable machine-readable code and a human message. */
export interface Rejection<C extends string> {
  readonly ok: false;
  readonly code: C;
  readonly message: string;
}

export function reject<C extends string>(code: C, message: string): Rejection<C> {
  return { ok: false, code, message };
}
