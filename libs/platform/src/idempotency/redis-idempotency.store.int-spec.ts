import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { idempotencyStoreContract } from './idempotency-store.contract.js';
import { RedisIdempotencyStore } from './redis-idempotency.store.js';

const keyPrefix = `test:platform:${randomUUID()}:`;
const redis = new Redis('redis://127.0.0.1:6379', { keyPrefix });
const raw = new Redis('redis://127.0.0.1:6379');
const store = new RedisIdempotencyStore(redis);
let n = 0;

afterAll(async () => {
  const keys = await raw.keys(`${keyPrefix}*`);
  if (keys.length) await raw.del(...keys);
  await Promise.all([redis.quit(), raw.quit()]);
});

idempotencyStoreContract(
  'redis',
  () => ({ store, elapse: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) }),
  () => `key-${++n}`,
);

describe('RedisIdempotencyStore', () => {
  it("keeps its records under the client's keyPrefix and its own prefix, with a TTL", async () => {
    const begun = await store.begin('prefixed', 'fp', 10_000);
    if (begun.state !== 'acquired') throw new Error('expected to acquire');
    await store.complete(
      'prefixed',
      begun.lease,
      { fingerprint: 'fp', outcome: { kind: 'response', status: 200 } },
      60_000,
    );
    const stored = `${keyPrefix}idempotency:prefixed`;
    expect(await raw.exists(stored)).toBe(1);
    const ttl = await raw.pttl(stored);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('still works after Redis forgets its scripts (SCRIPT FLUSH, as after a restart)', async () => {
    expect(await store.begin('before-flush', 'fp', 10_000)).toMatchObject({ state: 'acquired' });
    await raw.script('FLUSH');
    expect(await store.begin('after-flush', 'fp', 10_000)).toMatchObject({ state: 'acquired' });
    expect(await store.begin('after-flush', 'fp', 10_000)).toMatchObject({
      state: 'in_progress',
      fingerprint: 'fp',
    });
  });
});
