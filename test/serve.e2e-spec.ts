import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JetStreamEventStore } from '#event-store';
import { testNatsOptions } from '#event-store/testing';
import { stackPorts } from './ports.js';

const run = `serve_${process.pid}_${Date.now().toString(36)}`;
const env = {
  ...process.env,
  NETPAY_STACK_DIR: mkdtempSync(join(tmpdir(), 'netpay-serve-')),
  EVENT_STORE_STREAM: run.toUpperCase(),
  EVENT_STORE_SUBJECT_PREFIX: `netpay.${run}`,
  NATS_SUBJECT_PREFIX: run,
  REDIS_KEY_PREFIX: `netpay:${run}:`,
};
// Broker, the three vendors, the redemption worker: on free ports chosen before the run.
let urls: string[] = [];

beforeAll(async () => {
  const ports = await stackPorts();
  Object.assign(env, ports);
  const [broker, redemption, vendor] = [ports.BROKER_PORT, ports.REDEMPTION_PORT, ports.VENDOR_BASE_PORT].map(
    Number,
  );
  urls = [broker!, vendor!, vendor! + 1, vendor! + 2, redemption!].map((port) => `http://127.0.0.1:${port}`);
});

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(1_000) })).ok;
  } catch {
    return false;
  }
}

afterAll(async () => {
  const store = await JetStreamEventStore.connect({
    ...testNatsOptions('setup'),
    streamName: env.EVENT_STORE_STREAM,
    subjectPrefix: env.EVENT_STORE_SUBJECT_PREFIX,
  });
  await store.deleteStreams();
  await store.close();
});

describe('npm start', () => {
  it('serves the broker, three vendors and the redemption worker until Ctrl-C, then stops them all', async () => {
    const child = spawn(process.execPath, ['dist/apps/demo/src/serve.js'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const deadline = Date.now() + 60_000;
    // The table's last line ends what it prints (its lines may come in several chunks).
    while (!out.includes('  events: ') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(out).toContain('NetPay is serving');
    // It prints every URL with its API docs, and each one answers.
    for (const url of urls) {
      expect(out).toContain(`${url}/docs`);
      expect(await answers(`${url}/health/ready`)).toBe(true);
      expect(await answers(`${url}/docs-json`)).toBe(true);
    }
    // The pages a person opens, and a bank account to register with.
    expect(out).toContain(`${urls[0]}/   register, buy coins`);
    for (const url of urls.slice(1, 4)) expect(out).toContain(`${url}/\n`);
    expect(out).toMatch(/account demo_[0-9a-f]{8}, mandate [A-Za-z0-9_-]{16,}/);
    for (const url of urls.slice(0, 4)) {
      const page = await fetch(`${url}/`);
      expect(page.headers.get('content-type')).toContain('text/html');
    }
    // The vendors' bank accounts are open, so a night pays them (they were missing: every payout
    // declined with account-unknown), and the audit's variables are written for `npm run audit`.
    const { adminToken } = JSON.parse(readFileSync(join(env.NETPAY_STACK_DIR, 'secrets.json'), 'utf8')) as {
      adminToken: string;
    };
    for (const vendor of ['newspaper', 'greetings', 'music']) {
      const account = await fetch(`${urls[0]}/bank/accounts/vendor_${vendor}`, {
        headers: { authorization: `Bearer ${adminToken}` },
      });
      expect({ vendor, status: account.status }).toEqual({ vendor, status: 200 });
    }
    while (!out.includes('  audit: ') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(out).toContain('npm run audit -- --env ');
    expect(readFileSync(join(env.NETPAY_STACK_DIR, 'start.env'), 'utf8')).toMatch(/^NATS_USER=auditor$/m);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out).toContain('stopped.');
    for (const url of urls) expect(await answers(`${url}/health`)).toBe(false);
  }, 120_000);
});
