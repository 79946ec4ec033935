import type { SignedRevocationNotice } from '#protocol';
import type { RedemptionItemRejected } from './redemption.events.js';

/**
 * A redemption verdict the worker signed, as evidence of vendor fraud: the record's vendor-day
 * stream and its data with the worker's signature. Anyone holding the worker's public key checks
 * it (`verdictSigningBytes(stream, { type: 'RedemptionItemRejected', data })`); nobody can make one.
 */
export interface FraudEvidence {
  readonly stream: string;
  readonly verdict: RedemptionItemRejected['data'];
}

/**
 * In `vendor-<id>`: the broker read a signed refusal of one of the vendor's items for a reason that
 * counts as fraud (`FRAUD_REASONS`). One per refused item (batch, item); a strike toward suspension.
 */
export interface VendorFraudRecorded {
  readonly type: 'VendorFraudRecorded';
  readonly version: 1;
  readonly data: { readonly vendorId: string; readonly evidence: FraudEvidence; readonly at: string };
}

/**
 * In `vendor-<id>`: the vendor is suspended for repeated fraud (`FRAUD_SUSPEND_AFTER` strikes since
 * its last reinstatement). `notice` is the broker-signed revocation notice (kind `vendor`) vendors
 * act on; `evidence` the worker-signed verdicts it rests on. While suspended the broker certifies
 * none of its keys and grants it no wallet, vendors refuse it hand-offs and claim chains back from
 * it, and the redemption worker pays none of its batches.
 */
export interface VendorSuspended {
  readonly type: 'VendorSuspended';
  readonly version: 1;
  readonly data: {
    readonly vendorId: string;
    readonly reason: string;
    readonly evidence: readonly FraudEvidence[];
    readonly notice: SignedRevocationNotice;
    readonly at: string;
  };
}

/** In `vendor-<id>`: the operator lifted the suspension; `notice` is the broker-signed lift (`lifted: true`). */
export interface VendorReinstated {
  readonly type: 'VendorReinstated';
  readonly version: 1;
  readonly data: {
    readonly vendorId: string;
    /** A code (`OPERATOR.REINSTATED`): the notice is public, no free text goes in it. */
    readonly note: string;
    readonly notice: SignedRevocationNotice;
    readonly at: string;
  };
}

export type VendorStandingEvent = VendorFraudRecorded | VendorSuspended | VendorReinstated;

/**
 * Refusal codes of the redemption worker that count as fraud (a strike): the vendor claimed
 * positions it was not paid (`NOT_SPENT_BY_VENDOR`: seed 004's fraud, a payword paid elsewhere
 * hashed down; `NOT_SPENT`: positions never spent) or a proof that is not the chain's payword
 * (`BAD_PROOF`). Retries and honest races (`ALREADY_REDEEMED`, `OVERLAP`), malformed or
 * unknown-key items and currency mix-ups are not fraud. Codes from apps/redemption/src/domain/reasons.ts.
 */
export const FRAUD_REASONS: ReadonlySet<string> = new Set([
  'REDEMPTION.NOT_SPENT_BY_VENDOR',
  'REDEMPTION.NOT_SPENT',
  'REDEMPTION.BAD_PROOF',
]);

/** `redemption-<vendorId>_<YYYYMMDD>` → vendorId (ids may hold `_`: the day is the last 8 digits). */
export function vendorOfRedemptionStream(stream: string): string | undefined {
  const match = /^redemption-([A-Za-z0-9_]{1,64})_\d{8}$/.exec(stream);
  return match?.[1];
}
