import { Inject, Injectable, Optional } from '@nestjs/common';
import * as prom from 'prom-client';
import { Counter, DEFAULT_BUCKETS, Gauge, Histogram, type Metric } from './metric-types.js';

export const METRICS_OPTIONS = Symbol('netpay.metrics.options');

export interface MetricsOptions {
  /**
   * prom-client's process and Node metrics (CPU, resident memory, heap and heap spaces, event-loop
   * lag, GC, handles, file descriptors); `true` when omitted.
   */
  readonly defaultMetrics?: boolean;
}

/**
 * The process's metrics: a prom-client registry, rendered as Prometheus text on `/metrics`.
 * Asking twice for the same name returns the same metric, so each module declares what it
 * uses where it uses it.
 */
@Injectable()
export class MetricsService {
  readonly registry = new prom.Registry();
  private readonly metrics = new Map<string, Metric>();

  constructor(@Optional() @Inject(METRICS_OPTIONS) options: MetricsOptions = {}) {
    if (options.defaultMetrics ?? true) prom.collectDefaultMetrics({ register: this.registry });
  }

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.register(name, labelNames, () => new Counter(this.registry, name, help, labelNames), Counter);
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.register(name, labelNames, () => new Gauge(this.registry, name, help, labelNames), Gauge);
  }

  histogram(
    name: string,
    help: string,
    labelNames: readonly string[] = [],
    buckets: readonly number[] = DEFAULT_BUCKETS,
  ): Histogram {
    return this.register(
      name,
      labelNames,
      () => new Histogram(this.registry, name, help, labelNames, buckets),
      Histogram,
    );
  }

  /** Every metric in the Prometheus text exposition format. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Names of every registered metric family (the dashboards' test checks against these). */
  names(): string[] {
    return this.registry.getMetricsAsArray().map((m) => m.name);
  }

  private register<M extends Metric>(
    name: string,
    labelNames: readonly string[],
    create: () => M,
    kind: abstract new (...args: never[]) => M,
  ): M {
    const existing = this.metrics.get(name);
    if (!existing) {
      const metric = create();
      this.metrics.set(name, metric);
      return metric;
    }
    if (!(existing instanceof kind) || existing.labelNames.join() !== labelNames.join()) {
      throw new Error(
        `metric ${name} is already registered as a ${existing.kind} with labels [${existing.labelNames.join()}]`,
      );
    }
    return existing;
  }
}
