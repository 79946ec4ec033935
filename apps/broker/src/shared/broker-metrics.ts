import { Injectable } from '@nestjs/common';
import { type Counter, MetricsService } from '#platform';

/** The broker's business counters on /metrics (HTTP metrics come from the platform). */
@Injectable()
export class BrokerMetrics {
  readonly purchases: Counter;
  readonly valueIssued: Counter;
  readonly checkouts: Counter;
  readonly touchstones: Counter;

  constructor(metrics: MetricsService) {
    this.purchases = metrics.counter(
      'netpay_broker_purchases_total',
      'Purchases decided, by outcome and wallet kind.',
      ['outcome', 'wallet'],
    );
    this.valueIssued = metrics.counter(
      'netpay_broker_value_issued_minor_total',
      'Value of issued coins in minor units, by currency.',
      ['currency'],
    );
    this.checkouts = metrics.counter('netpay_broker_checkouts_total', 'Wallet checkouts, by outcome code.', [
      'outcome',
    ]);
    this.touchstones = metrics.counter(
      'netpay_broker_touchstones_total',
      'Touchstone requests, by outcome code.',
      ['outcome'],
    );
  }
}
