import type { Hex } from '#protocol';
import { assertId } from './streams.js';

/**
 * Per vendor and business day (`redemption-<vendor>_<YYYYMMDD>`): sealed batches, the broker's
 * verdict on each item, payouts. Per chain (`redeemed-<chainId>`): the ranges the broker has
 * accepted for redemption, appended with the expected revision so that no range is ever
 * accepted twice, whichever worker or night gets there first.
 */
export const redemptionLedgerStream = (chainId: string): string => `redeemed-${assertId(chainId)}`;

export interface RedemptionItem {
  readonly chainId: string;
  /** Positions [fromIndex, toIndex] the vendor claims it was paid. */
  readonly fromIndex: number;
  readonly toIndex: number;
  /** W[toIndex]: hashes back to W[fromIndex-1] and to the touchstone root. */
  readonly proofPayword: Hex;
}

export interface RedemptionBatchSealed {
  readonly type: 'RedemptionBatchSealed';
  readonly version: 1;
  readonly data: {
    readonly batchId: string;
    readonly vendorId: string;
    /** YYYY-MM-DD in the cut-off's time zone. */
    readonly businessDay: string;
    readonly items: readonly RedemptionItem[];
    /**
     * Who claims: `broker` (sealed from the redemption projection at the cut-off; the default
     * when absent) or `vendor` (a batch the vendor submitted, signed with its key). The broker
     * verifies both the same way and trusts neither.
     */
    readonly source?: 'broker' | 'vendor';
    readonly at: string;
  };
}

/**
 * The redemption worker's Ed25519 signature over one of its own records (verdict, reservation),
 * made with `REDEMPTION_SIGNING_KEY`. Whoever can write to the store can write a record; only the
 * worker can sign one, so the payment step and the auditor trust only signed records (records
 * written before signing existed carry none: see `REDEMPTION_LEGACY_UNSIGNED_UNTIL`).
 */
export interface RecordSignature {
  readonly keyId: string;
  /** 64 bytes hex over the record's canonical bytes (`apps/redemption/src/domain/record-signature.ts`). */
  readonly value: Hex;
}

export interface RedemptionItemAccepted {
  readonly type: 'RedemptionItemAccepted';
  readonly version: 1;
  readonly data: {
    readonly batchId: string;
    /** Position of the item in its batch (absent in records written before signing). */
    readonly item?: number;
    readonly chainId: string;
    readonly fromIndex: number;
    readonly toIndex: number;
    readonly amount: number;
    readonly currency: string;
    readonly at: string;
    readonly signature?: RecordSignature;
  };
}

export interface RedemptionItemRejected {
  readonly type: 'RedemptionItemRejected';
  readonly version: 1;
  readonly data: {
    readonly batchId: string;
    /** Position of the item in its batch (absent in records written before signing). */
    readonly item?: number;
    readonly chainId: string;
    readonly fromIndex: number;
    readonly toIndex: number;
    /** Stable code, e.g. `REDEMPTION.OVERLAP`, `REDEMPTION.NOT_HOLDER`, `REDEMPTION.BAD_PROOF`. */
    readonly reason: string;
    readonly detail: string;
    readonly at: string;
    readonly signature?: RecordSignature;
  };
}

export interface VendorPaid {
  readonly type: 'VendorPaid';
  readonly version: 1;
  readonly data: {
    readonly batchId: string;
    readonly vendorId: string;
    readonly amount: number;
    readonly currency: string;
    readonly paymentRef: string;
    readonly at: string;
    readonly signature?: RecordSignature;
  };
}

/**
 * The bank refused a payout (closed account, currency mismatch, …). Nothing moved; the next
 * attempt uses a new idempotency key (`attempt` + 1) so a fixed account can be paid.
 */
export interface VendorPayoutDeclined {
  readonly type: 'VendorPayoutDeclined';
  readonly version: 1;
  readonly data: {
    readonly batchId: string;
    readonly vendorId: string;
    readonly amount: number;
    readonly currency: string;
    /** 0 for the first attempt. */
    readonly attempt: number;
    readonly reason: string;
    readonly at: string;
  };
}

/** In `redeemed-<chainId>`: positions [fromIndex, toIndex] are redeemed, by item `item` of `batchId`. */
export interface RangeRedeemed {
  readonly type: 'RangeRedeemed';
  readonly version: 1;
  readonly data: {
    readonly chainId: string;
    readonly vendorId: string;
    readonly batchId: string;
    /** Position of the item in its batch (a batch may repeat a range; only one is accepted). */
    readonly item: number;
    readonly fromIndex: number;
    readonly toIndex: number;
    readonly at: string;
    readonly signature?: RecordSignature;
  };
}

/**
 * In a vendor-day stream: the worker found a record it did not write (no valid signature) where
 * it would have relied on it — a verdict, a reservation, or an accepted item that does not hold
 * against the chain's stream at payment time. Nothing was paid on it. Reported once per record.
 */
export interface RedemptionForgeryDetected {
  readonly type: 'RedemptionForgeryDetected';
  readonly version: 1;
  readonly data: {
    readonly batchId: string;
    readonly vendorId: string;
    /**
     * Stable code: `REDEMPTION.FORGED_VERDICT`, `REDEMPTION.FORGED_RESERVATION`,
     * `REDEMPTION.FORGED_PAYOUT`, `REDEMPTION.UNVERIFIED_PAYMENT`.
     */
    readonly reason: string;
    /** Where the refused record is (stream and event id), when it is one record. */
    readonly stream: string;
    readonly eventId: string;
    readonly eventType: string;
    readonly detail: string;
    readonly at: string;
  };
}

export type RedemptionEvent =
  RedemptionBatchSealed | RedemptionItemAccepted | RedemptionItemRejected | VendorPaid;

/**
 * The redemption worker's bookkeeping events. Known to `decode` (CURRENT_VERSIONS), but kept out
 * of `NetPayEvent` until every exhaustive reader (the auditor's dispatch) handles them.
 */
export type RedemptionLedgerEvent = VendorPayoutDeclined | RangeRedeemed | RedemptionForgeryDetected;
