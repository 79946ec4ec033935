import type { Hex } from '#protocol';

/** Per vendor and business day (`redemption-<vendor>_<YYYYMMDD>`). */

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
    readonly at: string;
  };
}

export interface RedemptionItemAccepted {
  readonly type: 'RedemptionItemAccepted';
  readonly version: 1;
  readonly data: {
    readonly batchId: string;
    readonly chainId: string;
    readonly fromIndex: number;
    readonly toIndex: number;
    readonly amount: number;
    readonly currency: string;
    readonly at: string;
  };
}

export interface RedemptionItemRejected {
  readonly type: 'RedemptionItemRejected';
  readonly version: 1;
  readonly data: {
    readonly batchId: string;
    readonly chainId: string;
    readonly fromIndex: number;
    readonly toIndex: number;
    /** Stable code, e.g. `REDEMPTION.OVERLAP`, `REDEMPTION.NOT_HOLDER`, `REDEMPTION.BAD_PROOF`. */
    readonly reason: string;
    readonly detail: string;
    readonly at: string;
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
  };
}

export type RedemptionEvent =
  RedemptionBatchSealed | RedemptionItemAccepted | RedemptionItemRejected | VendorPaid;
