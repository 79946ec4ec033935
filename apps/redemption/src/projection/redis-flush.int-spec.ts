import { afterEach, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { redisRetryStrategy } from '#platform';
import { PrivateRedis } from '../../../vendor/test/private-redis.js';
import { intStack, type IntStack } from '../../test/int-stack.js';
import { nightFixture, type NightFixture } from '../../test/night-fixture.js';
import { honestDay } from '../../test/scenarios.js';
import { RedisRedemptionView } from './redis-redemption-view.js';

describe('the redemption read model in a Redis that is flushed or replaced (private redis-server, JetStream)', () => {
  let stack: IntStack | undefined;
  let redis: PrivateRedis | undefined;
  let client: Redis | undefined;
  let f: NightFixture | undefined;

  afterEach(async () => {
    await f?.dispose();
    client?.disconnect();
    await redis?.stop();
    await stack?.dispose();
  });

  it('keeps the last folded event beside its checkpoint, and forgets it with the rest on reset', async () => {
    stack = await intStack();
    const view = new RedisRedemptionView(stack.redis, 'anchored');
    await view.reset('g1');
    expect(await view.anchor()).toBeUndefined();
    await view.commit([], 7n, 'evt-7');
    expect(await view.anchor()).toEqual({ position: 7n, eventId: 'evt-7' });
    // A checkpoint moved past events the filter dropped (no event id) leaves the anchor where it was.
    await view.store('redemption', 9n);
    expect([await view.position(), await view.anchor()]).toEqual([9n, { position: 7n, eventId: 'evt-7' }]);
    await view.reset('g2');
    expect([await view.position(), await view.anchor()]).toEqual([undefined, undefined]);
  });

  it('after FLUSHALL under spends, rebuilds by itself and the next night pays each vendor exactly what it sold', async () => {
    redis = await PrivateRedis.start();
    if (redis === undefined) return; // no redis-server binary: never flush the shared one
    stack = await intStack();
    client = new Redis(redis.url, { keyPrefix: 'redemption:', retryStrategy: redisRetryStrategy() });
    f = await nightFixture({ store: stack.store, view: new RedisRedemptionView(client, 'live') });
    await f.vendors('va', 'vb', 'vc');
    await honestDay(f.world);
    await f.worker.night.run();
    expect([await f.balance('va'), await f.balance('vb'), await f.balance('vc')]).toEqual([30, 30, 15]);

    // The 11th: spends before and after a FLUSHALL of the worker's Redis.
    f.world.at('2026-03-11T01:00:00.000Z');
    await f.world.issue('c3');
    await f.world.spend('c3', 'va', 4);
    await f.worker.projection.waitUntilCaughtUp();
    const admin = new Redis(redis.url);
    await admin.flushall();
    await f.world.spend('c3', 'va', 1);
    await f.world.issue('c4');
    await f.world.spend('c4', 'vb', 2);

    f.clock.advance(24 * 3600_000);
    const report = await f.worker.night.run();
    expect(report.failures).toEqual([]);
    expect(report.sealed.map((s) => [s.vendorId, s.businessDay])).toEqual([
      ['va', '2026-03-11'],
      ['vb', '2026-03-11'],
    ]);
    // va: 30 + 5 coins × 5; vb: 30 + 2 × 5; nobody paid twice for the 10th.
    expect([await f.balance('va'), await f.balance('vb'), await f.balance('vc')]).toEqual([55, 40, 15]);
    expect(f.worker.projection.rebuildCount()).toBeGreaterThanOrEqual(1);

    // A new, empty Redis in its place: rebuilt again, and a night then pays nothing more.
    await redis.halt();
    await redis.resume();
    await admin.quit();
    const again = await f.worker.night.run();
    expect(again.failures).toEqual([]);
    expect(again.sealed).toEqual([]);
    expect(again.outcomes.filter((o) => o.status === 'paid')).toEqual([]);
    expect([await f.balance('va'), await f.balance('vb'), await f.balance('vc')]).toEqual([55, 40, 15]);
  }, 120_000);
});
