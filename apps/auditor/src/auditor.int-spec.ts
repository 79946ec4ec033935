import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, runBuiltCli } from '../test/built-cli.js';
import { indexOf, withData } from '../test/history.js';
import { deleteStreams, jetStreamWith, type TestStream } from '../test/jetstream-fixture.js';
import { honestHistory } from '../test/scenarios.js';
import { runCli } from './cli/run.js';

interface JsonReport {
  ok: boolean;
  complete: boolean;
  replay: { events: number; lastPosition: string };
  coins: { issued: number; spent: number; redeemed: number };
  money: Record<string, { outstandingLiability: number }>;
  violationCount: number;
  violations: { code: string; position: string | null; stream: string; detail: string }[];
  chain?: { chainId: string; index: number };
  run: { eventsPerSecond: number; store: string };
}

const h = honestHistory();
const forgedAt = indexOf(h.appends, 'CoinsSpent', 1, 'chain-ch1');
const forged = withData(h.appends, forgedAt, (d) => ({ ...d, payword: h.chain('ch1').payword(4) }));
const keysFile = join(tmpdir(), `netpay-audit-keys-${randomBytes(4).toString('hex')}.json`);
let honestStream: TestStream | undefined;
let tamperedStream: TestStream | undefined;

function env(stream: TestStream | undefined): Record<string, string> {
  if (stream === undefined) throw new Error('the JetStream fixture was not set up');
  return stream.env;
}

beforeAll(async () => {
  honestStream = await jetStreamWith(h.appends);
  tamperedStream = await jetStreamWith(forged);
  // The form the broker serves on GET /keys.
  await writeFile(keysFile, JSON.stringify({ currentKeyId: h.broker.keyId, keys: h.brokerKeys }));
  ensureBuilt();
}, 180_000);

afterAll(async () => {
  await deleteStreams([honestStream, tamperedStream].flatMap((s) => (s ? [s.streamName] : [])));
  await rm(keysFile, { force: true });
});

describe('netpay-audit in process, on a real JetStream store', () => {
  it('passes the honest history and fails the tampered one, through the CLI code path', async () => {
    const out: string[] = [];
    const io = { out: (t: string) => out.push(t), err: () => undefined, now: () => performance.now() };
    expect(await runCli(['--json', '--broker-keys', keysFile], env(honestStream), io)).toBe(0);
    expect(await runCli(['--json', '--broker-keys', keysFile], env(tamperedStream), io)).toBe(1);
    const [clean, dirty] = out.map((t) => JSON.parse(t) as JsonReport);
    expect(clean?.ok).toBe(true);
    expect(clean?.replay.events).toBe(h.appends.length);
    expect(dirty?.violations[0]).toMatchObject({
      code: 'R1.PAYWORD_DOES_NOT_HASH',
      position: String(forgedAt + 1),
      stream: 'chain-ch1',
    });
  });
});

describe('netpay-audit as a child process (node dist/apps/auditor/src/main.js)', () => {
  it('exits 0 on the honest history and prints the summary', async () => {
    const run = await runBuiltCli(['--broker-keys', keysFile], env(honestStream));
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`NetPay audit of jetstream ${honestStream?.streamName}`);
    expect(run.stdout).toMatch(new RegExp(`Replayed {3}${h.appends.length} events .* events/s`));
    expect(run.stdout).toContain('Coins      50 issued, 15 spent, 15 redeemed');
    expect(run.stdout).toMatch(/outstanding liability\s+80/);
    expect(run.stdout).toMatch(/Result {5}PASS$/m);
  });

  it('exits 1 on the tampered history and names each violation in --json', async () => {
    const run = await runBuiltCli(['--json', '--broker-keys', keysFile], env(tamperedStream));
    expect(run.status).toBe(1);
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report.ok).toBe(false);
    // The forged spend is not applied (no fold believes it): the history written on it disagrees
    // with the chain from there on, and each disagreement is named.
    // (the hand-off stated at the forged index is not applied either, as in every fold, so v2's
    // spend is by a non-holder and starts past the chain's believed index; v1's and v2's batches
    // and the cash-out count coins the chain does not show as spent.)
    expect(report.violations.map((v) => v.code)).toEqual([
      'R1.PAYWORD_DOES_NOT_HASH',
      'R2.HANDOFF_MISMATCH',
      'R2.SPEND_BY_NON_HOLDER',
      'R1.INDEX_SKIPPED',
      'R3.REDEEMED_NOT_SPENT',
      'R3.PAID_ON_UNVERIFIED_ITEMS',
      'R3.REDEEMED_NOT_SPENT',
      'R3.PAID_ON_UNVERIFIED_ITEMS',
      'R4.PAID_MORE_THAN_SPENT',
      'R4.PAID_MORE_THAN_SPENT',
      'R4.LEDGER_UNBALANCED',
      'R4.MONEY_NOT_CONSERVED',
    ]);
    expect(report.violations[0]).toMatchObject({ position: String(forgedAt + 1), stream: 'chain-ch1' });
    expect(report.run.eventsPerSecond).toBeGreaterThan(0);
  });

  it('--chain audits one chain; --from skips what came before', async () => {
    const ch3 = await runBuiltCli(
      ['--json', '--chain', 'ch3', '--broker-keys', keysFile],
      env(tamperedStream),
    );
    expect(ch3.status).toBe(0);
    expect((JSON.parse(ch3.stdout) as JsonReport).chain).toMatchObject({ chainId: 'ch3', index: 6 });
    const ch1 = await runBuiltCli(['--chain', 'ch1', '--broker-keys', keysFile], env(tamperedStream));
    expect(ch1.status).toBe(1);
    expect(ch1.stdout).toContain('R1.PAYWORD_DOES_NOT_HASH');
    expect(ch1.stdout).toContain('history:');

    const after = String(indexOf(forged, 'VendorPaid', 1) + 1);
    const later = await runBuiltCli(
      ['--json', '--from', after, '--broker-keys', keysFile],
      env(tamperedStream),
    );
    expect(later.status).toBe(0);
    expect((JSON.parse(later.stdout) as JsonReport).replay.events).toBe(forged.length - Number(after));
  });

  it('without broker keys every touchstone is a violation', async () => {
    const run = await runBuiltCli(['--json'], env(honestStream));
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('no broker public keys');
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report.violations.filter((v) => v.code === 'R1.UNKNOWN_BROKER_KEY')).toHaveLength(3);
  });

  it('exits 2 on bad usage and 3 when the store cannot be reached', async () => {
    const usage = await runBuiltCli(['--from', 'yesterday'], env(honestStream));
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('--from must be a global position');
    const down = await runBuiltCli([], {
      ...env(honestStream),
      NATS_URL: 'nats://127.0.0.1:1',
      EVENT_STORE_TIMEOUT_MS: '500',
    });
    expect(down.status).toBe(3);
    expect(down.stderr).toContain('cannot open the event store');
  });
});
