import {
  checkRecordSignature,
  FRAUD_REASONS,
  vendorOfRedemptionStream,
  type FraudEvidence,
  type StoredEvent,
  verdictSigningBytes,
  type VendorFraudRecorded,
  type VendorReinstated,
  type VendorSuspended,
} from '#events';
import type { KeyRing, RevocationNoticeBody, SignedRevocationNotice } from '#protocol';

/** The stable `reason` of a fraud suspension's notice and event. */
export const SUSPENSION_REASON = 'FRAUD.REPEATED_CLAIMS';

/** The `reason` of a lift (a code: notices are public, so no operator free text goes in them). */
export const REINSTATEMENT_REASON = 'OPERATOR.REINSTATED';

/** A vendor's standing as folded from `vendor-<id>` (its fraud strikes and suspension). */
export interface VendorStanding {
  /** Every verdict ever recorded as a strike (`evidenceKey`), so a verdict counts once. */
  readonly seen: ReadonlySet<string>;
  /** Strikes since the last reinstatement, oldest first. */
  readonly strikes: readonly FraudEvidence[];
  /** The suspension in force. */
  readonly suspended?: VendorSuspended['data'];
  /** The latest notice (suspension or lift): what the revocation list serves. */
  readonly notice?: SignedRevocationNotice;
}

export const cleanStanding: VendorStanding = { seen: new Set(), strikes: [] };

export function evidenceKey(e: FraudEvidence): string {
  return `${e.stream}/${e.verdict.batchId}/${e.verdict.item ?? ''}`;
}

export function evolveStanding(state: VendorStanding, event: StoredEvent): VendorStanding {
  switch (event.type) {
    case 'VendorFraudRecorded': {
      const key = evidenceKey(event.data.evidence);
      if (state.seen.has(key)) return state;
      return {
        ...state,
        seen: new Set([...state.seen, key]),
        strikes: [...state.strikes, event.data.evidence],
      };
    }
    case 'VendorSuspended':
      return { ...state, suspended: event.data, notice: event.data.notice };
    case 'VendorReinstated': {
      const { suspended: _lifted, ...rest } = state;
      return { ...rest, strikes: [], notice: event.data.notice };
    }
    default:
      return state;
  }
}

/**
 * Whether `evidence` is a refusal the worker signed, in the vendor's own vendor-day stream, for a
 * fraud reason. Anything else is not evidence (an unsigned or forged verdict is never a strike).
 */
export function isFraudEvidence(evidence: FraudEvidence, vendorId: string, workerKeys: KeyRing): boolean {
  if (vendorOfRedemptionStream(evidence.stream) !== vendorId) return false;
  if (!FRAUD_REASONS.has(evidence.verdict.reason)) return false;
  const status = checkRecordSignature(
    evidence.verdict.signature,
    () => verdictSigningBytes(evidence.stream, { type: 'RedemptionItemRejected', data: evidence.verdict }),
    workerKeys,
  );
  return status === 'valid';
}

export interface FraudPolicy {
  /** Strikes since the last reinstatement that suspend the vendor; 0: never suspend. */
  readonly suspendAfter: number;
  readonly at: string;
  /** Signs a notice with the broker's current key (its `brokerKeyId` is filled in). */
  readonly sign: (body: Omit<RevocationNoticeBody, 'brokerKeyId'>) => SignedRevocationNotice;
}

/**
 * A strike for one signed fraud verdict (checked by the caller), and the suspension when it is
 * the `suspendAfter`-th since the last reinstatement. A verdict recorded already changes nothing.
 */
export function decideFraud(
  state: VendorStanding,
  vendorId: string,
  evidence: FraudEvidence,
  policy: FraudPolicy,
): (VendorFraudRecorded | VendorSuspended)[] {
  if (state.seen.has(evidenceKey(evidence))) return [];
  const strike: VendorFraudRecorded = {
    type: 'VendorFraudRecorded',
    version: 1,
    data: { vendorId, evidence, at: policy.at },
  };
  const strikes = [...state.strikes, evidence];
  if (state.suspended || policy.suspendAfter <= 0 || strikes.length < policy.suspendAfter) return [strike];
  const reason = `${SUSPENSION_REASON}: ${strikes.length} items refused as fraud`;
  const notice = policy.sign({ kind: 'vendor', id: vendorId, reason, at: policy.at });
  return [
    strike,
    {
      type: 'VendorSuspended',
      version: 1,
      data: { vendorId, reason, evidence: strikes, notice, at: policy.at },
    },
  ];
}

/** The operator's lift: nothing when the vendor is not suspended (a retried lift is a no-op). */
export function decideReinstate(
  state: VendorStanding,
  vendorId: string,
  note: string,
  policy: Pick<FraudPolicy, 'at' | 'sign'>,
): VendorReinstated[] {
  if (!state.suspended) return [];
  const notice = policy.sign({ kind: 'vendor', id: vendorId, reason: note, at: policy.at, lifted: true });
  return [{ type: 'VendorReinstated', version: 1, data: { vendorId, note, notice, at: policy.at } }];
}
