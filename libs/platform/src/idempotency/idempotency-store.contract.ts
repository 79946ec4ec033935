import { describe, expect, it } from '@jest/globals';
import type { IdempotencyStore, StoredOutcome } from './idempotency.store.js';

export interface StoreFixture {
  store: IdempotencyStore;
  /** Let `ms` milliseconds pass for the store's expiry (a manual clock, or a real wait). */
  elapse: (ms: number) => Promise<void>;
}

const ok: StoredOutcome = { kind: 'response', status: 201, body: '{"chainId":"c1"}' };

/** One suite for every `IdempotencyStore` adapter: they must behave the same. */
export function idempotencyStoreContract(
  name: string,
  fixture: () => StoreFixture,
  uniqueKey: () => string,
): void {
  describe(`IdempotencyStore contract: ${name}`, () => {
    it('gives a fresh key to the first caller and reports it in progress to the next', async () => {
      const { store } = fixture();
      const key = uniqueKey();
      expect(await store.begin(key, 'fp-1', 10_000)).toEqual({
        state: 'acquired',
        lease: expect.any(String),
      });
      expect(await store.begin(key, 'fp-2', 10_000)).toEqual({ state: 'in_progress', fingerprint: 'fp-1' });
    });

    it('answers the completed outcome with its fingerprint once the holder completes', async () => {
      const { store } = fixture();
      const key = uniqueKey();
      const begun = await store.begin(key, 'fp-1', 10_000);
      if (begun.state !== 'acquired') throw new Error('expected to acquire');
      expect(await store.complete(key, begun.lease, { fingerprint: 'fp-1', outcome: ok }, 60_000)).toBe(true);
      expect(await store.begin(key, 'fp-1', 10_000)).toEqual({
        state: 'completed',
        fingerprint: 'fp-1',
        outcome: ok,
      });
    });

    it('refuses to complete or release with a lease it did not hand out', async () => {
      const { store } = fixture();
      const key = uniqueKey();
      await store.begin(key, 'fp-1', 10_000);
      expect(await store.complete(key, 'not-the-lease', { fingerprint: 'fp-x', outcome: ok }, 60_000)).toBe(
        false,
      );
      await store.release(key, 'not-the-lease');
      expect(await store.begin(key, 'fp-1', 10_000)).toEqual({ state: 'in_progress', fingerprint: 'fp-1' });
    });

    it('frees the key on release so that a retry runs', async () => {
      const { store } = fixture();
      const key = uniqueKey();
      const begun = await store.begin(key, 'fp-1', 10_000);
      if (begun.state !== 'acquired') throw new Error('expected to acquire');
      await store.release(key, begun.lease);
      expect((await store.begin(key, 'fp-1', 10_000)).state).toBe('acquired');
    });

    it('lets an abandoned lock expire, and the stale holder then cannot complete', async () => {
      const { store, elapse } = fixture();
      const key = uniqueKey();
      const first = await store.begin(key, 'fp-1', 40);
      await elapse(120);
      const second = await store.begin(key, 'fp-1', 10_000);
      expect(second.state).toBe('acquired');
      if (first.state !== 'acquired' || second.state !== 'acquired') throw new Error('expected to acquire');
      expect(second.lease).not.toBe(first.lease);
      expect(await store.complete(key, first.lease, { fingerprint: 'fp-1', outcome: ok }, 60_000)).toBe(
        false,
      );
    });

    it('still records the outcome when the lock expired and nobody took the key', async () => {
      const { store, elapse } = fixture();
      const key = uniqueKey();
      const begun = await store.begin(key, 'fp-1', 40);
      if (begun.state !== 'acquired') throw new Error('expected to acquire');
      await elapse(120);
      expect(await store.complete(key, begun.lease, { fingerprint: 'fp-1', outcome: ok }, 60_000)).toBe(true);
      expect((await store.begin(key, 'fp-1', 10_000)).state).toBe('completed');
    });

    it('forgets a completed outcome after its TTL', async () => {
      const { store, elapse } = fixture();
      const key = uniqueKey();
      const begun = await store.begin(key, 'fp-1', 10_000);
      if (begun.state !== 'acquired') throw new Error('expected to acquire');
      await store.complete(key, begun.lease, { fingerprint: 'fp-1', outcome: ok }, 40);
      await elapse(120);
      expect((await store.begin(key, 'fp-1', 10_000)).state).toBe('acquired');
    });

    it('hands a key to exactly one of many concurrent callers', async () => {
      const { store } = fixture();
      const key = uniqueKey();
      const results = await Promise.all(Array.from({ length: 20 }, () => store.begin(key, 'fp-1', 10_000)));
      expect(results.filter((r) => r.state === 'acquired')).toHaveLength(1);
      expect(results.filter((r) => r.state === 'in_progress')).toHaveLength(19);
    });

    it('keeps keys apart', async () => {
      const { store } = fixture();
      const [a, b] = [uniqueKey(), uniqueKey()];
      await store.begin(a, 'fp-a', 10_000);
      expect((await store.begin(b, 'fp-b', 10_000)).state).toBe('acquired');
    });
  });
}
