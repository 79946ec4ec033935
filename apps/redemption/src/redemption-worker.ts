import type { LoggerService } from '@nestjs/common';
import type { EventStore, Fence } from '#event-store';
import type { BrokerKeyBook } from '#events';
import { MetricsService, type Clock } from '#platform';
import { publicKeyRecord, type PublicKeyRecord, type Signer } from '#protocol';
import type { PaymentGateway } from '../../broker/src/bank/payment-gateway.port.js';
import { VendorClaims } from './claims/vendor-claims.js';
import { FencedEventStore, FencedGateway, FencedView } from './lease/fenced.js';
import { BatchRedeemer } from './night/batch-redeemer.js';
import { BatchSealer } from './night/batch-sealer.js';
import { RedemptionNight } from './night/redemption-night.js';
import { RecordTrust } from './night/record-trust.js';
import { LoggingTelemetry, type RedemptionTelemetry } from './night/redemption-telemetry.js';
import { RedemptionReads } from './night/store-reads.js';
import { type ProjectionLease, RedemptionProjection } from './projection/redemption-projection.js';
import { redemptionMetrics } from './redemption-metrics.js';
import type { RedemptionView } from './projection/redemption-view.js';

export interface RedemptionWorkerOptions {
  readonly store: EventStore;
  readonly view: RedemptionView;
  readonly gateway: PaymentGateway;
  readonly clock: Clock;
  /** Broker keys pinned in configuration (BROKER_PUBLIC_KEYS); may be empty when `keyBook` is given. */
  readonly brokerKeys: readonly PublicKeyRecord[];
  /**
   * Where the worker learns every broker key from: the broker's root-signed key list in the store
   * (BROKER_ROOT_PUBLIC_KEYS). Read again before each night.
   */
  readonly keyBook?: BrokerKeyBook;
  /** REDEMPTION_KEY_RETRY_DAYS: how long unknown-key refusals are looked at again. */
  readonly keyRetryDays?: number;
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
  /**
   * The single-instance lease (REDEMPTION_LEASE): when given, every write of the projection and
   * the night (appends, read-model commits, payouts) first checks that this instance holds it;
   * the projection's commits wait for it while it is not held.
   */
  readonly fence?: Fence & ProjectionLease;
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
  /** The lease the worker's writes are fenced by, when it runs behind one. */
  readonly fence?: Fence;
}

export function createRedemptionWorker(options: RedemptionWorkerOptions): RedemptionWorker {
  const { fence } = options;
  // Writes behind the lease; vendor claims stay on the plain store (a claim is the vendor's own
  // record, idempotent by its id, and any instance may take it).
  const o: RedemptionWorkerOptions = fence
    ? {
        ...options,
        store: new FencedEventStore(options.store, fence),
        view: new FencedView(options.view, fence),
        gateway: new FencedGateway(options.gateway, fence),
      }
    : options;
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
    ...(fence ? { lease: fence } : {}),
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
    brokerKeys: (keyId: string) => o.brokerKeys.find((k) => k.keyId === keyId) ?? o.keyBook?.key(keyId),
    keyRetryDays: o.keyRetryDays,
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
    refreshKeys: o.keyBook ? () => o.keyBook!.refresh() : undefined,
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
    claims: new VendorClaims(options.store, reads, o.clock, o.timeZone),
    telemetry,
    ...(fence ? { fence } : {}),
  };
}
