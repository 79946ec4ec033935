import type {
  RedemptionBatchSealed,
  RedemptionItemAccepted,
  RedemptionItemRejected,
  VendorPaid,
  VendorPayoutDeclined,
} from '#events';

export type BatchStreamEvent =
  RedemptionBatchSealed | RedemptionItemAccepted | RedemptionItemRejected | VendorPaid | VendorPayoutDeclined;

export const BATCH_STREAM_EVENT_TYPES: ReadonlySet<string> = new Set([
  'RedemptionBatchSealed',
  'RedemptionItemAccepted',
  'RedemptionItemRejected',
  'VendorPaid',
  'VendorPayoutDeclined',
]);

/** One batch of a vendor-day stream, folded from the stream: what was claimed, decided and paid. */
export interface BatchRecord {
  readonly sealed: RedemptionBatchSealed['data'];
  /** Verdicts in item order; empty until the broker has verified the batch. */
  readonly accepted: readonly RedemptionItemAccepted['data'][];
  readonly rejected: readonly RedemptionItemRejected['data'][];
  readonly paid: VendorPaid['data'] | undefined;
  readonly declines: readonly VendorPayoutDeclined['data'][];
}

/** Every batch sealed in a vendor-day stream, by batch id, in sealing order. */
export function foldBatchStream(events: readonly BatchStreamEvent[]): Map<string, BatchRecord> {
  const batches = new Map<string, BatchRecord>();
  const update = (batchId: string, change: (b: BatchRecord) => BatchRecord): void => {
    const b = batches.get(batchId);
    if (b !== undefined) batches.set(batchId, change(b));
  };
  for (const e of events) {
    switch (e.type) {
      case 'RedemptionBatchSealed':
        if (!batches.has(e.data.batchId)) {
          batches.set(e.data.batchId, {
            sealed: e.data,
            accepted: [],
            rejected: [],
            paid: undefined,
            declines: [],
          });
        }
        break;
      case 'RedemptionItemAccepted':
        update(e.data.batchId, (b) => ({ ...b, accepted: [...b.accepted, e.data] }));
        break;
      case 'RedemptionItemRejected':
        update(e.data.batchId, (b) => ({ ...b, rejected: [...b.rejected, e.data] }));
        break;
      case 'VendorPaid':
        update(e.data.batchId, (b) => (b.paid ? b : { ...b, paid: e.data }));
        break;
      case 'VendorPayoutDeclined':
        update(e.data.batchId, (b) => ({ ...b, declines: [...b.declines, e.data] }));
        break;
      default: {
        const unreachable: never = e;
        return unreachable;
      }
    }
  }
  return batches;
}

/**
 * Verdicts recorded so far: they are appended in item order, so they are those of the first
 * `recordedVerdicts(b)` items (fewer than all when a store that appends event by event was cut
 * short by a crash).
 */
export function recordedVerdicts(b: BatchRecord): number {
  return b.accepted.length + b.rejected.length;
}

/** Whether the broker has recorded a verdict on every item. */
export function isVerified(b: BatchRecord): boolean {
  return recordedVerdicts(b) >= b.sealed.items.length;
}

/** Σ accepted, the amount the batch is to be paid (one currency per batch). */
export function acceptedTotal(b: BatchRecord): { amount: number; currency: string | undefined } {
  return {
    amount: b.accepted.reduce((sum, a) => sum + a.amount, 0),
    currency: b.accepted[0]?.currency,
  };
}

/** Nothing left to do: verified, and paid unless nothing was accepted. */
export function isSettled(b: BatchRecord): boolean {
  return isVerified(b) && (b.paid !== undefined || acceptedTotal(b).amount === 0);
}
