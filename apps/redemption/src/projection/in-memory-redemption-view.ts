import type { GlobalPosition } from '#event-store';
import type { Segment } from '../domain/segments.js';
import {
  byDayThenVendor,
  bySealOrder,
  type BatchProgress,
  type ChainTerms,
  type Earnings,
  type RedemptionView,
  type PendingRead,
  type VendorDay,
  type ViewOp,
  type ViewReadResults,
  type ViewReads,
  type ViewAnchor,
  vendorDayKey as key,
} from './redemption-view.js';

/** The read model in process memory: unit tests, and demos with EVENT_STORE=memory. */
export class InMemoryRedemptionView implements RedemptionView {
  private readonly terms = new Map<string, ChainTerms>();
  private readonly pending = new Map<string, Map<string, readonly Segment[]>>();
  private readonly marked = new Set<string>();
  private readonly earned = new Map<string, Map<string, Record<string, number>>>();
  private readonly batches = new Map<string, BatchProgress>();
  private readonly open = new Set<string>();
  private checkpoint: GlobalPosition | undefined;
  private anchored: ViewAnchor | undefined;
  private marker: string | undefined;

  async generation(): Promise<string | undefined> {
    return this.marker;
  }

  async reset(id: string): Promise<void> {
    this.lose();
    this.marker = id;
  }

  /** Loses everything, the generation marker included, as a flushed Redis would (tests). */
  lose(): void {
    for (const m of [this.terms, this.pending, this.earned, this.batches]) m.clear();
    this.marked.clear();
    this.open.clear();
    this.checkpoint = undefined;
    this.anchored = undefined;
    this.marker = undefined;
  }

  async commit(ops: readonly ViewOp[], position: GlobalPosition, eventId?: string): Promise<void> {
    for (const op of ops) this.apply(op);
    this.checkpoint = position;
    if (eventId !== undefined) this.anchored = { position, eventId };
  }

  async anchor(): Promise<ViewAnchor | undefined> {
    return this.anchored;
  }

  async load(): Promise<GlobalPosition | undefined> {
    return this.checkpoint;
  }

  async store(_subscriptionId: string, position: GlobalPosition): Promise<void> {
    this.checkpoint = position;
  }

  async position(): Promise<GlobalPosition | undefined> {
    return this.checkpoint;
  }

  async read(reads: ViewReads): Promise<ViewReadResults> {
    const terms = new Map<string, ChainTerms>();
    for (const chainId of reads.terms) {
      const t = this.terms.get(chainId);
      if (t !== undefined) terms.set(chainId, t);
    }
    const pending = new Map<string, PendingRead>();
    for (const [k, asked] of reads.pending) {
      const chains = this.pending.get(k) ?? new Map<string, readonly Segment[]>();
      const wanted = asked.all ? [...chains.keys()] : [...asked.chains].filter((c) => chains.has(c));
      pending.set(k, { any: chains.size > 0, chains: new Map(wanted.map((c) => [c, [...chains.get(c)!]])) });
    }
    const batches = new Map<string, BatchProgress>();
    for (const batchId of reads.batches) {
      const b = this.batches.get(batchId);
      if (b !== undefined) batches.set(batchId, b);
    }
    return { terms, pending, batches };
  }

  async chainTerms(chainId: string): Promise<ChainTerms | undefined> {
    return this.terms.get(chainId);
  }

  async pendingChains(vendorId: string, businessDay: string): Promise<Map<string, readonly Segment[]>> {
    return new Map(this.pending.get(key(vendorId, businessDay)) ?? []);
  }

  async pendingVendorDays(upTo?: string): Promise<VendorDay[]> {
    return [...this.marked]
      .map((k) => {
        const [businessDay = '', vendorId = ''] = k.split('|');
        return { businessDay, vendorId };
      })
      .filter((d) => upTo === undefined || d.businessDay <= upTo)
      .sort(byDayThenVendor);
  }

  async batch(batchId: string): Promise<BatchProgress | undefined> {
    return this.batches.get(batchId);
  }

  async openBatches(): Promise<BatchProgress[]> {
    return [...this.open].map((id) => this.batches.get(id)!).sort(bySealOrder);
  }

  async earnedOn(businessDay: string): Promise<Map<string, Earnings>> {
    const day = this.earned.get(businessDay) ?? new Map<string, Record<string, number>>();
    return new Map([...day].map(([vendorId, e]) => [vendorId, { ...e }]));
  }

  private apply(op: ViewOp): void {
    switch (op.op) {
      case 'chain':
        this.terms.set(op.chainId, op.terms);
        return;
      case 'pending': {
        const k = key(op.vendorId, op.businessDay);
        const chains = this.pending.get(k) ?? new Map<string, readonly Segment[]>();
        if (op.segments.length === 0) chains.delete(op.chainId);
        else chains.set(op.chainId, [...op.segments]);
        if (chains.size === 0) this.pending.delete(k);
        else this.pending.set(k, chains);
        return;
      }
      case 'mark-pending':
        this.marked.add(key(op.vendorId, op.businessDay));
        return;
      case 'unmark-pending':
        this.marked.delete(key(op.vendorId, op.businessDay));
        return;
      case 'earned': {
        const day = this.earned.get(op.businessDay) ?? new Map<string, Record<string, number>>();
        const e = day.get(op.vendorId) ?? {};
        e[op.currency] = (e[op.currency] ?? 0) + op.amount;
        day.set(op.vendorId, e);
        this.earned.set(op.businessDay, day);
        return;
      }
      case 'batch':
        this.batches.set(op.progress.batchId, op.progress);
        return;
      case 'open':
        this.open.add(op.batchId);
        return;
      case 'settle':
        this.open.delete(op.batchId);
        return;
      default: {
        const unreachable: never = op;
        return unreachable;
      }
    }
  }
}
