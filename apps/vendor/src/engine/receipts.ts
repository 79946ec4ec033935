import { createHash } from 'node:crypto';
import type { CoinsSpent } from '#events';
import { MAX_TEXT_BYTES, type ReceiptBody, type Touchstone } from '#protocol';
import { refusal, VENDOR } from './vendor-errors.js';

// The characters the protocol refuses in a receipt's text fields.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Refuses a resource the receipt could not carry, as the protocol's receipt
 * validation would: 1..MAX_TEXT_BYTES UTF-8 bytes, well-formed, no control
 * characters. Checked before a spend is decided, because the receipt is
 * signed only after the append: a resource found bad then would leave the
 * coins spent and the payer without a receipt.
 */
export function checkResource(resource: string): void {
  const bytes = Buffer.byteLength(resource, 'utf8');
  if (bytes === 0 || bytes > MAX_TEXT_BYTES) {
    throw refusal(
      VENDOR.RESOURCE_INVALID,
      `resource must be 1..${MAX_TEXT_BYTES} UTF-8 bytes, it has ${bytes}`,
    );
  }
  // Only a string with characters beyond ASCII (more bytes than characters) can hold a lone surrogate.
  const wellFormed = bytes === resource.length || Buffer.from(resource, 'utf8').toString('utf8') === resource;
  if (CONTROL.test(resource) || !wellFormed) {
    throw refusal(
      VENDOR.RESOURCE_INVALID,
      'resource must not hold control characters or unpaired surrogates',
    );
  }
}

/**
 * The authorisation number of a spend. It is derived from what was paid
 * for, so a retry of the same payment for the same resource gets the same
 * number (and a receipt of the same body), while the same payword offered for another
 * resource is a different spend and is refused as a replay.
 */
export function receiptIdFor(
  vendorId: string,
  chainId: string,
  position: number,
  payword: string,
  resource: string,
): string {
  const digest = createHash('sha256')
    .update([vendorId, chainId, String(position), payword, resource].join('\u001f'))
    .digest('hex');
  return `rc_${digest.slice(0, 32)}`;
}

/**
 * What the vendor's receipt for a recorded spend says; it is signed (by the
 * turn's `ReceiptBatcher`) only ever after the append.
 */
export function receiptBodyFor(
  spend: CoinsSpent['data'],
  touchstone: Touchstone,
  resource: string,
  vendorKeyId: string,
): ReceiptBody {
  const coins = spend.toIndex - spend.fromIndex + 1;
  return {
    receiptId: spend.receiptId,
    vendorId: spend.vendorId,
    chainId: spend.chainId,
    fromIndex: spend.fromIndex,
    toIndex: spend.toIndex,
    amount: coins * touchstone.coinValue,
    currency: touchstone.currency,
    resource,
    at: spend.at,
    vendorKeyId,
  };
}
