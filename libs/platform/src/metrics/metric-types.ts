import * as prom from 'prom-client';

/** Label values by label name; every declared label should be given. */
export type Labels = Readonly<Record<string, string | number>>;

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Common to counters, gauges and histograms: a name, help text and fixed label names, over a
 * prom-client metric registered in the service's registry. The wrappers keep NetPay's call
 * shapes (`inc(labels, by)`, `observe(value, labels)`, `set(value, labels)`) so that modules do
 * not import prom-client, and refuse a label the metric was not declared with.
 */
export abstract class Metric {
  abstract readonly kind: 'counter' | 'gauge' | 'histogram';

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[] = [],
  ) {
    if (!NAME.test(name)) throw new Error(`metric name ${JSON.stringify(name)} is not a Prometheus name`);
    const bad = labelNames.find((l) => !LABEL.test(l) || l === 'le');
    if (bad !== undefined)
      throw new Error(`metric ${name}: label name ${JSON.stringify(bad)} is not allowed`);
  }

  protected checked(labels: Labels): prom.LabelValues<string> {
    const unknown = Object.keys(labels).find((l) => !this.labelNames.includes(l));
    if (unknown !== undefined) throw new Error(`metric ${this.name} has no label ${JSON.stringify(unknown)}`);
    return labels;
  }

  /** A stable key of the label values, for `get` (read back in tests and in-process checks). */
  protected key(labels: Labels): string {
    return this.labelNames.map((l) => String(labels[l] ?? '')).join('\u0000');
  }
}

/** A count that only goes up (requests, spends accepted, hand-offs refused). */
export class Counter extends Metric {
  readonly kind = 'counter';
  private readonly metric: prom.Counter<string>;
  // prom-client reads values back only asynchronously; `get` is synchronous for its callers.
  private readonly values = new Map<string, number>();

  constructor(registry: prom.Registry, name: string, help: string, labelNames: readonly string[] = []) {
    super(name, help, labelNames);
    this.metric = new prom.Counter({ name, help, labelNames: [...labelNames], registers: [registry] });
  }

  inc(labels: Labels = {}, by = 1): void {
    if (!(by >= 0)) throw new Error(`counter ${this.name} cannot go down (inc by ${by})`);
    this.metric.inc(this.checked(labels), by);
    const key = this.key(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }

  get(labels: Labels = {}): number {
    return this.values.get(this.key(labels)) ?? 0;
  }
}

/** A value that goes up and down; `collect` refreshes it just before each scrape. */
export class Gauge extends Metric {
  readonly kind = 'gauge';
  private readonly metric: prom.Gauge<string>;
  private readonly values = new Map<string, number>();
  collect: ((gauge: Gauge) => void | Promise<void>) | undefined;

  constructor(registry: prom.Registry, name: string, help: string, labelNames: readonly string[] = []) {
    super(name, help, labelNames);
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- prom-client calls collect with its own `this`
    const self = this;
    this.metric = new prom.Gauge({
      name,
      help,
      labelNames: [...labelNames],
      registers: [registry],
      async collect() {
        await self.collect?.(self);
      },
    });
  }

  set(value: number, labels: Labels = {}): void {
    this.metric.set(this.checked(labels), value);
    this.values.set(this.key(labels), value);
  }

  get(labels: Labels = {}): number {
    return this.values.get(this.key(labels)) ?? 0;
  }
}

/** Seconds: 1 ms … 10 s, fit for request and hand-off latencies. */
export const DEFAULT_BUCKETS: readonly number[] = [
  0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** Observations counted into cumulative buckets, with their sum and count. */
export class Histogram extends Metric {
  readonly kind = 'histogram';
  private readonly metric: prom.Histogram<string>;

  constructor(
    registry: prom.Registry,
    name: string,
    help: string,
    labelNames: readonly string[] = [],
    readonly buckets: readonly number[] = DEFAULT_BUCKETS,
  ) {
    super(name, help, labelNames);
    if (buckets.some((b, i) => i > 0 && b <= buckets[i - 1]!))
      throw new Error(`histogram ${name}: buckets must increase`);
    this.metric = new prom.Histogram({
      name,
      help,
      labelNames: [...labelNames],
      buckets: [...buckets],
      registers: [registry],
    });
  }

  observe(value: number, labels: Labels = {}): void {
    this.metric.observe(this.checked(labels), value);
  }

  /** Starts a timer; calling the result observes the seconds since. */
  startTimer(labels: Labels = {}): () => number {
    return this.metric.startTimer(this.checked(labels));
  }
}
