import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { generateSigningKey } from '#protocol';
import { ensureWorkerBuilt, ROOT } from '../test/worker-process.js';

// `run --day` of a day to come waited for the lease (up to twice its TTL), then died with a stack
// trace like a crash. It is refused at once, as a usage error, before anything is connected.
describe('redemption run --day', () => {
  it('refuses a day that has not begun, or no date at all, at once and without a stack trace', () => {
    ensureWorkerBuilt();
    const broker = generateSigningKey('broker-1');
    const env = {
      PATH: process.env.PATH ?? '',
      BROKER_PUBLIC_KEYS: `broker-1:${broker.publicKey}`,
      REDEMPTION_SIGNING_KEY: '2a'.repeat(32),
      ADMIN_TOKEN: 'operator-token-0123456789',
      REDEMPTION_VIEW_STORE: 'memory',
      REDEMPTION_TIME_ZONE: 'Pacific/Auckland',
      // Nothing answers here: a refusal that got as far as connecting would say so instead.
      NATS_URL: 'nats://127.0.0.1:1',
    };
    const main = join(ROOT, 'dist/apps/redemption/src/main.js');
    for (const [day, said] of [
      ['2999-01-01', /2999-01-01 has not begun yet in Pacific\/Auckland/],
      ['2026-02-30', /2026-02-30 is not a calendar date/],
    ] as const) {
      const run = spawnSync(process.execPath, [main, 'run', '--day', day], {
        env,
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect({ status: run.status, said: said.test(run.stderr) }).toEqual({ status: 1, said: true });
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
