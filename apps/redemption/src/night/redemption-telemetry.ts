import type { LoggerService } from '@nestjs/common';
import type { MetricsService } from '#platform';
import type { ItemVerdict } from '../domain/verify-batch.js';

type Rejected = Extract<ItemVerdict, { ok: false }>;

/** What the worker reports as it goes: a log line and a metric for each thing an operator acts on. */
export interface RedemptionTelemetry {
  /** A refused item: possible fraud. Once per item, when its verdict is recorded. */
  itemRejected(batchId: string, vendorId: string, verdict: Rejected): void;
  itemsAccepted(batchId: string, vendorId: string, count: number): void;
  paid(batchId: string, vendorId: string, amount: number, currency: string): void;
  payoutDeclined(batchId: string, vendorId: string, reason: string): void;
  /** A batch that cannot be paid yet (vendor not registered, bank unreachable, …). */
  unpaid(batchId: string, vendorId: string, why: string): void;
  sealed(batchId: string, vendorId: string, businessDay: string, items: number): void;
  /** A record the worker did not write, refused before money moved. Once per record. */
  forgery(batchId: string, vendorId: string, reason: string, detail: string): void;
}

const CONTEXT = 'Redemption';

/** Telemetry through the platform's logger (JSON lines) and Prometheus metrics. */
export class LoggingTelemetry implements RedemptionTelemetry {
  private readonly rejected;
  private readonly accepted;
  private readonly paidValue;
  private readonly payouts;
  private readonly batches;
  private readonly forgeries;

  constructor(
    private readonly logger: LoggerService,
    metrics: MetricsService,
  ) {
    this.rejected = metrics.counter(
      'netpay_redemption_items_rejected_total',
      'Redemption items the broker refused (possible vendor fraud), by reason code.',
      ['reason'],
    );
    this.accepted = metrics.counter('netpay_redemption_items_accepted_total', 'Redemption items accepted.');
    this.paidValue = metrics.counter(
      'netpay_redemption_paid_minor_units_total',
      'Value paid to vendors, integer minor units.',
      ['currency'],
    );
    this.payouts = metrics.counter('netpay_redemption_payouts_total', 'Payout attempts by outcome.', [
      'outcome',
    ]);
    this.batches = metrics.counter('netpay_redemption_batches_sealed_total', 'Redemption batches sealed.');
    this.forgeries = metrics.counter(
      'netpay_redemption_forgeries_total',
      'Records in the store the worker did not sign (or that do not hold at payment), refused, by reason code.',
      ['reason'],
    );
  }

  forgery(batchId: string, vendorId: string, reason: string, detail: string): void {
    this.forgeries.inc({ reason });
    this.logger.warn(`FORGERY ${reason}: vendor ${vendorId} batch ${batchId}: ${detail}`, CONTEXT);
  }

  itemRejected(batchId: string, vendorId: string, v: Rejected): void {
    this.rejected.inc({ reason: v.reason });
    this.logger.warn(
      `FLAGGED ${v.reason}: vendor ${vendorId} batch ${batchId} item ${v.item} chain ${v.chainId} ` +
        `${v.fromIndex}..${v.toIndex}: ${v.detail}`,
      CONTEXT,
    );
  }

  itemsAccepted(_batchId: string, _vendorId: string, count: number): void {
    this.accepted.inc({}, count);
  }

  paid(batchId: string, vendorId: string, amount: number, currency: string): void {
    this.paidValue.inc({ currency }, amount);
    this.payouts.inc({ outcome: 'paid' });
    this.logger.log(`paid ${amount} ${currency} to vendor ${vendorId} for batch ${batchId}`, CONTEXT);
  }

  payoutDeclined(batchId: string, vendorId: string, reason: string): void {
    this.payouts.inc({ outcome: 'declined' });
    this.logger.error(
      `payout of batch ${batchId} to vendor ${vendorId} declined: ${reason}`,
      undefined,
      CONTEXT,
    );
  }

  unpaid(batchId: string, vendorId: string, why: string): void {
    this.payouts.inc({ outcome: 'unpaid' });
    this.logger.error(`batch ${batchId} of vendor ${vendorId} not paid: ${why}`, undefined, CONTEXT);
  }

  sealed(batchId: string, vendorId: string, businessDay: string, items: number): void {
    this.batches.inc();
    this.logger.log(`sealed batch ${batchId}: vendor ${vendorId}, ${businessDay}, ${items} items`, CONTEXT);
  }
}
