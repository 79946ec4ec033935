import type { CheckpointStore, GlobalPosition } from '#event-store';
import type { Segment } from '../domain/segments.js';

/** What the projection keeps of a chain: enough to group items by currency and value them. */
export interface ChainTerms {
  readonly currency: string;
  readonly coinValue: number;
}

/** A sealed batch's progress, for finding the batches a night still has to verify or pay. */
export interface BatchProgress {
  readonly batchId: string;
  readonly stream: string;
  readonly vendorId: string;
  readonly businessDay: string;
  readonly source: 'broker' | 'vendor';
  readonly items: number;
  readonly verdicts: number;
  /** Σ accepted amounts. */
  readonly accepted: number;
  readonly paid: boolean;
  /** Global position of the seal (decimal string: positions are bigints). */
  readonly sealedAt: string;
}

export interface VendorDay {
  readonly businessDay: string;
  readonly vendorId: string;
}

/** Value spent at a vendor on a day, per currency (minor units). */
export type Earnings = Readonly<Record<string, number>>;

/** One change to the read model. A handled event's changes and its position commit atomically. */
export type ViewOp =
  | { readonly op: 'chain'; readonly chainId: string; readonly terms: ChainTerms }
  /** The not-yet-sealed spends of a vendor on a chain and day; `[]` removes them. */
  | {
      readonly op: 'pending';
      readonly vendorId: string;
      readonly businessDay: string;
      readonly chainId: string;
      readonly segments: readonly Segment[];
    }
  | { readonly op: 'mark-pending'; readonly vendorId: string; readonly businessDay: string }
  | { readonly op: 'unmark-pending'; readonly vendorId: string; readonly businessDay: string }
  | {
      readonly op: 'earned';
      readonly vendorId: string;
      readonly businessDay: string;
      readonly currency: string;
      readonly amount: number;
    }
  | { readonly op: 'batch'; readonly progress: BatchProgress }
  | { readonly op: 'open'; readonly batchId: string }
  | { readonly op: 'settle'; readonly batchId: string };

/** How the read model names a vendor's business day: `<day>|<vendor>`. */
export function vendorDayKey(vendorId: string, businessDay: string): string {
  return `${businessDay}|${vendorId}`;
}

/** The pending segments a fold reads of one vendor-day. */
export interface PendingReads {
  readonly vendorId: string;
  readonly businessDay: string;
  /** Chains whose segments are read (the spends of the batch). */
  readonly chains: ReadonlySet<string>;
  /** Every chain of the day is read (a seal takes items out of it). */
  readonly all: boolean;
}

/** Everything folding a batch of events reads of the model, gathered first to fetch it at once. */
export interface ViewReads {
  readonly terms: ReadonlySet<string>;
  /** By `vendorDayKey`. */
  readonly pending: ReadonlyMap<string, PendingReads>;
  readonly batches: ReadonlySet<string>;
}

/** What the model held of one vendor-day's pending chains. */
export interface PendingRead {
  /** The day had any pending chain at all. */
  readonly any: boolean;
  /** The chains asked for that have segments (every chain of the day when all were asked for). */
  readonly chains: ReadonlyMap<string, readonly Segment[]>;
}

/** The answers to `ViewReads`: only what exists (a chain without terms is absent). */
export interface ViewReadResults {
  readonly terms: ReadonlyMap<string, ChainTerms>;
  /** By `vendorDayKey`, one per vendor-day asked for. */
  readonly pending: ReadonlyMap<string, PendingRead>;
  readonly batches: ReadonlyMap<string, BatchProgress>;
}

/** An event the view folded: where it was in the log, and its id. */
export interface ViewAnchor {
  readonly position: GlobalPosition;
  readonly eventId: string;
}

export interface RedemptionViewReader {
  chainTerms(chainId: string): Promise<ChainTerms | undefined>;
  /** Unsealed spends of a vendor on a day, per chain. */
  pendingChains(vendorId: string, businessDay: string): Promise<Map<string, readonly Segment[]>>;
  /** Vendor-days with unsealed spends, on or before `upTo` when given, by day then vendor. */
  pendingVendorDays(upTo?: string): Promise<VendorDay[]>;
  batch(batchId: string): Promise<BatchProgress | undefined>;
  /** Sealed batches not yet verified and paid, in sealing order. */
  openBatches(): Promise<BatchProgress[]>;
  /** Value spent per vendor on a day (sealed or not), per currency. */
  earnedOn(businessDay: string): Promise<Map<string, Earnings>>;
  /** The last position folded in (the projection's checkpoint). */
  position(): Promise<GlobalPosition | undefined>;
}

/**
 * The redemption read model. It is also its own checkpoint store: `commit` writes a batch of
 * events' changes and the checkpoint in one atomic step, so a crash can neither skip nor repeat one.
 */
export interface RedemptionView extends RedemptionViewReader, CheckpointStore {
  /**
   * The generation marker: written by `reset` when a build from zero starts, never by a commit.
   * Absent while a checkpoint may be there, the storage was lost (flushed, evicted, a new empty
   * Redis): the checkpoint no longer vouches for the data.
   */
  generation(): Promise<string | undefined>;
  /** Forgets everything (data and checkpoint) and starts generation `id`, empty. */
  reset(id: string): Promise<void>;
  /** Everything a batch's fold reads, in one go (one round trip to Redis). */
  read(reads: ViewReads): Promise<ViewReadResults>;
  /**
   * Applies the changes in order and moves the checkpoint to `position`, atomically. `eventId`:
   * the id of the event at `position` (the last one folded), kept with it as the view's anchor.
   */
  commit(ops: readonly ViewOp[], position: GlobalPosition, eventId?: string): Promise<void>;
  /**
   * The last event folded, as `commit` recorded it: a start that finds another event at that
   * position in the log knows the view was built from another log (the store set up again).
   */
  anchor(): Promise<ViewAnchor | undefined>;
}

export function bySealOrder(a: BatchProgress, b: BatchProgress): number {
  const x = BigInt(a.sealedAt);
  const y = BigInt(b.sealedAt);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function byDayThenVendor(a: VendorDay, b: VendorDay): number {
  return a.businessDay.localeCompare(b.businessDay) || a.vendorId.localeCompare(b.vendorId);
}
