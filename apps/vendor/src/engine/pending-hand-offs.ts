import type { HotChainStore, PendingHandOff } from './hot-chain-store.js';

/**
 * Hand-offs this vendor is waiting for, so `GET /chains/:id` can say
 * `handoff-pending` while the previous holder is asked (on every replica:
 * the mark is also kept in the hot store, expiring on its own).
 */
export class PendingHandOffs {
  private readonly local = new Map<string, PendingHandOff>();

  constructor(
    private readonly hot: HotChainStore,
    private readonly ttlMs: number,
  ) {}

  /** The mark for other replicas is written behind: the hand-off does not wait for Redis. */
  begin(pending: PendingHandOff): void {
    this.local.set(pending.chainId, pending);
    void this.hot.markPending(pending, this.ttlMs);
  }

  end(chainId: string): void {
    this.local.delete(chainId);
    void this.hot.clearPending(chainId);
  }

  async get(chainId: string): Promise<PendingHandOff | undefined> {
    return this.local.get(chainId) ?? (await this.hot.readPending(chainId));
  }
}
