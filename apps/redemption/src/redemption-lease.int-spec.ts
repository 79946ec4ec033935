// Two real redemption worker processes on one view, behind the lease in JetStream: one runs the
// nights, the other waits; the leader is paused (SIGSTOP) and then killed (SIGKILL) mid-day, the
// standby takes over each time, and no spend is sealed twice and no batch paid twice.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { testNatsEnv } from '#event-store/testing';
import type { RecordedEvent } from '#event-store';
import { intStack, type IntStack } from '../test/int-stack.js';
import { nightFixture, WORKER_SIGNER, type NightFixture } from '../test/night-fixture.js';
import { ensureWorkerBuilt, WorkerProcess } from '../test/worker-process.js';

const DAY = '2026-03-10';
const ADMIN = 'lease-test-admin-token';
const TTL_MS = 3_000;

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 90_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('the redemption worker behind its lease (two processes, JetStream)', () => {
  let stack: IntStack;
  let f: NightFixture;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    ensureWorkerBuilt();
    stack = await intStack();
    f = await nightFixture({ store: stack.store });
    await f.vendors('va', 'vb', 'vc');
  }, 300_000);
  afterAll(async () => {
    for (const w of workers) {
      if (w.child.signalCode === 'SIGSTOP') w.child.kill('SIGCONT');
      await w.kill();
    }
    await f?.dispose();
    await stack?.dispose();
  });

  const env = (): Record<string, string> => ({
    ...testNatsEnv('redemption'),
    EVENT_STORE: 'jetstream',
    EVENT_STORE_STREAM: `TEST_REDEMPTION_${stack.unique}`,
    EVENT_STORE_SUBJECT_PREFIX: `test.redemption${stack.unique}.events`,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_KEY_PREFIX: `${stack.redisKeyPrefix}workers:`,
    BROKER_PUBLIC_KEYS: f.world.brokerKeys.map((k) => `${k.keyId}:${k.publicKey}`).join(','),
    BROKER_ID: 'broker',
    REDEMPTION_KEY_ID: WORKER_SIGNER.keyId,
    REDEMPTION_SIGNING_KEY: '2a'.repeat(32),
    REDEMPTION_TIME_ZONE: 'Pacific/Auckland',
    REDEMPTION_SCHEDULE: 'false',
    REDEMPTION_LEASE_TTL: `${TTL_MS}ms`,
    ADMIN_TOKEN: ADMIN,
    LOG_LEVEL: 'log',
  });

  /** Both ask for the night at once, as two schedulers (or an operator's retries) would. */
  async function nightOnBoth(leader: WorkerProcess, standby: WorkerProcess): Promise<void> {
    for (let round = 0; round < 3; round++) {
      const [a, b] = await Promise.all([leader.runNight(DAY, ADMIN), standby.runNight(DAY, ADMIN)]);
      expect(a.status).toBe(200);
      expect(a.body.failures).toEqual([]);
      expect(b).toMatchObject({ status: 503, body: { code: 'REDEMPTION.NOT_LEADER' } });
    }
  }

  it('one leads, the other waits and takes over when the leader is paused or killed; nothing is sealed or paid twice', async () => {
    const a = await WorkerProcess.start('a', { ...env(), REDEMPTION_INSTANCE_ID: 'worker-a' });
    const b = await WorkerProcess.start('b', { ...env(), REDEMPTION_INSTANCE_ID: 'worker-b' });
    workers.push(a, b);
    const [first, second] = await until('one leader', async () => {
      const [ra, rb] = await Promise.all([a.ready(), b.ready()]);
      return ra !== rb ? (ra ? [a, b] : [b, a]) : undefined;
    });

    // Part 1 of an honest day, and a night asked of both.
    f.world.at('2026-03-10T01:00:00.000Z');
    await f.world.issue('c1');
    await f.world.spend('c1', 'va', 3);
    await f.world.spend('c1', 'va', 2);
    await nightOnBoth(first, second);
    expect(await f.balance('va')).toBe(25);

    // The leader freezes: the standby takes over after the TTL.
    first.child.kill('SIGSTOP');
    await until('the standby to take over', async () => ((await second.ready()) ? true : undefined));
    await f.world.handOff('c1', 'va', 'vb');
    await f.world.spend('c1', 'vb', 4);
    await f.world.handOff('c1', 'vb', 'va');
    await f.world.spend('c1', 'va', 1);
    const night2 = await second.runNight(DAY, ADMIN);
    expect(night2.status).toBe(200);

    // The old leader wakes up: its lease ran out while it slept, and it writes nothing more.
    first.child.kill('SIGCONT');
    await until('the woken leader to stand by', async () =>
      first.output.join('').includes('lost the lease') ? true : undefined,
    );
    await nightOnBoth(second, first);

    // The new leader dies: the woken one takes the lease again and finishes the day.
    await second.kill('SIGKILL');
    await until('the first worker to lead again', async () => ((await first.ready()) ? true : undefined));
    await f.world.issue('c2');
    await f.world.spend('c2', 'vb', 2);
    await f.world.claim('c2', 'vb', 'vc');
    await f.world.spend('c2', 'vc', 3);
    const night3 = await first.runNight(DAY, ADMIN);
    expect(night3).toMatchObject({ status: 200, body: { failures: [] } });

    // Every coin paid once: va 6 coins, vb 6, vc 3 at 5 cents.
    expect([await f.balance('va'), await f.balance('vb'), await f.balance('vc')]).toEqual([30, 30, 15]);
    const all: RecordedEvent[] = await stack.store.readAll();
    // No spend position in two sealed items (broker seals), no range redeemed twice.
    const sealed = new Map<string, number>();
    for (const e of all.filter((x) => x.type === 'RedemptionBatchSealed')) {
      const items = (e.data as { items: { chainId: string; fromIndex: number; toIndex: number }[] }).items;
      for (const item of items) {
        for (let i = item.fromIndex; i <= item.toIndex; i++) {
          const key = `${item.chainId}#${i}`;
          sealed.set(key, (sealed.get(key) ?? 0) + 1);
        }
      }
    }
    expect([...sealed.values()].every((n) => n === 1)).toBe(true);
    expect(sealed.size).toBe(15);
    const paid = all
      .filter((x) => x.type === 'VendorPaid')
      .map((x) => (x.data as { batchId: string }).batchId);
    expect(new Set(paid).size).toBe(paid.length);
    // Both processes led at some point: the lease moved (it was not one process doing everything).
    expect(a.output.join('')).toContain('holds the lease');
    expect(b.output.join('')).toContain('holds the lease');
  }, 300_000);
});
