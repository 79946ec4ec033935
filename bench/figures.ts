/**
 * What a benchmark module reports. Every `dist/bench/*.bench.js` module exports
 * `default` (or `benchmarks`): a `Benchmark` or an array of them. The runner
 * (`bench/run.ts`) runs them all in one process and writes
 * `bench-results.json` as name → { value, unit }.
 */

export interface BenchFigure {
  /** Stable dotted name, `<area>.<what>`, e.g. `protocol.payword-verify`. */
  readonly name: string;
  readonly value: number;
  /** e.g. `ops/s`, `ms`, `×`. */
  readonly unit: string;
  /** One line on what was measured, printed under the table. */
  readonly description?: string;
}

export type Benchmark = () => Promise<readonly BenchFigure[]>;

export interface BenchModule {
  readonly default?: Benchmark | readonly Benchmark[];
  readonly benchmarks?: Benchmark | readonly Benchmark[];
}

/** A ratio of two figures measured in the same run, e.g. "payword verifies N× faster". */
export function ratioFigure(
  name: string,
  numerator: BenchFigure,
  denominator: BenchFigure,
  description?: string,
): BenchFigure {
  return {
    name,
    value: numerator.value / denominator.value,
    unit: '×',
    description: description ?? `${numerator.name} / ${denominator.name}`,
  };
}
