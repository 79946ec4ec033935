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

/**
 * Runs the night at the configured cut-off (REDEMPTION_CRON in REDEMPTION_TIME_ZONE), for the
 * business day before the tick's. A tick while a night still runs is skipped.
 */
@Injectable()
export class RedemptionScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('RedemptionScheduler');

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
      onTick: async () => {
        if (!this.leads()) {
          this.logger.log('cut-off: another instance holds the lease and runs the night');
          return;
        }
        try {
          const report = await this.worker.night.run();
          if (report.failures.length > 0) {
            this.logger.error(
              `night ${report.runId}: ${report.failures.length} batch(es) left for the next run`,
            );
          }
        } catch (error) {
          this.logger.error(
            `the redemption night failed: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
      },
    });
    this.registry.addCronJob(CUT_OFF_JOB, job);
    job.start();
    this.logger.log(
      `cut-off "${this.config.cron}" ${this.config.timeZone}; next at ${job.nextDate().toISO() ?? '?'}`,
    );
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
    if (this.registry.doesExist('cron', CUT_OFF_JOB)) {
      await this.registry.getCronJob(CUT_OFF_JOB).stop();
      this.registry.deleteCronJob(CUT_OFF_JOB);
    }
  }
}
