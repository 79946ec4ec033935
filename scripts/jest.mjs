// Runs one jest tier in jest's native ESM mode (NestJS 12 ships ESM only) and
// records its counts so `npm test` can end with one plain summary line.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const [tier, ...rest] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const jestBin = require.resolve('jest/bin/jest');
const resultsDir = join(process.cwd(), '.stack', 'test-results');
mkdirSync(resultsDir, { recursive: true });
// The local stack's NATS runs with authorization, maybe on another port (scripts/stack.mjs):
// tests find it, and the identities, through .stack/nats-auth.json (#event-store/testing).
const natsAuth = process.env.NETPAY_NATS_AUTH_FILE ?? join(process.cwd(), '.stack', 'nats-auth.json');
const natsEnv = existsSync(natsAuth)
  ? { NATS_URL: JSON.parse(readFileSync(natsAuth, 'utf8')).url, NETPAY_NATS_AUTH_FILE: natsAuth }
  : {};
const result = spawnSync(
  process.execPath,
  [
    '--experimental-vm-modules',
    '--no-warnings',
    jestBin,
    '--json',
    `--outputFile=${join(resultsDir, `${tier}.json`)}`,
    ...rest,
  ],
  { stdio: 'inherit', env: { ...process.env, ...natsEnv, NETPAY_TEST_TIER: tier } },
);
process.exit(result.status ?? 1);
