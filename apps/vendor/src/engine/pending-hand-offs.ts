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

  async begin(pending: PendingHandOff): Promise<void> {
    this.local.set(pending.chainId, pending);
    await this.hot.markPending(pending, this.ttlMs);
  }

  async end(chainId: string): Promise<void> {
    this.local.delete(chainId);
    await this.hot.clearPending(chainId);
  }

  async get(chainId: string): Promise<PendingHandOff | undefined> {
    return this.local.get(chainId) ?? (await this.hot.readPending(chainId));
  }
}
