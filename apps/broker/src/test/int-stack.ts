// Real servers for the broker's integration tests: a JetStream store of its own, a Redis prefix
// of its own, and a NATS client speaking to the broker like a vendor does.
import { randomUUID } from 'node:crypto';
import { type ClientProxy, ClientProxyFactory, Transport } from '@nestjs/microservices';
import { Redis } from 'ioredis';
import type { Reply } from '#contracts';
import type { JetStreamEventStore } from '#event-store';
import { connectTestStore, TEST_NATS_URL, testNatsEnv, testNatsOptions } from '#event-store/testing';
import { firstValueFrom, timeout } from 'rxjs';
import type { BrokerConfig } from '../broker.config.js';
import { testBrokerConfig } from './broker-harness.js';

export const NATS_URL = TEST_NATS_URL;
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface IntStack {
  readonly store: JetStreamEventStore;
  /** The store's JetStream stream and subject prefix (for a broker in another process). */
  readonly streamName: string;
  readonly subjectPrefix: string;
  /** The environment the broker under test was configured with (NATS identity, Redis). */
  readonly env: Record<string, string>;
  readonly config: BrokerConfig;
  readonly nats: ClientProxy;
  /** Every raw NATS reply this stack received, for the anonymity scan. */
  readonly replies: unknown[];
  request<T>(subject: string, data: unknown): Promise<Reply<T>>;
  dispose(): Promise<void>;
}

export async function intStack(env: Record<string, string> = {}): Promise<IntStack> {
  const unique = randomUUID().replaceAll('-', '').slice(0, 12);
  const streamName = `TEST_BROKER_${unique}`;
  const subjectPrefix = `test.broker${unique}.events`;
  const store = await connectTestStore({ streamName, subjectPrefix }, 'broker');
  const redisKeyPrefix = `test:broker:${unique}:`;
  // The broker under test runs as `broker`; this client asks like a vendor does.
  const brokerEnv = { ...testNatsEnv('broker'), REDIS_URL, REDIS_KEY_PREFIX: redisKeyPrefix, ...env };
  const config = testBrokerConfig(brokerEnv);
  const nats = ClientProxyFactory.create({
    transport: Transport.NATS,
    options: testNatsOptions('vendor-va'),
  });
  await nats.connect();
  const replies: unknown[] = [];
  return {
    store,
    streamName,
    subjectPrefix,
    env: brokerEnv,
    config,
    nats,
    replies,
    async request<T>(subject: string, data: unknown): Promise<Reply<T>> {
      const reply = await firstValueFrom(nats.send<Reply<T>>(subject, data).pipe(timeout(5_000)));
      replies.push(reply);
      return reply;
    },
    async dispose(): Promise<void> {
      await nats.close();
      await store.deleteStreams().catch(() => undefined);
      await store.close();
      const redis = new Redis(REDIS_URL);
      const keys = await redis.keys(`${redisKeyPrefix}*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    },
  };
}
