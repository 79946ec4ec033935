import type { Touchstone } from '#protocol';
import type { ChainRecord } from './chain-record.js';

/** A hand-off this vendor is waiting for: the chain is not spendable until it ends. */
export interface PendingHandOff {
  readonly chainId: string;
  readonly fromVendor: string;
  readonly since: string;
}

export interface HotRead {
  readonly record?: ChainRecord;
  readonly touchstone?: Touchstone;
}

/**
 * Hot chain state shared by the replicas of one vendor (Redis in production).
 * It is a cache of the chain streams, never the truth: a miss or a stale
 * revision falls back to the stream, and the append's expected revision
 * decides. Implementations must never throw for an unreachable backend on
 * reads (answer a miss) and may drop writes.
 */
export interface HotChainStore {
  /** The record and the touchstone of a chain, in one round trip. */
  read(chainId: string): Promise<HotRead>;
  /** Keeps `record` unless the store already has a newer revision of the chain. */
  write(record: ChainRecord): Promise<void>;
  writeTouchstone(touchstone: Touchstone): Promise<void>;
  markPending(pending: PendingHandOff, ttlMs: number): Promise<void>;
  clearPending(chainId: string): Promise<void>;
  readPending(chainId: string): Promise<PendingHandOff | undefined>;
}

/** One process only: unit tests and `EVENT_STORE=memory` demos. */
export class InMemoryHotChainStore implements HotChainStore {
  readonly records = new Map<string, ChainRecord>();
  readonly touchstones = new Map<string, Touchstone>();
  private readonly pending = new Map<string, PendingHandOff>();

  async read(chainId: string): Promise<HotRead> {
    const record = this.records.get(chainId);
    const touchstone = this.touchstones.get(chainId);
    return { ...(record ? { record } : {}), ...(touchstone ? { touchstone } : {}) };
  }

  async write(record: ChainRecord): Promise<void> {
    const known = this.records.get(record.chainId);
    if (known === undefined || known.revision < record.revision) this.records.set(record.chainId, record);
  }

  async writeTouchstone(touchstone: Touchstone): Promise<void> {
    this.touchstones.set(touchstone.chainId, touchstone);
  }

  async markPending(pending: PendingHandOff): Promise<void> {
    this.pending.set(pending.chainId, pending);
  }

  async clearPending(chainId: string): Promise<void> {
    this.pending.delete(chainId);
  }

  async readPending(chainId: string): Promise<PendingHandOff | undefined> {
    return this.pending.get(chainId);
  }

  /** Forget everything, as a flushed Redis would. */
  flush(): void {
    this.records.clear();
    this.touchstones.clear();
    this.pending.clear();
  }
}
