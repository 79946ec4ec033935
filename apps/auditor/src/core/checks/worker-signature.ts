import {
  checkRecordSignature,
  reservationSigningBytes,
  verdictSigningBytes,
  type RangeRedeemed,
  type RedemptionItemAccepted,
  type RedemptionItemRejected,
  type VendorPaid,
  payoutSigningBytes,
} from '#events';
import { RULES } from '../rules.js';
import type { CheckContext } from './context.js';

type Verdict =
  | { readonly type: 'RedemptionItemAccepted'; readonly data: RedemptionItemAccepted['data'] }
  | { readonly type: 'RedemptionItemRejected'; readonly data: RedemptionItemRejected['data'] };

/**
 * R3: the redemption worker signs every verdict and reservation it writes, with keys the auditor
 * gets from its configuration (never from the log). A record without a valid signature was
 * written by someone else: reported, and not applied. Without configured keys nothing is
 * checked here; records at or below `legacyUntil` (written before signing) may be unsigned.
 */
export function signedByWorker(
  ctx: CheckContext,
  what: string,
  record: Verdict | RangeRedeemed | VendorPaid,
): boolean {
  const keys = ctx.ledger.redemptionKeys;
  if (keys.size === 0) return true;
  const status =
    record.type === 'RangeRedeemed'
      ? checkRecordSignature(record.data.signature, () => reservationSigningBytes(record.data), keys)
      : record.type === 'VendorPaid'
        ? checkRecordSignature(
            record.data.signature,
            () => payoutSigningBytes(ctx.at.stream, record.data),
            keys,
          )
        : checkRecordSignature(record.data.signature, () => verdictSigningBytes(ctx.at.stream, record), keys);
  if (status === 'valid') return true;
  if (status === 'unsigned' && ctx.at.position <= ctx.ledger.redemptionLegacyUntil) return true;
  ctx.report.violation(
    RULES.UNSIGNED_REDEMPTION_RECORD,
    `${what}: ${status === 'unsigned' ? 'no signature' : 'a signature that does not verify'} of the redemption worker; not applied`,
    'chainId' in record.data ? record.data.chainId : undefined,
  );
  return false;
}
