import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { RedemptionConfig } from '../redemption.config.js';
import type { RedemptionWorker } from '../redemption-worker.js';
import { REDEMPTION_WORKER } from '../tokens.js';

export const CUT_OFF_JOB = 'redemption-cut-off';

/** The longest wait between two runs of a night that keeps failing. */
const LONGEST_RETRY_MS = 30 * 60_000;

/**
 * Runs the night at the configured cut-off (REDEMPTION_CRON in REDEMPTION_TIME_ZONE), for the
 * business day before the tick's. A tick while a night still runs is skipped. A night that leaves
 * batches unpaid, or fails outright (the store, NATS or the bank away), runs again after
 * REDEMPTION_NIGHT_RETRY, the wait doubling to 30 min, until it leaves none: without an
 * operator, and not a day later (every run is idempotent: it skips what is recorded).
 */
@Injectable()
export class RedemptionScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('RedemptionScheduler');
  private retry: NodeJS.Timeout | undefined;
  private retries = 0;
  private stopped = false;

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
  }

  /**
   * Runs the night of `businessDay` (default: the tick's), and schedules it again while it leaves
   * failures. A new tick replaces a pending retry: its night pays every earlier open batch too.
   */
  async runNight(businessDay?: string): Promise<void> {
    clearTimeout(this.retry);
    this.retry = undefined;
    if (!this.leads()) {
      this.logger.log('cut-off: another instance holds the lease and runs the night');
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
    if (this.stopped) return;
    const wait = Math.min(LONGEST_RETRY_MS, this.config.nightRetryMs * 2 ** this.retries);
    this.retries += 1;
    this.logger.error(`night ${day ?? ''}: ${failed}; running it again in ${Math.round(wait / 1000)} s`);
    this.retry = setTimeout(() => void this.runNight(day), wait);
  }

  private leads(): boolean {
    try {
      this.worker.fence?.assertHeld();
      return true;
    } catch {
      return false;
    }
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
