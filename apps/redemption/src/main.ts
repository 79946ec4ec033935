import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { eventStoreSettings } from '#event-store';
import {
  configSecrets,
  createHttpApp,
  exitOnStartFailure,
  httpOptionsOf,
  loadConfig,
  NetPayLogger,
  setupTracing,
} from '#platform';
import { parseCommand, USAGE, UsageError } from './cli.js';
import { isBusinessDay, isFutureBusinessDay } from './domain/business-day.js';
import type { NightReport } from './night/redemption-night.js';
import { RedemptionConfig } from './redemption.config.js';
import { REDEMPTION_VERSION, RedemptionModule } from './redemption.module.js';
import type { RedemptionWorker } from './redemption-worker.js';
import { REDEMPTION_STATUS_BY_CODE, REDEMPTION_WORKER } from './tokens.js';

// Built in main (a bad LOG_LEVEL is a ConfigError like any other); the last-resort handler below
// needs one even when building it failed.
let logger: NetPayLogger | undefined;
/** What a failure stopped, for its log line. */
let failed = 'failed to start';

/** The redemption worker: `serve` (projection, cut-off, HTTP) or `run --day` (one night, then exit). */
async function main(): Promise<number> {
  const command = parseCommand(process.argv.slice(2));
  if (command.kind === 'help') {
    console.log(USAGE);
    return 0;
  }
  const config = loadConfig(RedemptionConfig);
  logger = NetPayLogger.fromEnv('redemption');
  // Trace ids in every request line; spans exported when OTEL_EXPORTER_OTLP_ENDPOINT is set.
  setupTracing({
    serviceName: 'redemption',
    serviceVersion: REDEMPTION_VERSION,
    otlpEndpoint: config.otlpEndpoint,
  });
  logger.addSecrets(configSecrets(RedemptionConfig, config));
  const eventStore = eventStoreSettings(config);
  if (command.kind === 'run') {
    // Refused before the lease is waited for: a night of a day to come (or not a date at all).
    if (command.day !== undefined && !isBusinessDay(command.day))
      throw new UsageError(`${command.day} is not a calendar date`);
    if (command.day !== undefined && isFutureBusinessDay(command.day, new Date(), config.timeZone)) {
      throw new UsageError(
        `${command.day} has not begun yet in ${config.timeZone}: there is nothing of it to redeem`,
      );
    }
    const app = await NestFactory.createApplicationContext(
      RedemptionModule.forRoot({ config, eventStore, schedule: false }),
      { logger, abortOnError: false },
    );
    try {
      const worker = app.get<RedemptionWorker>(REDEMPTION_WORKER);
      if (!(await waitForLease(worker, 2 * config.leaseTtlMs + 5_000))) {
        console.error(
          'another redemption worker holds the lease: ask it (POST /redemption/nights) or stop it first',
        );
        return 3;
      }
      failed = command.day === undefined ? 'night failed' : `night ${command.day} failed`;
      const report: NightReport = await worker.night.run(command.day);
      console.log(JSON.stringify(report, null, 2));
      return report.failures.length === 0 ? 0 : 2;
    } finally {
      await app.close();
    }
  }
  await createHttpApp(RedemptionModule.forRoot({ config, eventStore }), {
    name: 'redemption',
    version: REDEMPTION_VERSION,
    description:
      'NetPay nightly redemption: seals per vendor-day batches from the spend projection at the cut-off, ' +
      'verifies every item from the chains’ own streams, pays vendors through the payment gateway.',
    ...httpOptionsOf(config),
    logger,
    statusByCode: REDEMPTION_STATUS_BY_CODE,
  });
  return -1; // keeps serving
}

/** A one-shot run behind the lease: waits for it (a serving worker holds it until it stops). */
async function waitForLease(worker: RedemptionWorker, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      worker.fence?.assertHeld();
      return true;
    } catch {
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

main().then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(error.message);
      process.exit(1);
    }
    exitOnStartFailure('redemption', error, logger, failed);
  },
);
