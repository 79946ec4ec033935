import { type Clock, type MetricsService, sharedWhileRunning as once } from '#platform';
import { previousBusinessDay } from './domain/business-day.js';
import type { NightEnded } from './night/redemption-night.js';
import type { RedemptionProjection } from './projection/redemption-projection.js';

const PROJECTION = { projection: 'redemption' };

/**
 * The redemption worker's operating metrics (the dashboards and alerts of deploy/observability
 * read them): the projection's lag, vendor-days whose spends are still unsealed after their
 * day closed, and how each night ended. Gauges are read at scrape time; a dependency that is
 * away leaves the last value (and `netpay_dependency_up` says why).
 */
export function redemptionMetrics(
  metrics: MetricsService,
  deps: { projection: RedemptionProjection; clock: Clock; timeZone: string },
): (ended: NightEnded) => void {
  const caughtUp = metrics.gauge(
    'netpay_projection_caught_up',
    'The projection has folded the log up to its head (1) or not (0).',
    ['projection'],
  );
  const behind = metrics.gauge(
    'netpay_projection_behind_seconds',
    'How long the projection has been behind the log head; 0 when caught up.',
    ['projection'],
  );
  // prom-client collects the gauges of one scrape concurrently: both read one lag reading.
  const lag = once(() => deps.projection.lag());
  caughtUp.collect = async () => {
    try {
      caughtUp.set((await lag()).caughtUp ? 1 : 0, PROJECTION);
    } catch {
      caughtUp.set(0, PROJECTION);
    }
  };
  behind.collect = async () => {
    try {
      behind.set((await lag()).behindSeconds, PROJECTION);
    } catch {
      // the store is away: keep the last value
    }
  };
  const unsealed = metrics.gauge(
    'netpay_redemption_unsealed_vendor_days',
    'Vendor-days of closed business days (before today in the cut-off time zone) with spends not yet sealed.',
  );
  unsealed.collect = async () => {
    try {
      const upTo = previousBusinessDay(deps.clock.now(), deps.timeZone);
      unsealed.set((await deps.projection.view.pendingVendorDays(upTo)).length);
    } catch {
      // the view (Redis) is away: keep the last value
    }
  };
  const nights = metrics.counter('netpay_redemption_nights_total', 'Redemption nights run, by outcome.', [
    'outcome',
  ]);
  // Each outcome's series exists from the start, at 0: the "night failed" alert and the dashboard's
  // night panel read them before the first night has run.
  for (const outcome of ['ok', 'partial', 'failed'] as const) nights.inc({ outcome }, 0);
  const nightSeconds = metrics.histogram(
    'netpay_redemption_night_duration_seconds',
    'Time of a redemption night, catch-up to last payout.',
    [],
    [1, 5, 15, 60, 300, 900, 1800, 3600],
  );
  const lastNight = metrics.gauge(
    'netpay_redemption_last_night_timestamp_seconds',
    'When the last redemption night of each outcome ended (Unix seconds).',
    ['outcome'],
  );
  const lastFailures = metrics.gauge(
    'netpay_redemption_last_night_failed_batches',
    'Batches the last night could not finish (retried by the next run).',
  );
  return (ended) => {
    nights.inc({ outcome: ended.outcome });
    nightSeconds.observe(ended.seconds);
    lastNight.set(deps.clock.now().getTime() / 1000, { outcome: ended.outcome });
    lastFailures.set(ended.failures);
  };
}
