import type { LoggerService } from '@nestjs/common';
import type { EventStore } from '#event-store';
import { MetricsService, type Clock } from '#platform';
import { publicKeyRecord, type PublicKeyRecord, type Signer } from '#protocol';
import type { PaymentGateway } from '../../broker/src/bank/payment-gateway.port.js';
import { VendorClaims } from './claims/vendor-claims.js';
import { BatchRedeemer } from './night/batch-redeemer.js';
import { BatchSealer } from './night/batch-sealer.js';
import { RedemptionNight } from './night/redemption-night.js';
import { RecordTrust } from './night/record-trust.js';
import { LoggingTelemetry, type RedemptionTelemetry } from './night/redemption-telemetry.js';
import { RedemptionReads } from './night/store-reads.js';
import { RedemptionProjection } from './projection/redemption-projection.js';
import { redemptionMetrics } from './redemption-metrics.js';
import type { RedemptionView } from './projection/redemption-view.js';

export interface RedemptionWorkerOptions {
  readonly store: EventStore;
  readonly view: RedemptionView;
  readonly gateway: PaymentGateway;
  readonly clock: Clock;
  readonly brokerKeys: readonly PublicKeyRecord[];
  /** The worker's own key: it signs every verdict and reservation it writes (REDEMPTION_SIGNING_KEY). */
  readonly signer: Signer;
  /** Retired worker keys whose records still count (REDEMPTION_OLD_PUBLIC_KEYS); the signer's is added. */
  readonly oldRecordKeys?: readonly PublicKeyRecord[];
  /** Store position up to which records may be unsigned (written before signing existed); default 0. */
  readonly legacyUnsignedUntil?: bigint;
  /** IANA zone of business days and the cut-off. */
  readonly timeZone: string;
  /** The projection's subscription id (pair it with the view's namespace). */
  readonly subscriptionId: string;
  readonly logger: LoggerService;
  readonly metrics?: MetricsService;
  readonly telemetry?: RedemptionTelemetry;
  readonly catchUpTimeoutMs?: number;
}

/** Everything the redemption worker is made of, wired without a framework (tests, CLI, Nest). */
export interface RedemptionWorker {
  readonly projection: RedemptionProjection;
  readonly reads: RedemptionReads;
  readonly sealer: BatchSealer;
  readonly redeemer: BatchRedeemer;
  readonly night: RedemptionNight;
  readonly claims: VendorClaims;
  readonly telemetry: RedemptionTelemetry;
}

export function createRedemptionWorker(o: RedemptionWorkerOptions): RedemptionWorker {
  const telemetry = o.telemetry ?? new LoggingTelemetry(o.logger, o.metrics ?? new MetricsService());
  const trust = new RecordTrust({
    signer: o.signer,
    keys: [publicKeyRecord(o.signer), ...(o.oldRecordKeys ?? [])],
    legacyUnsignedUntil: o.legacyUnsignedUntil,
  });
  const reads = new RedemptionReads(o.store, trust);
  const catchUpTimeoutMs = o.catchUpTimeoutMs ?? 60_000;
  const projection = new RedemptionProjection(o.store, o.view, {
    subscriptionId: o.subscriptionId,
    timeZone: o.timeZone,
    accept: (e) =>
      e.type === 'VendorPaid'
        ? trust.payout(e.streamName, e.data, e.position) === undefined
        : (e.type !== 'RedemptionItemAccepted' && e.type !== 'RedemptionItemRejected') ||
          trust.verdict(e.streamName, e, e.position) === undefined,
    onError: (e) => {
      o.logger.error(`redemption projection stopped, restarting: ${String(e)}`, undefined, 'Redemption');
    },
    onRebuild: (reason) => {
      o.logger.warn(`redemption projection rebuilding from zero: ${reason}`, 'Redemption');
    },
  });
  const sealer = new BatchSealer({
    store: o.store,
    reads,
    view: o.view,
    clock: o.clock,
    telemetry,
    catchUp: () => projection.waitUntilCaughtUp(catchUpTimeoutMs),
  });
  const redeemer = new BatchRedeemer({
    store: o.store,
    reads,
    gateway: o.gateway,
    clock: o.clock,
    brokerKeys: o.brokerKeys,
    telemetry,
    trust,
  });
  const night = new RedemptionNight({
    projection,
    sealer,
    redeemer,
    clock: o.clock,
    timeZone: o.timeZone,
    catchUpTimeoutMs,
    logger: o.logger,
    ...(o.metrics
      ? { onEnded: redemptionMetrics(o.metrics, { projection, clock: o.clock, timeZone: o.timeZone }) }
      : {}),
  });
  return {
    projection,
    reads,
    sealer,
    redeemer,
    night,
    claims: new VendorClaims(o.store, reads, o.clock),
    telemetry,
  };
}
