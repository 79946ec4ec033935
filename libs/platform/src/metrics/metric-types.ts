/** Label values by label name; every declared label should be given. */
export type Labels = Readonly<Record<string, string | number>>;

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Common to counters, gauges and histograms: a name, help text and fixed label names. */
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

  /** Prometheus text exposition lines (format 0.0.4), HELP and TYPE first. */
  render(): string[] {
    return [
      `# HELP ${this.name} ${escapeHelp(this.help)}`,
      `# TYPE ${this.name} ${this.kind}`,
      ...this.samples(),
    ];
  }

  protected abstract samples(): string[];

  protected key(labels: Labels): string {
    const unknown = Object.keys(labels).find((l) => !this.labelNames.includes(l));
    if (unknown !== undefined) throw new Error(`metric ${this.name} has no label ${JSON.stringify(unknown)}`);
    return JSON.stringify(this.labelNames.map((l) => String(labels[l] ?? '')));
  }

  protected labelText(key: string, extra = ''): string {
    const values = JSON.parse(key) as string[];
    const pairs = this.labelNames.map((l, i) => `${l}="${escapeLabel(values[i] ?? '')}"`);
    if (extra) pairs.push(extra);
    return pairs.length ? `{${pairs.join(',')}}` : '';
  }
}

/** A count that only goes up (requests, spends accepted, hand-offs refused). */
export class Counter extends Metric {
  readonly kind = 'counter';
  private readonly values = new Map<string, number>();

  inc(labels: Labels = {}, by = 1): void {
    if (!(by >= 0)) throw new Error(`counter ${this.name} cannot go down (inc by ${by})`);
    const key = this.key(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }

  get(labels: Labels = {}): number {
    return this.values.get(this.key(labels)) ?? 0;
  }

  protected samples(): string[] {
    return [...this.values].map(([key, v]) => `${this.name}${this.labelText(key)} ${v}`);
  }
}

/** A value that goes up and down; `collect` refreshes it just before each scrape. */
export class Gauge extends Metric {
  readonly kind = 'gauge';
  private readonly values = new Map<string, number>();
  collect: ((gauge: Gauge) => void) | undefined;

  set(value: number, labels: Labels = {}): void {
    this.values.set(this.key(labels), value);
  }

  get(labels: Labels = {}): number {
    return this.values.get(this.key(labels)) ?? 0;
  }

  protected samples(): string[] {
    this.collect?.(this);
    return [...this.values].map(([key, v]) => `${this.name}${this.labelText(key)} ${v}`);
  }
}

/** Seconds: 1 ms … 10 s, fit for request and hand-off latencies. */
export const DEFAULT_BUCKETS: readonly number[] = [
  0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** Observations counted into cumulative buckets, with their sum and count. */
export class Histogram extends Metric {
  readonly kind = 'histogram';
  private readonly series = new Map<string, { buckets: number[]; sum: number; count: number }>();

  constructor(
    name: string,
    help: string,
    labelNames: readonly string[] = [],
    readonly buckets = DEFAULT_BUCKETS,
  ) {
    super(name, help, labelNames);
    if (buckets.some((b, i) => i > 0 && b <= buckets[i - 1]!))
      throw new Error(`histogram ${name}: buckets must increase`);
  }

  observe(value: number, labels: Labels = {}): void {
    const key = this.key(labels);
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { buckets: this.buckets.map(() => 0), sum: 0, count: 0 }));
    for (let i = 0; i < this.buckets.length; i++)
      if (value <= this.buckets[i]!) s.buckets[i] = s.buckets[i]! + 1;
    s.sum += value;
    s.count += 1;
  }

  protected samples(): string[] {
    return [...this.series].flatMap(([key, s]) => [
      ...this.buckets.map(
        (upper, i) => `${this.name}_bucket${this.labelText(key, `le="${upper}"`)} ${s.buckets[i]}`,
      ),
      `${this.name}_bucket${this.labelText(key, 'le="+Inf"')} ${s.count}`,
      `${this.name}_sum${this.labelText(key)} ${s.sum}`,
      `${this.name}_count${this.labelText(key)} ${s.count}`,
    ]);
  }
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function escapeLabel(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
