import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Benchmark, BenchFigure, BenchModule } from './figures.js';

/**
 * Runs every `*.bench.js` module next to this file (dist/bench/) in one process,
 * prints a table and writes `bench-results.json` (name → { value, unit }) at the
 * repo root. `node dist/bench/run.js protocol vendor` runs only the modules whose
 * file name contains one of the filters and merges their figures into the
 * existing results file.
 */

interface StoredFigure {
  readonly value: number;
  readonly unit: string;
}

const here = dirname(fileURLToPath(import.meta.url));
const resultsPath = resolve(process.env.BENCH_RESULTS ?? join(here, '..', '..', 'bench-results.json'));

function discover(filters: readonly string[]): string[] {
  return readdirSync(here)
    .filter((file) => file.endsWith('.bench.js'))
    .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
    .sort();
}

function benchmarksOf(module: BenchModule, file: string): readonly Benchmark[] {
  const exported: unknown = module.default ?? module.benchmarks;
  if (typeof exported === 'function') return [exported as Benchmark];
  if (Array.isArray(exported) && exported.every((b) => typeof b === 'function'))
    return exported as Benchmark[];
  throw new Error(`${file} exports neither a default nor a \`benchmarks\` function (or array of them)`);
}

function isFigure(value: unknown): value is BenchFigure {
  if (typeof value !== 'object' || value === null) return false;
  const f = value as Record<string, unknown>;
  return (
    typeof f.name === 'string' &&
    typeof f.value === 'number' &&
    Number.isFinite(f.value) &&
    typeof f.unit === 'string'
  );
}

function format(value: number): string {
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function printTable(figures: readonly BenchFigure[]): void {
  const rows = figures.map((f) => [f.name, format(f.value), f.unit]);
  const widths = [0, 1, 2].map((c) =>
    Math.max(...[['figure', 'value', 'unit'], ...rows].map((r) => r[c]!.length)),
  );
  const line = (r: string[]) =>
    `${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padStart(widths[1]!)}  ${r[2]!.padEnd(widths[2]!)}`;
  console.log(line(['figure', 'value', 'unit']));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
  const described = figures.filter((f) => f.description);
  if (described.length > 0) console.log('');
  for (const f of described) console.log(`  ${f.name}: ${f.description}`);
}

function readExisting(): Record<string, StoredFigure> {
  if (!existsSync(resultsPath)) return {};
  try {
    return JSON.parse(readFileSync(resultsPath, 'utf8')) as Record<string, StoredFigure>;
  } catch {
    return {};
  }
}

async function main(): Promise<void> {
  const filters = process.argv.slice(2);
  const files = discover(filters);
  if (files.length === 0) {
    console.error(
      `no *.bench.js modules in ${here}${filters.length ? ` matching ${filters.join(', ')}` : ''}`,
    );
    process.exitCode = 1;
    return;
  }
  const figures: BenchFigure[] = [];
  let failed = 0;
  for (const file of files) {
    console.error(`running ${file} …`);
    try {
      const module = (await import(pathToFileURL(join(here, file)).href)) as BenchModule;
      for (const benchmark of benchmarksOf(module, file)) {
        const produced: unknown = await benchmark();
        if (!Array.isArray(produced) || !produced.every(isFigure)) {
          throw new Error(
            `${file}: a benchmark returned something other than an array of {name, value, unit}`,
          );
        }
        figures.push(...produced);
      }
    } catch (error) {
      failed++;
      console.error(`✗ ${file}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }
  console.log('');
  printTable(figures);
  const results: Record<string, StoredFigure> = filters.length > 0 ? readExisting() : {};
  for (const f of figures) results[f.name] = { value: f.value, unit: f.unit };
  writeFileSync(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwrote ${Object.keys(results).length} figures to ${resultsPath}`);
  if (failed > 0) process.exitCode = 1;
}

await main();
