// A NetPay app's compiled main under the V8 CPU profiler, for load-tests/perf-sweep.mjs:
// PERF_ENTRY names the main (e.g. dist/apps/vendor/src/main.js). SIGUSR2 starts profiling, the
// next SIGUSR2 stops it and writes PERF_PROFILE_DIR/<pid>-<n>.cpuprofile (open it in Chrome
// DevTools, or summarise it with `node load-tests/perf-profile-top.mjs FILE`). A profile of the
// measured phase only: start-up and seeding stay out of it.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const entry = process.env.PERF_ENTRY;
const dir = process.env.PERF_PROFILE_DIR ?? '.';
if (!entry) throw new Error('PERF_ENTRY is not set');

const session = new Session();
session.connect();
let running = false;
let n = 0;
session.post('Profiler.enable');
// 100 µs between samples (the default is 1 ms): a spend costs a few hundred µs.
session.post('Profiler.setSamplingInterval', { interval: 100 });

process.on('SIGUSR2', () => {
  if (!running) {
    session.post('Profiler.start');
    running = true;
    return;
  }
  session.post('Profiler.stop', (error, result) => {
    running = false;
    if (error) return console.error(`profile: ${error.message}`);
    const file = join(dir, `${process.pid}-${++n}.cpuprofile`);
    writeFileSync(file, JSON.stringify(result.profile));
    console.error(`profile: ${file}`);
  });
});

await import(pathToFileURL(resolve(entry)).href);
