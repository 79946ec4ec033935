import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { InMemoryEventStore } from '#event-store';
import { deterministicEventId, streams, toNewEvent, type NetPayEvent } from '#events';
import type { Touchstone } from '#protocol';
import { RedemptionProjection } from '../apps/redemption/src/projection/redemption-projection.js';
import { RedisRedemptionView } from '../apps/redemption/src/projection/redis-redemption-view.js';
import type { BenchFigure } from './figures.js';

const CHAINS = Number(process.env.BENCH_PROJECTION_CHAINS ?? 3_000);
const VENDORS = Number(process.env.BENCH_PROJECTION_VENDORS ?? 3);
const SPENDS = Number(process.env.BENCH_PROJECTION_SPENDS ?? 12_000);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const TZ = 'Pacific/Auckland';
const META = { correlationId: 'bench', causationId: 'bench', actor: 'bench' };

const chainId = (c: number): string => `pb_${c}`;

async function append(store: InMemoryEventStore, stream: string, event: NetPayEvent, id: string) {
  await store.appendToStream(stream, [toNewEvent(event, META, deterministicEventId(id))]);
}

/** Every chain issued (coin value 1..5), then SPENDS one-coin spends round-robin over the chains. */
async function issueAll(store: InMemoryEventStore): Promise<void> {
  for (let c = 0; c < CHAINS; c++) {
    const touchstone = { chainId: chainId(c), currency: 'NZD', coinValue: 1 + (c % 5) } as Touchstone;
    const event: NetPayEvent = {
      type: 'ChainIssued',
      version: 1,
      data: { chainId: chainId(c), touchstone, wallet: 'client', at: '2026-03-10T00:00:00.000Z' },
    };
    await append(store, streams.chain(chainId(c)), event, `issue/${c}`);
  }
}

async function spendAll(store: InMemoryEventStore): Promise<void> {
  for (let k = 0; k < SPENDS; k++) {
    const c = k % CHAINS;
    const index = Math.floor(k / CHAINS) + 1;
    const event: NetPayEvent = {
      type: 'CoinsSpent',
      version: 1,
      data: {
        chainId: chainId(c),
        vendorId: `v${c % VENDORS}`,
        fromIndex: index,
        toIndex: index,
        payword: (k % 256).toString(16).padStart(2, '0').repeat(32),
        receiptId: `r_${k}`,
        at: '2026-03-10T01:00:00.000Z',
      },
    };
    await append(store, streams.chain(chainId(c)), event, `spend/${k}`);
  }
}

/** Seconds of CPU redis-server has used (INFO cpu), to put its share per event beside ours. */
async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string): number => Number(new RegExp(`^${name}:([0-9.]+)`, 'm').exec(info)?.[1] ?? 0);
  return field('used_cpu_user') + field('used_cpu_sys');
}

/**
 * The redemption projection folding a backlog of CoinsSpent events into a RedisRedemptionView
 * (real Redis) from the in-memory store: the chains' issues are folded first, untimed; then the
 * projection is stopped, the spends appended, and a new projection times catching up with them.
 * The store's own work (in-memory feed) is in the client figure; redis-server's CPU comes from
 * INFO cpu (other clients of the same server would show up there too).
 */
async function foldSpends(maxBatch: number | undefined, name: string, how: string): Promise<BenchFigure[]> {
  const redis = new Redis(REDIS_URL, {
    keyPrefix: `bench:redemption-projection:${randomUUID().slice(0, 8)}:`,
    maxRetriesPerRequest: 2,
    lazyConnect: true,
  });
  try {
    await redis.connect();
  } catch {
    console.error('redemption-projection bench: no Redis reachable, skipping');
    redis.disconnect();
    return [];
  }
  const store = new InMemoryEventStore();
  const view = new RedisRedemptionView(redis, 'view');
  const options = { subscriptionId: 'bench', timeZone: TZ, ...(maxBatch === undefined ? {} : { maxBatch }) };
  try {
    await issueAll(store);
    const issuing = new RedemptionProjection(store, view, options);
    issuing.start();
    await issuing.waitUntilCaughtUp(600_000);
    await issuing.stop();
    await spendAll(store);

    const projection = new RedemptionProjection(store, view, options);
    const redisBefore = await redisCpuSeconds(redis);
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    projection.start();
    await projection.waitUntilCaughtUp(600_000);
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const redisSeconds = (await redisCpuSeconds(redis)) - redisBefore;
    await projection.stop();

    const earned = await view.earnedOn('2026-03-10');
    const total = [...earned.values()].reduce((n, e) => n + (e.NZD ?? 0), 0);
    let expected = 0;
    for (let k = 0; k < SPENDS; k++) expected += 1 + ((k % CHAINS) % 5);
    if (total !== expected) throw new Error(`folded ${total} earned, expected ${expected}`);

    const what = `${SPENDS} CoinsSpent over ${CHAINS} chains at ${VENDORS} vendors (one business day) into Redis`;
    return [
      {
        name: `redemption.projection-spends${name}`,
        value: SPENDS / seconds,
        unit: 'events/s',
        description: `redemption projection (${how}) catching up with ${what}`,
      },
      {
        name: `redemption.projection-cpu-per-spend${name}`,
        value: (cpu.user + cpu.system) / SPENDS,
        unit: 'µs/event',
        description: 'CPU of the projection process per CoinsSpent (user + system)',
      },
      {
        name: `redemption.projection-redis-cpu-per-spend${name}`,
        value: (redisSeconds * 1e6) / SPENDS,
        unit: 'µs/event',
        description: 'CPU of redis-server per CoinsSpent (INFO cpu, whole server)',
      },
    ];
  } finally {
    await view.drop().catch(() => undefined);
    await store.close();
    await redis.quit();
  }
}

export default async function redemptionProjectionBenchmarks(): Promise<BenchFigure[]> {
  return [
    ...(await foldSpends(undefined, '', 'default batches')),
    ...(await foldSpends(1, '-one-at-a-time', 'maxBatch 1')),
  ];
}
