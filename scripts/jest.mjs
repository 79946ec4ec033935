// Runs one jest tier in jest's native ESM mode (NestJS 12 ships ESM only).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const [tier, ...rest] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const jestBin = require.resolve('jest/bin/jest');
const result = spawnSync(process.execPath, ['--experimental-vm-modules', '--no-warnings', jestBin, ...rest], {
  stdio: 'inherit',
  env: { ...process.env, NETPAY_TEST_TIER: tier },
});
process.exit(result.status ?? 1);
