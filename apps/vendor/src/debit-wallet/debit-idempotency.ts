import { createHash } from 'node:crypto';
import type { ChainState, LastSpend } from '#chain';
import { IDEMPOTENCY_KEY_FORMAT, PLATFORM_ERROR } from '#platform';
import { refusal } from '../engine/vendor-errors.js';

/**
 * Server-side debits spend paywords the vendor picks itself, so, unlike a
 * payer's payword, nothing in the request tells a retry from the next
 * purchase: the payer names each purchase with an `Idempotency-Key`.
 */

/** The key as sent: missing → IDEMPOTENCY.KEY_REQUIRED, malformed → IDEMPOTENCY.KEY_INVALID (both 400). */
export function requireIdempotencyKey(key: string | undefined): string {
  if (key === undefined || key === '') {
    throw refusal(
      PLATFORM_ERROR.IDEMPOTENCY_KEY_REQUIRED,
      'a server-side wallet debit needs an Idempotency-Key header, one per purchase, the same on a retry',
    );
  }
  if (!IDEMPOTENCY_KEY_FORMAT.test(key)) {
    throw refusal(
      PLATFORM_ERROR.IDEMPOTENCY_KEY_INVALID,
      'Idempotency-Key must be 8–255 characters of A–Z a–z 0–9 _ . : - (a UUID fits)',
    );
  }
  return key;
}

/**
 * The authorisation number of a debit: derived from the purchase (who pays
 * whom, for what, at what price, under which key), not from the paywords it
 * happens to get, so a retry names the spend already recorded. The token's
 * hash keeps one customer's keys apart from another's. The price is in it
 * because the id also makes the append's event id: two spends decided on one
 * revision under one id must be the same spend, or the store would take the
 * second for the first.
 */
export function debitReceiptIdFor(purchase: {
  readonly vendorId: string;
  readonly checkoutTokenHash: string;
  readonly idempotencyKey: string;
  readonly resource: string;
  readonly count: number;
}): string {
  const { vendorId, checkoutTokenHash, idempotencyKey, resource, count } = purchase;
  const digest = createHash('sha256')
    .update(['debit', vendorId, checkoutTokenHash, idempotencyKey, resource, String(count)].join('\u001f'))
    .digest('hex');
  return `rc_${digest.slice(0, 32)}`;
}

/**
 * Where the answer to a payer's Idempotency-Key is kept: the key as the payer (the checkout
 * token's hash) used it at this vendor, whatever the purchase. The chain stream only shows its
 * last spend, so without it a retry that came after another purchase was spent again, and the
 * key sent with another body was taken for a new purchase.
 */
export function debitScopeFor(purchase: {
  readonly vendorId: string;
  readonly checkoutTokenHash: string;
  readonly idempotencyKey: string;
}): string {
  const { vendorId, checkoutTokenHash, idempotencyKey } = purchase;
  return createHash('sha256')
    .update(['debit-key', vendorId, checkoutTokenHash, idempotencyKey].join('\u001f'))
    .digest('hex');
}

/**
 * The purchase `receiptId` names, if it is the chain's last spend: the
 * stream keeps it, so a retry is recognised after Redis is lost too.
 */
export function recordedDebit(state: ChainState, vendorId: string, receiptId: string): LastSpend | undefined {
  const last = state.status === 'absent' ? undefined : state.lastSpend;
  return last !== undefined && last.receiptId === receiptId && last.vendorId === vendorId ? last : undefined;
}
