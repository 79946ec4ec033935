/**
 * Why a chain was revoked: a code from a fixed list, never free text. Reasons end up in chain
 * streams (read by vendors) and in the public revocation list, so an operator's note could
 * leak a customer's identity there; the details belong in the operator's own records.
 */
export const REVOCATION_REASONS = [
  'fraud',
  'lost-wallet',
  'stolen-wallet',
  'customer-request',
  'compromised-key',
  'operator-error',
  'other',
] as const;

export type RevocationReason = (typeof REVOCATION_REASONS)[number];

export function isRevocationReason(value: unknown): value is RevocationReason {
  return typeof value === 'string' && (REVOCATION_REASONS as readonly string[]).includes(value);
}

/** The code of a reason written before codes existed: itself when it is one, else `other`. */
export function revocationReasonOf(text: unknown): RevocationReason {
  return isRevocationReason(text) ? text : 'other';
}
