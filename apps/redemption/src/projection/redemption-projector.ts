import type { CoinsSpent, RedemptionBatchSealed, StoredEvent } from '#events';
import { businessDayOf } from '../domain/business-day.js';
import { addSegment, removeCovered, type Segment } from '../domain/segments.js';
import type { BatchProgress, RedemptionViewReader, ViewOp } from './redemption-view.js';

/** The events the projection follows (subscription filter). */
export const PROJECTED_CATEGORIES = ['chain', 'redemption'] as const;
export const PROJECTED_EVENT_TYPES = [
  'ChainIssued',
  'CoinsSpent',
  'RedemptionBatchSealed',
  'RedemptionItemAccepted',
  'RedemptionItemRejected',
  'VendorPaid',
] as const;

/** A chain with no known terms (its issue never seen): sealed apart, and rejected by verification. */
export const UNKNOWN_CURRENCY = 'XXX';

/**
 * What one event changes in the redemption read model, given the model as it stands. Spends
 * become pending segments of their vendor and business day (the day of `at` in `timeZone`);
 * a batch the broker sealed takes its items out of pending; verdicts and payouts settle batches.
 * Reads only what the event touches; the caller commits the changes with the event's position.
 */
export async function project(
  event: StoredEvent,
  view: RedemptionViewReader,
  timeZone: string,
): Promise<ViewOp[]> {
  switch (event.type) {
    case 'ChainIssued': {
      const t = event.data.touchstone;
      return [
        { op: 'chain', chainId: event.data.chainId, terms: { currency: t.currency, coinValue: t.coinValue } },
      ];
    }
    case 'CoinsSpent':
      return projectSpend(event.data, view, timeZone);
    case 'RedemptionBatchSealed':
      return projectSeal(event.data, event.streamName, event.position, view);
    case 'RedemptionItemAccepted':
      return progress(view, event.data.batchId, (b) => ({
        ...b,
        verdicts: b.verdicts + 1,
        accepted: b.accepted + event.data.amount,
      }));
    case 'RedemptionItemRejected':
      return progress(view, event.data.batchId, (b) => ({ ...b, verdicts: b.verdicts + 1 }));
    case 'VendorPaid':
      return progress(view, event.data.batchId, (b) => ({ ...b, paid: true }));
    default:
      return [];
  }
}

async function projectSpend(
  d: CoinsSpent['data'],
  view: RedemptionViewReader,
  timeZone: string,
): Promise<ViewOp[]> {
  // A spend time that does not parse is never payable (verification refuses it): nothing to seal.
  const businessDay = businessDayOf(d.at, timeZone);
  if (businessDay === undefined) return [];
  const { vendorId, chainId } = d;
  const pending = await view.pendingChains(vendorId, businessDay);
  const segment: Segment = { fromIndex: d.fromIndex, toIndex: d.toIndex, payword: d.payword };
  const ops: ViewOp[] = [
    {
      op: 'pending',
      vendorId,
      businessDay,
      chainId,
      segments: addSegment(pending.get(chainId) ?? [], segment),
    },
  ];
  if (pending.size === 0) ops.push({ op: 'mark-pending', vendorId, businessDay });
  const terms = await view.chainTerms(chainId);
  const coins = d.toIndex - d.fromIndex + 1;
  ops.push({
    op: 'earned',
    vendorId,
    businessDay,
    currency: terms?.currency ?? UNKNOWN_CURRENCY,
    amount: terms === undefined ? 0 : coins * terms.coinValue,
  });
  return ops;
}

async function projectSeal(
  d: RedemptionBatchSealed['data'],
  stream: string,
  position: bigint,
  view: RedemptionViewReader,
): Promise<ViewOp[]> {
  if ((await view.batch(d.batchId)) !== undefined) return [];
  const source = d.source ?? 'broker';
  const progress: BatchProgress = {
    batchId: d.batchId,
    stream,
    vendorId: d.vendorId,
    businessDay: d.businessDay,
    source,
    items: d.items.length,
    verdicts: 0,
    accepted: 0,
    paid: false,
    sealedAt: position.toString(),
  };
  const ops: ViewOp[] = [{ op: 'batch', progress }];
  ops.push(settled(progress) ? { op: 'settle', batchId: d.batchId } : { op: 'open', batchId: d.batchId });
  // Only the broker's own seals take spends out of pending: a vendor's claim may be anything.
  if (source !== 'broker') return ops;
  const pending = await view.pendingChains(d.vendorId, d.businessDay);
  if (pending.size === 0) return ops;
  const left = new Map(pending);
  for (const item of d.items) {
    const segments = left.get(item.chainId);
    if (segments !== undefined) left.set(item.chainId, removeCovered(segments, item.fromIndex, item.toIndex));
  }
  for (const [chainId, segments] of left) {
    if (segments.length !== pending.get(chainId)!.length) {
      ops.push({ op: 'pending', vendorId: d.vendorId, businessDay: d.businessDay, chainId, segments });
    }
  }
  if ([...left.values()].every((s) => s.length === 0)) {
    ops.push({ op: 'unmark-pending', vendorId: d.vendorId, businessDay: d.businessDay });
  }
  return ops;
}

async function progress(
  view: RedemptionViewReader,
  batchId: string,
  change: (b: BatchProgress) => BatchProgress,
): Promise<ViewOp[]> {
  const before = await view.batch(batchId);
  if (before === undefined) return [];
  const after = change(before);
  const ops: ViewOp[] = [{ op: 'batch', progress: after }];
  if (settled(after)) ops.push({ op: 'settle', batchId });
  return ops;
}

/** Verified, and paid unless nothing was accepted. */
export function settled(b: BatchProgress): boolean {
  return b.verdicts >= b.items && (b.paid || b.accepted === 0);
}
