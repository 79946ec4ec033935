import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Test } from '@nestjs/testing';
import type { Redis } from 'ioredis';
import { PrivateRedis } from '../../../../apps/vendor/test/private-redis.js';
import { NetPayError } from '../errors/netpay-error.js';
import { redisEdge } from './redis-errors.js';
import { REDIS, RedisModule } from './redis.module.js';

// A Redis that hangs (stopped, or behind a black hole) keeps its connections open: without a
// command time-out every call waited until it woke, and so did every request (a fault probe saw
// purchases hang 60 s). With one, the call fails as Redis away, and the service answers 503.
describe('a Redis that stops answering', () => {
  let redis: PrivateRedis | undefined;
  let client: Redis;
  let close: () => Promise<void>;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    if (!redis) return;
    const module = await Test.createTestingModule({
      imports: [RedisModule.forRoot({ url: redis.url, keyPrefix: 'hang:', commandTimeoutMs: 300 })],
    }).compile();
    await module.init();
    client = module.get<Redis>(REDIS);
    close = () => module.close();
  }, 30_000);

  afterAll(async () => {
    redis?.thaw();
    await close?.();
    await redis?.stop();
  });

  it('fails a command with REDIS.UNAVAILABLE (503) instead of waiting, and works again once it answers', async () => {
    if (!redis) {
      console.log('SKIPPED: no redis-server binary for a private server (apt-get install redis-server)');
      return;
    }
    await client.set('k', 'before');
    redis.freeze();
    const failed = await redisEdge('read k', () => client.get('k')).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(NetPayError);
    expect(failed).toMatchObject({ code: 'REDIS.UNAVAILABLE', status: 503 });
    redis.thaw();
    expect(await client.get('k')).toBe('before');
  }, 20_000);
});
