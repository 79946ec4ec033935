import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import type { ChainRecord } from './chain-record.js';
import { RedisHotChainStore } from './redis-hot-chain-store.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const record = (chainId: string, revision: number): ChainRecord => ({
  status: 'open',
  chainId,
  wallet: 'client',
  index: revision + 1,
  lastPayword: `${revision}`.padStart(64, '0'),
  holder: 'v1',
  revision,
});

/** A stand-in client that only records the calls of the script the store defines. */
function scriptCalls(): { calls: unknown[][]; client: Redis } {
  const calls: unknown[][] = [];
  const client = {
    defineCommand: () => undefined,
    netpayPutChainsIfNewer: (...args: unknown[]) => {
      calls.push(args);
      return Promise.resolve(0);
    },
  };
  return { calls, client: client as unknown as Redis };
}

/** The write-behind of spends to Redis, batched over a few milliseconds (real Redis). */
describe('RedisHotChainStore write-behind', () => {
  const prefix = `test:hot:${randomUUID()}:`;
  let redis: Redis;
  let store: RedisHotChainStore;

  beforeAll(() => {
    redis = new Redis(REDIS_URL, { keyPrefix: prefix, enableAutoPipelining: true });
    store = new RedisHotChainStore(redis, { ttlMs: 60_000 });
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    // keys() answers them with the prefix; unlink through a client without one.
    const plain = new Redis(REDIS_URL);
    if (keys.length) await plain.unlink(...keys);
    await plain.quit();
    await redis.quit();
  });

  it('writes every record of one turn in one call', async () => {
    const { calls, client } = scriptCalls();
    const counted = new RedisHotChainStore(client, { ttlMs: 1_000 });
    await Promise.all([1, 2, 3].map((i) => counted.write(record(`c${i}`, i))));
    await counted.write(record('c4', 4));
    expect(calls.map((args) => args[0])).toEqual([3, 1]);
    expect(calls[0]!.slice(1, 4)).toEqual(['chain:c1', 'chain:c2', 'chain:c3']);
    expect(calls[0]!.at(-1)).toBe(1_000);
  });

  it('gathers the records of several turns within its linger into one call, and a full batch at once', async () => {
    const { calls, client } = scriptCalls();
    const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
    const lingering = new RedisHotChainStore(client, { ttlMs: 1_000, writeLingerMs: 50 });
    const writes: Promise<void>[] = [];
    for (const i of [1, 2, 3]) {
      writes.push(lingering.write(record(`c${i}`, i)));
      await nextTurn();
    }
    expect(calls).toEqual([]); // still lingering
    await Promise.all(writes);
    expect(calls.map((args) => args[0])).toEqual([3]);
    // Without a linger, each turn's records go out at the end of the turn.
    calls.length = 0;
    const perTurn = new RedisHotChainStore(client, { ttlMs: 1_000, writeLingerMs: 0 });
    for (const i of [1, 2, 3]) {
      await perTurn.write(record(`c${i}`, i));
      await nextTurn();
    }
    expect(calls.map((args) => args[0])).toEqual([1, 1, 1]);
    // A full batch (256 chains) does not wait for the linger.
    calls.length = 0;
    const full = new RedisHotChainStore(client, { ttlMs: 1_000, writeLingerMs: 60_000 });
    await Promise.all(Array.from({ length: 256 }, (_, i) => full.write(record(`f${i}`, 1))));
    expect(calls.map((args) => args[0])).toEqual([256]);
  });

  it('writes what is queued when the application stops, without waiting for the linger', async () => {
    const id = `c_${randomUUID().slice(0, 8)}`;
    const stopping = new RedisHotChainStore(redis, { ttlMs: 60_000, writeLingerMs: 60_000 });
    void stopping.write(record(id, 7));
    await stopping.beforeApplicationShutdown();
    expect((await store.read(id)).record).toEqual(record(id, 7));
    await stopping.beforeApplicationShutdown(); // nothing queued: nothing to do
    // A spend finishing while the application closes is written at once, not after the linger.
    const late = `c_${randomUUID().slice(0, 8)}`;
    await stopping.write(record(late, 2));
    expect((await store.read(late)).record).toEqual(record(late, 2));
  });

  it('lands every record of a batch in Redis', async () => {
    const ids = Array.from({ length: 20 }, () => `c_${randomUUID().slice(0, 8)}`);
    await Promise.all(ids.map((id, i) => store.write(record(id, i + 1))));
    for (const [i, id] of ids.entries()) {
      const read = await store.read(id);
      expect(read.record).toEqual(record(id, i + 1));
    }
  });

  it('never puts an older revision back: within one batch, or over a newer one already stored', async () => {
    const id = `c_${randomUUID().slice(0, 8)}`;
    await Promise.all([store.write(record(id, 5)), store.write(record(id, 3))]);
    expect((await store.read(id)).record?.revision).toBe(5);
    await store.write(record(id, 4));
    expect((await store.read(id)).record?.revision).toBe(5);
    await store.write(record(id, 6));
    expect((await store.read(id)).record?.revision).toBe(6);
  });

  it('resolves the write (and reports the error) when Redis cannot be reached', async () => {
    const errors: unknown[] = [];
    const unreachable = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    const failing = new RedisHotChainStore(unreachable, { ttlMs: 60_000, onError: (e) => errors.push(e) });
    await failing.write(record('c_gone', 1));
    expect(errors.length).toBe(1);
    unreachable.disconnect();
  });
});
