import { performance } from 'node:perf_hooks';

export interface MeasureOptions {
  /** Untimed run first, so the JIT and caches settle. Default 300 ms (`BENCH_WARMUP_MS`). */
  readonly warmupMs?: number;
  /** Timed run. Default 1500 ms (`BENCH_DURATION_MS`). */
  readonly durationMs?: number;
}

function envMs(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/**
 * Operations per second of `op`, called back to back for a fixed duration
 * after a warm-up. The clock is read once per batch (sized during warm-up to
 * ~1 ms) so reading it does not dominate fast operations.
 */
export function measureOpsPerSecond(op: () => unknown, options: MeasureOptions = {}): number {
  const warmupMs = options.warmupMs ?? envMs('BENCH_WARMUP_MS', 300);
  const durationMs = options.durationMs ?? envMs('BENCH_DURATION_MS', 1500);
  let batch = 1;
  const warmupEnd = performance.now() + warmupMs;
  while (performance.now() < warmupEnd) {
    const start = performance.now();
    for (let i = 0; i < batch; i++) op();
    if (performance.now() - start < 1) batch *= 2;
  }
  let count = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < durationMs) {
    for (let i = 0; i < batch; i++) op();
    count += batch;
    elapsed = performance.now() - start;
  }
  return (count / elapsed) * 1000;
}

/** Same for asynchronous operations, awaited one at a time. */
export async function measureAsyncOpsPerSecond(
  op: () => Promise<unknown>,
  options: MeasureOptions = {},
): Promise<number> {
  const warmupMs = options.warmupMs ?? envMs('BENCH_WARMUP_MS', 300);
  const durationMs = options.durationMs ?? envMs('BENCH_DURATION_MS', 1500);
  const warmupEnd = performance.now() + warmupMs;
  while (performance.now() < warmupEnd) await op();
  let count = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < durationMs) {
    await op();
    count++;
    elapsed = performance.now() - start;
  }
  return (count / elapsed) * 1000;
}
