import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob, CronTime } from 'cron';
import { leaseStanding } from '#event-store';
import { previousBusinessDay } from '../domain/business-day.js';
import { RedemptionConfig } from '../redemption.config.js';
import type { RedemptionWorker } from '../redemption-worker.js';
import { REDEMPTION_WORKER } from '../tokens.js';

export const CUT_OFF_JOB = 'redemption-cut-off';

/** The longest wait between two runs of a night that keeps failing. */
const LONGEST_RETRY_MS = 30 * 60_000;
/** A failed night is retried for about a day at most; the next cut-off's night covers it then. */
const MOST_RETRIES = 60;
/** How far back a starting worker looks for the cut-off it may have missed. */
const LOOK_BACK_MS = 48 * 3_600_000;

/** The last tick of `cron` in `timeZone` at or before `now` (within two days), if any. */
export function lastCutOff(cron: string, timeZone: string, now: Date): Date | undefined {
  const time = new CronTime(cron, timeZone);
  let last: Date | undefined;
  let at = new Date(now.getTime() - LOOK_BACK_MS);
  // Bounded: a cron of every second still ends (the look-back is then only the last few hours).
  for (let i = 0; i < 100_000; i++) {
    const next = time.getNextDateFrom(at, timeZone).toJSDate();
    if (next.getTime() > now.getTime()) break;
    last = next;
    at = next;
  }
  return last;
}

/** What the scheduler needs of the worker's lease to wait for it (the LeaderLease has it). */
interface WaitableFence {
  whenHeld(): Promise<void>;
}

/**
 * Runs the night at the configured cut-off (REDEMPTION_CRON in REDEMPTION_TIME_ZONE), for the
 * business day before the tick's; a tick that comes while a night runs waits for it. A night that
 * leaves batches unpaid, or fails outright (the store, NATS or the bank away), runs again after
 * REDEMPTION_NIGHT_RETRY, the wait doubling to 30 min, until it leaves none: without an
 * operator, and not a day later (every run is idempotent: it skips what is recorded).
 */
@Injectable()
export class RedemptionScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('RedemptionScheduler');
  private retry: NodeJS.Timeout | undefined;
  private retries = 0;
  private stopped = false;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly registry: SchedulerRegistry,
    private readonly config: RedemptionConfig,
    @Inject(REDEMPTION_WORKER) private readonly worker: RedemptionWorker,
  ) {}

  onApplicationBootstrap(): void {
    const job = CronJob.from({
      cronTime: this.config.cron,
      timeZone: this.config.timeZone,
      waitForCompletion: true,
      start: false,
      onTick: () => this.runNight(),
    });
    this.registry.addCronJob(CUT_OFF_JOB, job);
    job.start();
    this.logger.log(
      `cut-off "${this.config.cron}" ${this.config.timeZone}; next at ${job.nextDate().toISO() ?? '?'}`,
    );
    void this.catchUp();
  }

  /**
   * The last cut-off's night, run again once this instance holds the lease. Its retries live in
   * the process: a worker killed in the middle of a night (or down at the cut-off, or a standby
   * taking over from a holder that died mid-night) would otherwise leave that day unsealed or
   * unpaid until the next cut-off, a day later. A night that completed seals and pays nothing more
   * (every step is idempotent), so running it again costs one catch-up of the projection.
   */
  private async catchUp(): Promise<void> {
    const fence = this.worker.fence as Partial<WaitableFence> | undefined;
    if (typeof fence?.whenHeld === 'function') await fence.whenHeld();
    if (this.stopped) return;
    const tick = lastCutOff(this.config.cron, this.config.timeZone, new Date());
    if (tick === undefined) return;
    const day = previousBusinessDay(tick, this.config.timeZone);
    this.logger.log(
      `night ${day}: run again at start (cut-off ${tick.toISOString()}), in case it was missed or cut short`,
    );
    await this.runNight(day, true);
  }

  /**
   * A tick's night (no `businessDay`: the day before the tick's), or a retry's. One at a time: a
   * tick that comes while a retry runs waits for it, then runs its own day.
   */
  runNight(businessDay?: string, retry = false): Promise<void> {
    const next = this.running.then(() => this.runOnce(businessDay, retry));
    this.running = next.catch(() => undefined);
    return next;
  }

  /**
   * Runs the night, and schedules it again while it leaves failures. A tick replaces a pending
   * retry (its night pays every earlier open batch too) and starts the back-off afresh. A retry
   * that finds the lease not ours waits and tries again: the outage that failed the night made
   * the lease lapse, and then lost (a lease renewed too late is given up), until the store is back
   * and this instance takes it again. A tick without the lease is another instance's night.
   */
  private async runOnce(businessDay: string | undefined, retry: boolean): Promise<void> {
    const tick = !retry;
    clearTimeout(this.retry);
    this.retry = undefined;
    if (tick) this.retries = 0;
    if (this.stopped) return;
    const lead = leaseStanding(this.worker.fence);
    if (lead !== 'held') {
      // A cut-off with our lease lapsed is the same outage: retried. Another instance's lease: its night.
      if (retry || lead === 'lapsed')
        this.scheduleRetry(businessDay, 'this instance does not hold the lease now');
      else this.logger.log('cut-off: another instance holds the lease and runs the night');
      return;
    }
    let day = businessDay;
    let failed: string | undefined;
    try {
      const report = await this.worker.night.run(businessDay);
      day = report.businessDay;
      if (report.failures.length > 0) failed = `${report.failures.length} batch(es) left unpaid`;
    } catch (error) {
      failed = `the night failed: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (failed === undefined) {
      if (this.retries > 0) this.logger.log(`night ${day ?? ''}: done after ${this.retries} retry(ies)`);
      this.retries = 0;
      return;
    }
    // A night that failed before naming its day is retried for the day the retry computes: a later
    // day's night pays every earlier open batch as well.
    this.scheduleRetry(day, failed);
  }

  private scheduleRetry(day: string | undefined, why: string): void {
    if (this.stopped) return;
    if (this.retries >= MOST_RETRIES) {
      this.logger.error(`night ${day ?? ''}: ${why}; no more retries: the next cut-off's night pays it`);
      this.retries = 0;
      return;
    }
    const wait = Math.min(LONGEST_RETRY_MS, this.config.nightRetryMs * 2 ** this.retries);
    this.retries += 1;
    this.logger.error(`night ${day ?? ''}: ${why}; running it again in ${Math.round(wait / 1000)} s`);
    this.retry = setTimeout(() => void this.runNight(day, true), wait);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    if (this.registry.doesExist('cron', CUT_OFF_JOB)) {
      await this.registry.getCronJob(CUT_OFF_JOB).stop();
      this.registry.deleteCronJob(CUT_OFF_JOB);
    }
  }
}
