import { afterEach, describe, expect, it } from '@jest/globals';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InMemoryLeaseRegister, LeaderLease, type LeaseRegister, LeaseNotHeldError } from '#event-store';
import type { RedemptionConfig } from '../redemption.config.js';
import type { RedemptionWorker } from '../redemption-worker.js';
import type { NightReport } from './redemption-night.js';
import { RedemptionScheduler } from './redemption-scheduler.js';

/** A night that leaves `failing` runs with an unpaid batch (or throws), then pays everything. */
function nights(outcomes: ('unpaid' | 'throws' | 'paid')[], fence?: { assertHeld(): number }) {
  const days: (string | undefined)[] = [];
  const night = {
    run(day?: string): Promise<NightReport> {
      days.push(day);
      const outcome = outcomes.shift() ?? 'paid';
      if (outcome === 'throws') return Promise.reject(new Error('the connection to NATS was lost'));
      const failures = outcome === 'unpaid' ? [{ batchId: 'b1', error: 'NATS away' }] : [];
      return Promise.resolve({
        runId: 'r',
        businessDay: day ?? '2026-12-06',
        sealed: [],
        outcomes: [],
        failures,
      });
    },
  };
  return { worker: { night, fence } as unknown as RedemptionWorker, days };
}

const config = { cron: '0 30 2 * * *', timeZone: 'Pacific/Auckland', nightRetryMs: 20 } as RedemptionConfig;
const schedulers: RedemptionScheduler[] = [];
afterEach(async () => {
  for (const s of schedulers.splice(0)) await s.onApplicationShutdown();
});

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('RedemptionScheduler: a night that leaves batches unpaid', () => {
  it('runs the same day again, backing off, until nothing is left', async () => {
    const { worker, days } = nights(['unpaid', 'throws', 'unpaid', 'paid']);
    const scheduler = new RedemptionScheduler(new SchedulerRegistry(), config, worker);
    schedulers.push(scheduler);
    await scheduler.runNight();
    await until(() => days.length >= 4);
    await new Promise((resolve) => setTimeout(resolve, 200)); // and no run after the clean one
    expect(days).toStrictEqual([undefined, '2026-12-06', '2026-12-06', '2026-12-06']);
  });

  it('runs nothing more once shut down', async () => {
    const { worker, days } = nights(['unpaid', 'unpaid']);
    const scheduler = new RedemptionScheduler(new SchedulerRegistry(), config, worker);
    await scheduler.runNight('2026-12-05');
    await scheduler.onApplicationShutdown();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(days).toEqual(['2026-12-05']);
  });

  it('waits while its lease is lapsed (the store away), then runs the night once it holds it again', async () => {
    let lapses = 2;
    const fence = {
      assertHeld(): number {
        if (lapses-- > 0) throw new LeaseNotHeldError('ran out before it was renewed', 'lapsed');
        return 1;
      },
    };
    const { worker, days } = nights(['paid'], fence);
    const scheduler = new RedemptionScheduler(new SchedulerRegistry(), config, worker);
    schedulers.push(scheduler);
    await scheduler.runNight();
    await until(() => days.length >= 1);
    expect(days).toStrictEqual([undefined]);
  });

  it('leaves the night to the instance that holds the lease', async () => {
    const fence = {
      assertHeld(): number {
        throw new LeaseNotHeldError('b does not hold the lease');
      },
    };
    const { worker, days } = nights(['paid'], fence);
    const scheduler = new RedemptionScheduler(new SchedulerRegistry(), config, worker);
    schedulers.push(scheduler);
    await scheduler.runNight();
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(days).toEqual([]);
  });

  it('goes on retrying through an outage long enough to lose the lease, and runs once it holds it again', async () => {
    // The store (and with it the lease register) away: the night fails and the lease is lost.
    let away = false;
    const inner = new InMemoryLeaseRegister();
    const register: LeaseRegister = {
      read: () => (away ? Promise.reject(new Error('store away')) : inner.read()),
      write: (record, seq) => (away ? Promise.reject(new Error('store away')) : inner.write(record, seq)),
    };
    const lease = new LeaderLease(register, { holder: 'w1', ttlMs: 90 });
    lease.start();
    await lease.whenHeld();
    const days: (string | undefined)[] = [];
    const night = {
      run(day?: string): Promise<NightReport> {
        days.push(day);
        if (away) return Promise.reject(new Error('the connection to NATS was lost'));
        return Promise.resolve({
          runId: 'r',
          businessDay: '2026-12-06',
          sealed: [],
          outcomes: [],
          failures: [],
        });
      },
    };
    const worker = { night, fence: lease } as unknown as RedemptionWorker;
    const scheduler = new RedemptionScheduler(new SchedulerRegistry(), config, worker);
    schedulers.push(scheduler);
    away = true;
    await scheduler.runNight();
    await new Promise((resolve) => setTimeout(resolve, 600)); // several lease lengths: lost, not just lapsed
    expect(lease.held).toBe(false);
    const failedRuns = days.length;
    away = false;
    await until(() => days.length > failedRuns);
    await lease.stop();
    expect(days.length).toBe(failedRuns + 1);
  });
});
