import { createHash } from 'node:crypto';

function digest(...parts: readonly (string | number)[]): string {
  return createHash('sha256').update(parts.map(String).join('\u001f')).digest('hex');
}

const compactDay = (day: string): string => day.replaceAll('-', '');

/**
 * The `seq`-th batch the broker seals for a vendor, day and currency. Readable prefix, hashed
 * tail: ids stay within 64 characters of [A-Za-z0-9_] whatever the vendor id.
 */
export function brokerBatchId(vendorId: string, day: string, seq: number, currency: string): string {
  return `rb_${compactDay(day)}_${seq}_${currency}_${digest('broker', vendorId, day, seq, currency).slice(0, 12)}`;
}

/**
 * The retry batch of `batchId`: its items refused only for an unknown broker key, sealed again.
 * One per batch (a retry's own retry derives from the retry's id).
 */
export function keyRetryBatchId(batchId: string): string {
  const day = /^[rv][bk]_(\d{8})_/.exec(batchId)?.[1] ?? '00000000';
  return `rk_${day}_${digest('key-retry', batchId).slice(0, 24)}`;
}

/** A batch a vendor submitted under its own claim id (the same claim id is the same batch). */
export function vendorBatchId(vendorId: string, day: string, claimId: string): string {
  return `vb_${compactDay(day)}_${digest('vendor', vendorId, day, claimId).slice(0, 20)}`;
}

/** The bank idempotency key of a batch's payout; a recorded decline moves on to the next attempt. */
export function payoutIdempotencyKey(batchId: string, attempt: number): string {
  return `redemption_${batchId}_${attempt}`;
}
