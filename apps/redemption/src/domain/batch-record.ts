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

/** A verdict with the position of its item (records written before signing carry none: their place says it). */
export type PlacedVerdict<T> = T & { readonly item: number };

/** One batch of a vendor-day stream, folded from the stream: what was claimed, decided and paid. */
export interface BatchRecord {
  readonly sealed: RedemptionBatchSealed['data'];
  /** Verdicts in item order; empty until the broker has verified the batch. */
  readonly accepted: readonly PlacedVerdict<RedemptionItemAccepted['data']>[];
  readonly rejected: readonly PlacedVerdict<RedemptionItemRejected['data']>[];
  /** Items with a verdict: the first verdict of an item counts, a repeated one does not. */
  readonly decided: ReadonlySet<number>;
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
            decided: new Set(),
            paid: undefined,
            declines: [],
          });
        }
        break;
      case 'RedemptionItemAccepted': {
        const data = e.data;
        update(data.batchId, (b) =>
          decide(b, data.item, (item) => ({ ...b, accepted: [...b.accepted, { ...data, item }] })),
        );
        break;
      }
      case 'RedemptionItemRejected': {
        const data = e.data;
        update(data.batchId, (b) =>
          decide(b, data.item, (item) => ({ ...b, rejected: [...b.rejected, { ...data, item }] })),
        );
        break;
      }
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

/** Adds a verdict on `item` (by default the next undecided one) unless that item has one already. */
function decide(b: BatchRecord, given: number | undefined, add: (item: number) => BatchRecord): BatchRecord {
  const item = given ?? recordedVerdicts(b);
  if (b.decided.has(item) || item >= b.sealed.items.length) return b;
  // The set is the fold's own (made with the record above): growing it in place keeps folding linear.
  (b.decided as Set<number>).add(item);
  return add(item);
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
