import type { CoinsSpent, RedemptionBatchSealed, StoredEvent } from '#events';
import { businessDayOf } from '../domain/business-day.js';
import { addSegment, removeCovered, type Segment } from '../domain/segments.js';
import {
  vendorDayKey,
  type BatchProgress,
  type ChainTerms,
  type RedemptionView,
  type ViewOp,
  type ViewReadResults,
  type ViewReads,
} from './redemption-view.js';

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
 * The read model as one event's fold sees it: what was read before the batch, with the changes
 * of the batch's earlier events on top. Synchronous: everything was fetched beforehand.
 */
export interface FoldState {
  chainTerms(chainId: string): ChainTerms | undefined;
  /** One chain's unsealed spends at a vendor on a day (`undefined`: none). */
  pendingSegments(vendorId: string, businessDay: string, chainId: string): readonly Segment[] | undefined;
  /** The vendor has unsealed spends on that day, of any chain. */
  anyPending(vendorId: string, businessDay: string): boolean;
  /** Every chain's unsealed spends at a vendor on a day. */
  pendingChains(vendorId: string, businessDay: string): ReadonlyMap<string, readonly Segment[]>;
  batch(batchId: string): BatchProgress | undefined;
}

/** The business day of a spend time; remembered per fold (the time zone lookup is not cheap). */
export type DayOf = (at: string) => string | undefined;

export function dayOfIn(timeZone: string): DayOf {
  const days = new Map<string, string | undefined>();
  return (at) => {
    if (days.has(at)) return days.get(at);
    const day = businessDayOf(at, timeZone);
    days.set(at, day);
    return day;
  };
}

/**
 * Folds a batch of events (in log order) into the changes they make to the read model, exactly
 * as folding them one at a time would: everything the batch reads is fetched in one go, and each
 * event sees the changes of the ones before it.
 */
export async function foldBatch(
  events: readonly StoredEvent[],
  view: Pick<RedemptionView, 'read'>,
  timeZone: string,
): Promise<ViewOp[]> {
  if (events.length === 0) return [];
  const dayOf = dayOfIn(timeZone);
  const reads = readsOf(events, dayOf);
  const state = new FoldOverlay(reads, await view.read(reads));
  const ops: ViewOp[] = [];
  for (const event of events) {
    const changes = project(event, state, dayOf);
    state.apply(changes);
    ops.push(...changes);
  }
  return compact(ops);
}

/**
 * The same changes with one op per thing changed, for one atomic commit: the last value of each
 * chain's pending segments, each mark, batch and open flag; the sum of the amounts earned per
 * vendor, day and currency (kept when 0: an increment creates its field).
 */
export function compact(ops: readonly ViewOp[]): ViewOp[] {
  const out = new Map<string, ViewOp>();
  const S = '\u0000';
  for (const op of ops) {
    switch (op.op) {
      case 'chain':
        out.set(`chain${S}${op.chainId}`, op);
        break;
      case 'pending':
        out.set(`pending${S}${op.businessDay}${S}${op.vendorId}${S}${op.chainId}`, op);
        break;
      case 'mark-pending':
      case 'unmark-pending':
        out.set(`mark${S}${op.businessDay}${S}${op.vendorId}`, op);
        break;
      case 'earned': {
        const key = `earned${S}${op.businessDay}${S}${op.vendorId}${S}${op.currency}`;
        const before = out.get(key);
        out.set(key, before?.op === 'earned' ? { ...op, amount: before.amount + op.amount } : op);
        break;
      }
      case 'batch':
        out.set(`batch${S}${op.progress.batchId}`, op);
        break;
      case 'open':
      case 'settle':
        out.set(`open${S}${op.batchId}`, op);
        break;
      default: {
        const unreachable: never = op;
        return unreachable;
      }
    }
  }
  return [...out.values()];
}

/** What `project` will read for these events. */
export function readsOf(events: readonly StoredEvent[], dayOf: DayOf): ViewReads {
  const terms = new Set<string>();
  const pending = new Map<
    string,
    { vendorId: string; businessDay: string; chains: Set<string>; all: boolean }
  >();
  const batches = new Set<string>();
  const day = (vendorId: string, businessDay: string): { chains: Set<string>; all: boolean } => {
    const key = vendorDayKey(vendorId, businessDay);
    let reads = pending.get(key);
    if (reads === undefined) {
      reads = { vendorId, businessDay, chains: new Set(), all: false };
      pending.set(key, reads);
    }
    return reads;
  };
  for (const event of events) {
    switch (event.type) {
      case 'CoinsSpent': {
        const businessDay = dayOf(event.data.at);
        if (businessDay === undefined) break;
        day(event.data.vendorId, businessDay).chains.add(event.data.chainId);
        terms.add(event.data.chainId);
        break;
      }
      case 'RedemptionBatchSealed':
        batches.add(event.data.batchId);
        if ((event.data.source ?? 'broker') === 'broker')
          day(event.data.vendorId, event.data.businessDay).all = true;
        break;
      case 'RedemptionItemAccepted':
      case 'RedemptionItemRejected':
      case 'VendorPaid':
        batches.add(event.data.batchId);
        break;
      default:
        break;
    }
  }
  return { terms, pending, batches };
}

/**
 * What one event changes in the redemption read model, given the model as it stands. Spends
 * become pending segments of their vendor and business day (the day of `at` in the time zone);
 * a batch the broker sealed takes its items out of pending; verdicts and payouts settle batches.
 */
export function project(event: StoredEvent, state: FoldState, dayOf: DayOf): ViewOp[] {
  switch (event.type) {
    case 'ChainIssued': {
      const t = event.data.touchstone;
      return [
        { op: 'chain', chainId: event.data.chainId, terms: { currency: t.currency, coinValue: t.coinValue } },
      ];
    }
    case 'CoinsSpent':
      return projectSpend(event.data, state, dayOf);
    case 'RedemptionBatchSealed':
      return projectSeal(event.data, event.streamName, event.position, state);
    case 'RedemptionItemAccepted':
      return progress(state, event.data.batchId, (b) => ({
        ...b,
        verdicts: b.verdicts + 1,
        accepted: b.accepted + event.data.amount,
      }));
    case 'RedemptionItemRejected':
      return progress(state, event.data.batchId, (b) => ({ ...b, verdicts: b.verdicts + 1 }));
    case 'VendorPaid':
      return progress(state, event.data.batchId, (b) => ({ ...b, paid: true }));
    default:
      return [];
  }
}

function projectSpend(d: CoinsSpent['data'], state: FoldState, dayOf: DayOf): ViewOp[] {
  // A spend time that does not parse is never payable (verification refuses it): nothing to seal.
  const businessDay = dayOf(d.at);
  if (businessDay === undefined) return [];
  const { vendorId, chainId } = d;
  const segment: Segment = { fromIndex: d.fromIndex, toIndex: d.toIndex, payword: d.payword };
  const ops: ViewOp[] = [
    {
      op: 'pending',
      vendorId,
      businessDay,
      chainId,
      segments: addSegment(state.pendingSegments(vendorId, businessDay, chainId) ?? [], segment),
    },
  ];
  if (!state.anyPending(vendorId, businessDay)) ops.push({ op: 'mark-pending', vendorId, businessDay });
  const terms = state.chainTerms(chainId);
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

function projectSeal(
  d: RedemptionBatchSealed['data'],
  stream: string,
  position: bigint,
  state: FoldState,
): ViewOp[] {
  if (state.batch(d.batchId) !== undefined) return [];
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
  const pending = state.pendingChains(d.vendorId, d.businessDay);
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

function progress(state: FoldState, batchId: string, change: (b: BatchProgress) => BatchProgress): ViewOp[] {
  const before = state.batch(batchId);
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

/** One vendor-day's pending chains during a fold: as read, then as the batch changed them. */
interface PendingDay {
  any: boolean;
  readonly all: boolean;
  /** Chains read (all of them when `all`): a read of any other is a bug, not an empty answer. */
  readonly read: ReadonlySet<string> | undefined;
  readonly chains: Map<string, readonly Segment[]>;
}

/** The fold's view of the model: the batch's reads, with each folded event's changes on top. */
export class FoldOverlay implements FoldState {
  private readonly terms: Map<string, ChainTerms>;
  private readonly batches: Map<string, BatchProgress>;
  private readonly days = new Map<string, PendingDay>();

  constructor(reads: ViewReads, read: ViewReadResults) {
    this.terms = new Map(read.terms);
    this.batches = new Map(read.batches);
    for (const [key, asked] of reads.pending) {
      const day = read.pending.get(key);
      if (day === undefined) throw new Error(`redemption fold: the view did not answer for ${key}`);
      this.days.set(key, {
        any: day.any,
        all: asked.all,
        read: asked.all ? undefined : asked.chains,
        chains: new Map(day.chains),
      });
    }
  }

  chainTerms(chainId: string): ChainTerms | undefined {
    return this.terms.get(chainId);
  }

  pendingSegments(vendorId: string, businessDay: string, chainId: string): readonly Segment[] | undefined {
    const day = this.day(vendorId, businessDay);
    if (day.read !== undefined && !day.read.has(chainId) && !day.chains.has(chainId)) {
      throw new Error(`redemption fold: chain ${chainId} of ${vendorId} on ${businessDay} was not read`);
    }
    return day.chains.get(chainId);
  }

  anyPending(vendorId: string, businessDay: string): boolean {
    return this.day(vendorId, businessDay).any;
  }

  pendingChains(vendorId: string, businessDay: string): ReadonlyMap<string, readonly Segment[]> {
    const day = this.day(vendorId, businessDay);
    if (!day.all) throw new Error(`redemption fold: ${vendorId} on ${businessDay} was not read whole`);
    return day.chains;
  }

  batch(batchId: string): BatchProgress | undefined {
    return this.batches.get(batchId);
  }

  apply(ops: readonly ViewOp[]): void {
    for (const op of ops) {
      switch (op.op) {
        case 'chain':
          this.terms.set(op.chainId, op.terms);
          break;
        case 'pending': {
          const day = this.day(op.vendorId, op.businessDay);
          if (op.segments.length > 0) {
            day.chains.set(op.chainId, op.segments);
            day.any = true;
          } else {
            day.chains.delete(op.chainId);
            if (!day.all)
              throw new Error('redemption fold: pending segments removed from a day not read whole');
            day.any = day.chains.size > 0;
          }
          break;
        }
        case 'batch':
          this.batches.set(op.progress.batchId, op.progress);
          break;
        default:
          break;
      }
    }
  }

  private day(vendorId: string, businessDay: string): PendingDay {
    const day = this.days.get(vendorDayKey(vendorId, businessDay));
    if (day === undefined) throw new Error(`redemption fold: ${vendorId} on ${businessDay} was not read`);
    return day;
  }
}
