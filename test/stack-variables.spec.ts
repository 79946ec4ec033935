import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describeConfig } from '#platform';
import { StackConfig } from '../apps/demo/src/stack.config.js';

const ROOT = resolve(import.meta.dirname, '..');

/** `node scripts/stack.mjs up` in a throw-away stack directory, where no server can start. */
function stackUp(env: Record<string, string>): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'netpay-stack-vars-'));
  try {
    const run = spawnSync(process.execPath, ['scripts/stack.mjs', 'up'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        PATH: process.env.PATH,
        NETPAY_STACK_DIR: dir,
        // Nothing may start if the check is missing: no binary, and a NATS_URL nobody answers.
        NATS_SERVER_BIN: join(dir, 'no-nats-server'),
        REDIS_SERVER_BIN: join(dir, 'no-redis-server'),
        NATS_URL: 'nats://127.0.0.1:9',
        REDIS_URL: 'redis://127.0.0.1:9',
        ...env,
      },
    });
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// scripts/stack.mjs (npm start, the demo, the tests) read these itself; a bad NETPAY_NATS_PORT
// ended in a Node stack trace about port NaN, naming no variable, and none of them was in the
// README's tables.
describe('the local stack script checks its own variables', () => {
  it.each([
    ['NETPAY_NATS_PORT', 'abc'],
    ['NETPAY_NATS_PORT', '70000'],
    ['NETPAY_NATS_PROF_PORT', 'x'],
    ['NETPAY_NATS_BUILD', 'yes please'],
    ['NETPAY_NATS_SYNC', 'sometimes'],
  ])('refuses %s=%s at once, naming it, without a stack trace', (variable, value) => {
    const { status, output } = stackUp({ [variable]: value });
    expect(status).toBe(1);
    expect(output).toContain(`${variable}:`);
    expect(output).not.toMatch(/\n\s+at /);
  });

  it('declares them in StackConfig, so the README tables list them', () => {
    const names = describeConfig(StackConfig).map((v) => v.name);
    for (const name of [
      'NETPAY_NATS_PORT',
      'NETPAY_NATS_BUILD',
      'NETPAY_NATS_SYNC',
      'NETPAY_NATS_PROF_PORT',
      'NATS_SERVER_BIN',
      'REDIS_SERVER_BIN',
    ])
      expect(names).toContain(name);
  });
});
