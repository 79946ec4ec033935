// `npm run demo -- --keep` leaves `.stack/demo/<stream>.env`; `npm run audit -- --env <file>` reads it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import type { EventStoreSettings } from '#event-store';
import { InMemoryEventStore } from '#event-store';
import { runCli } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'netpay-audit-env-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const io = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), now: () => 0 } };
};

describe('netpay-audit --env <file>', () => {
  it('takes the store, prefix and keys of the run from the file, over the environment', async () => {
    const file = join(dir, 'NETPAY_DEMO_X.env');
    writeFileSync(
      file,
      [
        '# npm run audit -- --env .stack/demo/NETPAY_DEMO_X.env',
        'EVENT_STORE=jetstream',
        'NATS_URL=nats://127.0.0.1:4999',
        'EVENT_STORE_STREAM=NETPAY_DEMO_X',
        'EVENT_STORE_SUBJECT_PREFIX=netpay.demo.x',
        'NATS_USER=auditor',
        'NATS_PASSWORD=secret_pw',
        `BROKER_ROOT_PUBLIC_KEYS=broker-root:${'ab'.repeat(32)}`,
      ].join('\n'),
    );
    let opened: EventStoreSettings | undefined;
    const { io: cliIo, out, err } = io();
    const code = await runCli(
      ['--env', file],
      { EVENT_STORE_STREAM: 'NETPAY_EVENTS', NATS_URL: 'nats://elsewhere:4222' },
      cliIo,
      async (settings) => {
        opened = settings;
        return new InMemoryEventStore();
      },
    );
    expect(code).toBe(0);
    expect(opened).toMatchObject({
      kind: 'jetstream',
      jetstream: {
        servers: ['nats://127.0.0.1:4999'],
        streamName: 'NETPAY_DEMO_X',
        subjectPrefix: 'netpay.demo.x',
        user: 'auditor',
        pass: 'secret_pw',
      },
    });
    // The root key counts as a broker key: no warning that every touchstone will be unknown.
    expect(err.join('\n')).not.toMatch(/no broker public keys/);
    expect(out.join('\n')).toMatch(/PASS/);
  });

  it('answers a usage error (exit 2) for a file that cannot be read', async () => {
    const { io: cliIo, err } = io();
    expect(await runCli(['--env', join(dir, 'missing.env')], {}, cliIo)).toBe(2);
    expect(err.join('\n')).toMatch(/cannot read --env/);
  });

  it("points at the local stack's settings when run without --env beside one and the store cannot be opened", async () => {
    const stack = mkdtempSync(join(dir, 'checkout-'));
    const cwd = process.cwd();
    const failing = async (): Promise<never> => {
      throw new Error('JetStream stream NETPAY_EVENTS does not exist');
    };
    const env = { NATS_URL: 'nats://127.0.0.1:4222', BROKER_ROOT_PUBLIC_KEYS: `r:${'ab'.repeat(32)}` };
    process.chdir(stack);
    try {
      const bare = io();
      expect(await runCli([], env, bare.io, failing)).toBe(3);
      expect(bare.err.join('\n')).not.toContain('.stack/start.env');
      mkdirSync(join(stack, '.stack'));
      writeFileSync(join(stack, '.stack', 'start.env'), 'NATS_URL=nats://127.0.0.1:4223\n');
      const beside = io();
      expect(await runCli([], env, beside.io, failing)).toBe(3);
      expect(beside.err.join('\n')).toContain('npm run audit -- --env .stack/start.env');
      // A stack moved elsewhere (NETPAY_STACK_DIR, as a newcomer probe had it): its file is named.
      const moved = mkdtempSync(join(dir, 'moved-'));
      writeFileSync(join(moved, 'start.env'), 'NATS_URL=nats://127.0.0.1:4224\n');
      rmSync(join(stack, '.stack'), { recursive: true });
      const elsewhere = io();
      expect(await runCli([], { ...env, NETPAY_STACK_DIR: moved }, elsewhere.io, failing)).toBe(3);
      expect(elsewhere.err.join('\n')).toContain(`npm run audit -- --env ${join(moved, 'start.env')}`);
    } finally {
      process.chdir(cwd);
    }
  });
});
