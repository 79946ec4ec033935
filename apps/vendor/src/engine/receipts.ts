import { createHash } from 'node:crypto';
import type { CoinsSpent } from '#events';
import { signReceipt, type Receipt, type Signer, type Touchstone } from '#protocol';

/**
 * The authorisation number of a spend. It is derived from what was paid
 * for, so a retry of the same payment for the same resource gets the same
 * number (and the same receipt), while the same payword offered for another
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

/** The vendor's signed receipt for a recorded spend (only ever after the append). */
export function receiptFor(
  spend: CoinsSpent['data'],
  touchstone: Touchstone,
  resource: string,
  signer: Signer,
): Receipt {
  const coins = spend.toIndex - spend.fromIndex + 1;
  return signReceipt(
    {
      receiptId: spend.receiptId,
      vendorId: spend.vendorId,
      chainId: spend.chainId,
      fromIndex: spend.fromIndex,
      toIndex: spend.toIndex,
      amount: coins * touchstone.coinValue,
      currency: touchstone.currency,
      resource,
      at: spend.at,
      vendorKeyId: signer.keyId,
    },
    signer,
  );
}
