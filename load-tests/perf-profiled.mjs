// A NetPay app's compiled main under observation, for load-tests/perf-sweep.mjs: PERF_ENTRY
// names the main (e.g. dist/apps/vendor/src/main.js). SIGUSR2 starts a window, the next SIGUSR2
// ends it and writes, into PERF_PROFILE_DIR:
// - <pid>-<n>.stalls.json: event-loop delay (p50/p99/max) and garbage collections (count, time,
//   the long ones) over the window — what makes a request wait without being slow itself;
// - <pid>-<n>.cpuprofile, unless PERF_CPU_PROFILE=0: the V8 CPU profile of the window (open it
//   in Chrome DevTools, or `node load-tests/perf-profile-top.mjs FILE`). The profiler costs CPU
//   of its own (a sample every 100 µs): read CPU figures from runs without it.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const entry = process.env.PERF_ENTRY;
const dir = process.env.PERF_PROFILE_DIR ?? '.';
const cpuProfile = process.env.PERF_CPU_PROFILE !== '0';
if (!entry) throw new Error('PERF_ENTRY is not set');

const session = new Session();
if (cpuProfile) {
  session.connect();
  session.post('Profiler.enable');
  // 100 µs between samples (the default is 1 ms): a spend costs a few hundred µs.
  session.post('Profiler.setSamplingInterval', { interval: 100 });
}

const GC_KINDS = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weakcb' };
let window;

function start() {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const gcs = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      gcs.push({ ms: e.duration, kind: GC_KINDS[e.detail?.kind] ?? 'other' });
  });
  observer.observe({ entryTypes: ['gc'] });
  if (cpuProfile) session.post('Profiler.start');
  window = { delay, gcs, observer, startedAt: Date.now() };
}

function stop(n) {
  const { delay, gcs, observer, startedAt } = window;
  window = undefined;
  delay.disable();
  observer.disconnect();
  const ms = (ns) => Number((ns / 1e6).toFixed(2));
  const byKind = {};
  for (const g of gcs) {
    const k = (byKind[g.kind] ??= { count: 0, totalMs: 0, maxMs: 0 });
    k.count += 1;
    k.totalMs = Number((k.totalMs + g.ms).toFixed(1));
    k.maxMs = Number(Math.max(k.maxMs, g.ms).toFixed(1));
  }
  const stalls = {
    seconds: (Date.now() - startedAt) / 1000,
    eventLoopDelayMs: {
      p50: ms(delay.percentile(50)),
      p99: ms(delay.percentile(99)),
      p999: ms(delay.percentile(99.9)),
      max: ms(delay.max),
    },
    gc: {
      byKind,
      over10ms: gcs.filter((g) => g.ms > 10).length,
      over50ms: gcs.filter((g) => g.ms > 50).length,
    },
    memory: process.memoryUsage(),
  };
  const base = join(dir, `${process.pid}-${n}`);
  writeFileSync(`${base}.stalls.json`, JSON.stringify(stalls, null, 2));
  console.error(`perf: ${base}.stalls.json`);
  if (!cpuProfile) return;
  session.post('Profiler.stop', (error, result) => {
    if (error) return console.error(`profile: ${error.message}`);
    writeFileSync(`${base}.cpuprofile`, JSON.stringify(result.profile));
    console.error(`perf: ${base}.cpuprofile`);
  });
}

let n = 0;
process.on('SIGUSR2', () => (window ? stop(++n) : start()));

await import(pathToFileURL(resolve(entry)).href);
