// Real servers for the redemption integration tests: a JetStream stream of its own per test and a
// Redis key prefix of its own, both removed afterwards.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { JetStreamEventStore } from '#event-store';
import { connectTestStore, TEST_NATS_URL, testNatsIdentity } from '#event-store/testing';

export const NATS_URL = TEST_NATS_URL;
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface IntStack {
  readonly store: JetStreamEventStore;
  readonly redis: Redis;
  readonly unique: string;
  readonly redisKeyPrefix: string;
  /** Another connection to the same JetStream stream (a second process). */
  connectAgain(): Promise<JetStreamEventStore>;
  dispose(): Promise<void>;
}

export async function intStack(): Promise<IntStack> {
  const unique = randomUUID().replaceAll('-', '').slice(0, 12);
  const settings = {
    servers: NATS_URL,
    streamName: `TEST_REDEMPTION_${unique}`,
    subjectPrefix: `test.redemption${unique}.events`,
  };
  // Fixtures seed chains and broker streams: the test identity (the worker's own connections: connectAgain).
  const store = await connectTestStore(settings);
  const redisKeyPrefix = `test:redemption:${unique}:`;
  const redis = new Redis(REDIS_URL, { keyPrefix: redisKeyPrefix, maxRetriesPerRequest: 2 });
  const others: JetStreamEventStore[] = [];
  return {
    store,
    redis,
    unique,
    redisKeyPrefix,
    async connectAgain() {
      const other = await JetStreamEventStore.connect({ ...settings, ...testNatsIdentity('redemption') });
      others.push(other);
      return other;
    },
    async dispose() {
      for (const other of others) await other.close();
      await store.deleteStreams().catch(() => undefined);
      await store.close();
      const plain = new Redis(REDIS_URL);
      let cursor = '0';
      do {
        const [next, keys] = await plain.scan(cursor, 'MATCH', `${redisKeyPrefix}*`, 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) await plain.del(...keys);
      } while (cursor !== '0');
      await plain.quit();
      await redis.quit();
    },
  };
}
