import { randomUUID } from 'node:crypto';
import { type Clock, SystemClock } from '../clock/clock.js';
import type {
  BeginResult,
  CompletedRequest,
  IdempotencyRecord,
  IdempotencyStore,
} from './idempotency.store.js';

/** In-process store for unit tests and single-process tools; expiry follows the injected clock. */
export class InMemoryIdempotencyStore implements IdempotencyStore {
  private readonly records = new Map<string, { record: IdempotencyRecord; expiresAt: number }>();

  constructor(private readonly clock: Clock = new SystemClock()) {}

  async begin(key: string, fingerprint: string, lockTtlMs: number): Promise<BeginResult> {
    const found = this.live(key);
    if (found?.state === 'completed')
      return { state: 'completed', fingerprint: found.fingerprint, outcome: found.outcome };
    if (found) return { state: 'in_progress', fingerprint: found.fingerprint };
    const lease = randomUUID();
    this.put(key, { state: 'in_progress', fingerprint, lease }, lockTtlMs);
    return { state: 'acquired', lease };
  }

  async complete(key: string, lease: string, result: CompletedRequest, ttlMs: number): Promise<boolean> {
    const found = this.live(key);
    if (found && !(found.state === 'in_progress' && found.lease === lease)) return false;
    this.put(key, { state: 'completed', ...result }, ttlMs);
    return true;
  }

  async release(key: string, lease: string): Promise<void> {
    const found = this.live(key);
    if (found?.state === 'in_progress' && found.lease === lease) this.records.delete(key);
  }

  private live(key: string): IdempotencyRecord | undefined {
    const entry = this.records.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.clock.now().getTime()) {
      this.records.delete(key);
      return undefined;
    }
    return entry.record;
  }

  private put(key: string, record: IdempotencyRecord, ttlMs: number): void {
    this.records.set(key, { record, expiresAt: this.clock.now().getTime() + ttlMs });
  }
}
