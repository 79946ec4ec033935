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

describe('RedemptionScheduler: a cut-off the process missed', () => {
  /** The day the last 02:30 Pacific/Auckland cut-off before `now` closed. */
  function lastCutOffDay(now: Date): string {
    const local = (at: Date): { day: string; minutes: number } => {
      const parts = Object.fromEntries(
        new Intl.DateTimeFormat('en-CA', {
          timeZone: 'Pacific/Auckland',
          year: 'numeric',
          month: '2-digit',
          day: '2-digit',
          hour: '2-digit',
          minute: '2-digit',
          hourCycle: 'h23',
        })
          .formatToParts(at)
          .map((p) => [p.type, p.value]),
      );
      return {
        day: `${parts.year}-${parts.month}-${parts.day}`,
        minutes: Number(parts.hour) * 60 + Number(parts.minute),
      };
    };
    const { day, minutes } = local(now);
    const back = (d: string, n: number): string => {
      const date = new Date(`${d}T00:00:00.000Z`);
      date.setUTCDate(date.getUTCDate() - n);
      return date.toISOString().slice(0, 10);
    };
    return minutes >= 150 ? back(day, 1) : back(day, 2);
  }

  it('runs the last cut-off night at start: a worker killed in the middle of it (or down at it) does not wait a day', async () => {
    const { worker, days } = nights(['paid']);
    const scheduler = new RedemptionScheduler(new SchedulerRegistry(), config, worker);
    schedulers.push(scheduler);
    scheduler.onApplicationBootstrap();
    await until(() => days.length >= 1);
    expect(days).toStrictEqual([lastCutOffDay(new Date())]);
  });

  it('a standby runs it only once it takes the lease over (the holder died mid-night)', async () => {
    let held = false;
    let take: () => void = () => undefined;
    const whenTaken = new Promise<void>((resolve) => (take = resolve));
    const fence = {
      get held(): boolean {
        return held;
      },
      whenHeld: (): Promise<void> => whenTaken,
      assertHeld(): number {
        if (!held) throw new LeaseNotHeldError('another instance holds the lease');
        return 1;
      },
    };
    const { worker, days } = nights(['unpaid', 'paid'], fence);
    const scheduler = new RedemptionScheduler(new SchedulerRegistry(), config, worker);
    schedulers.push(scheduler);
    scheduler.onApplicationBootstrap();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(days).toEqual([]);
    held = true;
    take();
    await until(() => days.length >= 2);
    // Left unpaid at first (the store still away, say): retried like any scheduled night.
    expect(days).toStrictEqual([lastCutOffDay(new Date()), lastCutOffDay(new Date())]);
  });
});
