#!/usr/bin/env node
// netpay-audit: replays NetPay's event store and checks DESIGN §5 (see `--help`).
import { performance } from 'node:perf_hooks';
import { runCli } from './cli/run.js';

process.exitCode = await runCli(process.argv.slice(2), process.env, {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  now: () => performance.now(),
});
