import { Injectable } from '@nestjs/common';
import { Counter, DEFAULT_BUCKETS, Gauge, Histogram, type Metric } from './metric-types.js';

/**
 * The process's metrics, rendered as Prometheus text on `/metrics`. Asking twice for the same
 * name returns the same metric, so each module declares what it uses where it uses it.
 */
@Injectable()
export class MetricsService {
  private readonly metrics = new Map<string, Metric>();

  constructor() {
    this.gauge('process_resident_memory_bytes', 'Resident memory size in bytes.').collect = (g) =>
      g.set(process.memoryUsage.rss());
    this.gauge('nodejs_heap_used_bytes', 'V8 heap in use, in bytes.').collect = (g) =>
      g.set(process.memoryUsage().heapUsed);
  }

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.register(name, labelNames, () => new Counter(name, help, labelNames), Counter);
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.register(name, labelNames, () => new Gauge(name, help, labelNames), Gauge);
  }

  histogram(
    name: string,
    help: string,
    labelNames: readonly string[] = [],
    buckets: readonly number[] = DEFAULT_BUCKETS,
  ): Histogram {
    return this.register(name, labelNames, () => new Histogram(name, help, labelNames, buckets), Histogram);
  }

  /** Every metric in Prometheus text exposition format 0.0.4. */
  render(): string {
    return [...this.metrics.values()].flatMap((m) => m.render()).join('\n') + '\n';
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
