import {
  checkRecordSignature,
  payoutSigningBytes,
  reservationSigningBytes,
  signRecord,
  verdictSigningBytes,
  type RangeRedeemed,
  type RecordSignature,
  type RedemptionItemAccepted,
  type RedemptionItemRejected,
  type VendorPaid,
} from '#events';
import type { KeyRing, Signer } from '#protocol';
import { FORGERY, type ForgeryReason } from '../domain/reasons.js';

type Verdict =
  | { readonly type: 'RedemptionItemAccepted'; readonly data: RedemptionItemAccepted['data'] }
  | { readonly type: 'RedemptionItemRejected'; readonly data: RedemptionItemRejected['data'] };

/** Why a record is not the worker's own. */
export type Distrust = {
  readonly reason: ForgeryReason;
  readonly detail: string;
};

export interface RecordTrustOptions {
  readonly signer: Signer;
  /** Public keys of the worker's signing keys, current and retired (from configuration, never the store). */
  readonly keys: KeyRing;
  /**
   * Records at or below this store position may be unsigned: written before the worker signed
   * its records (`REDEMPTION_LEGACY_UNSIGNED_UNTIL`). A writer can only append at the log's head,
   * so no forgery can land there. 0: every record must be signed.
   */
  readonly legacyUnsignedUntil?: bigint;
}

/**
 * The worker's own records, told apart from anyone else's: it signs each verdict and reservation
 * it writes, and relies on a record only when the signature verifies with one of its keys. A
 * record in the store without it was written by someone else, whatever its content says.
 */
export class RecordTrust {
  private readonly legacyUntil: bigint;

  constructor(private readonly options: RecordTrustOptions) {
    this.legacyUntil = options.legacyUnsignedUntil ?? 0n;
  }

  signVerdict(stream: string, verdict: Verdict): RecordSignature {
    return signRecord(this.options.signer, verdictSigningBytes(stream, verdict));
  }

  signReservation(data: RangeRedeemed['data']): RecordSignature {
    return signRecord(this.options.signer, reservationSigningBytes(data));
  }

  signPayout(stream: string, data: VendorPaid['data']): RecordSignature {
    return signRecord(this.options.signer, payoutSigningBytes(stream, data));
  }

  payout(stream: string, data: VendorPaid['data'], position: bigint): Distrust | undefined {
    const status = checkRecordSignature(
      data.signature,
      () => payoutSigningBytes(stream, data),
      this.options.keys,
    );
    return this.judge(status, position, FORGERY.FORGED_PAYOUT, 'VendorPaid');
  }

  /** `undefined` when the verdict is the worker's own (or a legacy one). */
  verdict(stream: string, verdict: Verdict, position: bigint): Distrust | undefined {
    const status = checkRecordSignature(
      verdict.data.signature,
      () => verdictSigningBytes(stream, verdict),
      this.options.keys,
    );
    return this.judge(status, position, FORGERY.FORGED_VERDICT, verdict.type);
  }

  reservation(data: RangeRedeemed['data'], position: bigint): Distrust | undefined {
    const status = checkRecordSignature(
      data.signature,
      () => reservationSigningBytes(data),
      this.options.keys,
    );
    return this.judge(status, position, FORGERY.FORGED_RESERVATION, 'RangeRedeemed');
  }

  private judge(
    status: 'valid' | 'unsigned' | 'invalid',
    position: bigint,
    reason: Distrust['reason'],
    what: string,
  ): Distrust | undefined {
    if (status === 'valid') return undefined;
    if (status === 'unsigned' && position <= this.legacyUntil) return undefined;
    return {
      reason,
      detail:
        status === 'unsigned'
          ? `${what} carries no signature of the redemption worker`
          : `${what} carries a signature that does not verify with the redemption worker's keys`,
    };
  }
}
