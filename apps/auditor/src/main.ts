#!/usr/bin/env node
// netpay-audit: replays NetPay's event store and checks DESIGN §5 (see `--help`).
import { performance } from 'node:perf_hooks';
import { terminalProgress } from './cli/progress.js';
import { runCli } from './cli/run.js';

// Progress of long replays on a terminal; nothing when stderr is piped or redirected.
const progress = terminalProgress(process.stderr);
process.exitCode = await runCli(process.argv.slice(2), process.env, {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  now: () => performance.now(),
  ...(progress ? { progress } : {}),
});
