import { randomUUID } from 'node:crypto';
import type { LoggerService } from '@nestjs/common';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import type { EventMetadata } from '#event-store';
import { type Clock, inSpan, linksToActiveSpan, tracer } from '#platform';
import { isBusinessDay, isFutureBusinessDay, previousBusinessDay } from '../domain/business-day.js';
import type { RedemptionProjection } from '../projection/redemption-projection.js';
import type { BatchRedeemer, RedeemOutcome } from './batch-redeemer.js';
import { type BatchSealer, ProjectionInconsistentError, type SealedBatch } from './batch-sealer.js';

const NIGHT_TRACER = tracer('redemption');

export interface NightReport {
  readonly runId: string;
  readonly businessDay: string;
  readonly sealed: readonly SealedBatch[];
  readonly outcomes: readonly RedeemOutcome[];
  /** Batches that could not be finished (bank or store unreachable, …); the next run retries them. */
  readonly failures: readonly { readonly batchId: string; readonly error: string }[];
}

export interface RedemptionNightDeps {
  readonly projection: RedemptionProjection;
  readonly sealer: BatchSealer;
  readonly redeemer: BatchRedeemer;
  readonly clock: Clock;
  readonly timeZone: string;
  readonly catchUpTimeoutMs: number;
  readonly logger: LoggerService;
  /** Reads the broker's key list again (keys added by a rotation since the last night). */
  readonly refreshKeys?: () => Promise<boolean>;
  /** Told how each night ended (metrics); a night that threw ends with `error`. */
  readonly onEnded?: (ended: NightEnded) => void;
}

export interface NightEnded {
  readonly businessDay: string;
  /** `ok`: every open batch processed; `partial`: some failed (retried next run); `failed`: the run threw. */
  readonly outcome: 'ok' | 'partial' | 'failed';
  readonly seconds: number;
  readonly failures: number;
}

export class InvalidBusinessDayError extends Error {
  readonly code = 'REDEMPTION.INVALID_DAY';
  constructor(day: string) {
    super(`"${day}" is not a business day (YYYY-MM-DD)`);
    this.name = 'InvalidBusinessDayError';
  }
}

export class FutureBusinessDayError extends Error {
  readonly code = 'REDEMPTION.DAY_IN_FUTURE';
  constructor(day: string) {
    super(`${day} has not begun yet in the cut-off's time zone: there is nothing of it to redeem`);
    this.name = 'FutureBusinessDayError';
  }
}

/**
 * One night of redemption, for a business day (by default the one before today in the cut-off's
 * time zone): wait for the projection to reach the log's head, seal the broker's batches of that
 * day and any earlier day with unsealed spends, then verify and pay every open batch of those
 * days, the vendors' own claims included. Running it again changes nothing that is done; runs
 * in one process are serialised.
 */
export class RedemptionNight {
  private running: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: RedemptionNightDeps) {}

  run(businessDay?: string): Promise<NightReport> {
    const day = businessDay ?? previousBusinessDay(this.deps.clock.now(), this.deps.timeZone);
    if (!isBusinessDay(day)) return Promise.reject(new InvalidBusinessDayError(day));
    // A day to come would seal every spend of today early, and name a night that has not happened.
    if (isFutureBusinessDay(day, this.deps.clock.now(), this.deps.timeZone))
      return Promise.reject(new FutureBusinessDayError(day));
    const next = this.running.then(() => this.timed(day));
    this.running = next.catch(() => undefined);
    return next;
  }

  private async timed(businessDay: string): Promise<NightReport> {
    const started = performance.now();
    const ended = (outcome: NightEnded['outcome'], failures: number) =>
      this.deps.onEnded?.({ businessDay, outcome, failures, seconds: (performance.now() - started) / 1000 });
    try {
      // One trace per night (a root span, whoever started it): its steps are child spans, and every
      // event it appends carries the night's traceparent, linking the trace to the events. It links
      // to the span that asked for it (an operator's request), so each trace leads to the other.
      const report = await inSpan(
        NIGHT_TRACER,
        'redemption night',
        {
          parent: ROOT_CONTEXT,
          links: linksToActiveSpan(),
          attributes: { 'netpay.business_day': businessDay },
        },
        async (span) => {
          const night = await this.runNight(businessDay);
          span.setAttributes({
            'netpay.night.run_id': night.runId,
            'netpay.night.sealed': night.sealed.length,
            'netpay.night.outcomes': night.outcomes.length,
            'netpay.night.failures': night.failures.length,
          });
          return night;
        },
      );
      ended(report.failures.length === 0 ? 'ok' : 'partial', report.failures.length);
      return report;
    } catch (error) {
      ended('failed', 0);
      throw error;
    }
  }

  private async runNight(businessDay: string): Promise<NightReport> {
    const { projection, redeemer, logger } = this.deps;
    const runId = `night_${businessDay.replaceAll('-', '')}_${randomUUID().slice(0, 8)}`;
    const metadata: EventMetadata = { correlationId: runId, causationId: runId, actor: 'redemption' };
    logger.log(`redemption night ${runId} for ${businessDay}: catching up`, 'Redemption');
    // A model that lost its storage is rebuilt (and caught up) before it seals anything.
    await inSpan(NIGHT_TRACER, 'catch up', {}, async () => {
      if (await projection.verify())
        logger.warn(`night ${runId}: the read model was lost; rebuilt`, 'Redemption');
      await projection.waitUntilCaughtUp(this.deps.catchUpTimeoutMs);
    });
    if (await this.deps.refreshKeys?.())
      logger.log(`night ${runId}: learned new broker keys from the broker's key list`, 'Redemption');
    const sealed = await inSpan(NIGHT_TRACER, 'seal', {}, async (span) => {
      const done = await this.seal(businessDay, metadata, runId);
      span.setAttribute('netpay.night.sealed', done.length);
      return done;
    });
    // The new seals must be in the model before it lists the open batches.
    await projection.waitUntilCaughtUp(this.deps.catchUpTimeoutMs);
    const open = (await projection.view.openBatches()).filter((b) => b.businessDay <= businessDay);
    const outcomes: RedeemOutcome[] = [];
    const failures: { batchId: string; error: string }[] = [];
    for (const batch of open) {
      try {
        outcomes.push(
          await inSpan(
            NIGHT_TRACER,
            'redeem batch',
            { attributes: { 'netpay.batch_id': batch.batchId, 'netpay.vendor_id': batch.vendorId } },
            async (span) => {
              const outcome = await redeemer.redeem(batch.stream, batch.batchId, {
                ...metadata,
                causationId: batch.batchId,
              });
              span.setAttribute('netpay.batch.status', outcome.status);
              return outcome;
            },
          ),
        );
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        failures.push({ batchId: batch.batchId, error: message });
        logger.error(
          `batch ${batch.batchId} of ${batch.vendorId} failed: ${message}`,
          undefined,
          'Redemption',
        );
      }
    }
    const paid = outcomes.filter((o) => o.status === 'paid').length;
    logger.log(
      `redemption night ${runId}: ${sealed.length} sealed, ${outcomes.length} processed (${paid} paid), ${failures.length} failed`,
      'Redemption',
    );
    return { runId, businessDay, sealed, outcomes, failures };
  }

  /** Seals; a model found inconsistent is rebuilt from zero once, and the seal tried again. */
  private async seal(businessDay: string, metadata: EventMetadata, runId: string): Promise<SealedBatch[]> {
    const { projection, sealer, logger } = this.deps;
    try {
      return await sealer.sealUpTo(businessDay, metadata);
    } catch (error) {
      if (!(error instanceof ProjectionInconsistentError)) throw error;
      logger.warn(`night ${runId}: ${error.message}; rebuilding the read model from zero`, 'Redemption');
      await projection.rebuild(error.message, { fromZero: true });
      await projection.waitUntilCaughtUp(this.deps.catchUpTimeoutMs);
      return sealer.sealUpTo(businessDay, metadata);
    }
  }
}
