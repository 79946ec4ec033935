import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { InMemoryEventStore } from '#event-store';
import { terminalProgress } from './progress.js';
import { runCli } from './run.js';

/** A store with `count` events (of a kind the audit merely counts), to replay page by page. */
async function storeWith(count: number): Promise<InMemoryEventStore> {
  const store = new InMemoryEventStore();
  const metadata = { correlationId: 'c', causationId: 'c', actor: 'test' };
  for (let i = 0; i < count; i += 100)
    await store.appendToStream(
      `noise-${i}`,
      Array.from({ length: 100 }, () => ({
        id: randomUUID(),
        type: 'Noise',
        version: 1,
        data: {},
        metadata,
      })),
    );
  return store;
}

function cli(progress: boolean) {
  const out: string[] = [];
  const err: string[] = [];
  const lines: (string | undefined)[] = [];
  let clock = 0;
  const io = {
    out: (t: string) => out.push(t),
    err: (t: string) => err.push(t),
    // Each call moves the clock a second: every page is past the throttle.
    now: () => (clock += 1_000),
    ...(progress ? { progress: (line: string | undefined) => lines.push(line) } : {}),
  };
  return { io, out, err, lines };
}

describe('the auditor’s progress on long replays', () => {
  it('shows a line per page on a terminal, cleared before the report', async () => {
    const store = await storeWith(1_000);
    const { io, out, lines } = cli(true);
    await runCli(['--page-size', '100'], {}, io, async () => store);
    const shown = lines.filter((l): l is string => l !== undefined);
    expect(shown.length).toBeGreaterThanOrEqual(5);
    expect(shown.at(-1)).toMatch(/^netpay-audit: 1,000 events replayed \(position \d+\), [\d,]+\/s$/);
    expect(lines.at(-1)).toBeUndefined();
    expect(out.join('\n')).not.toMatch(/events replayed/);
  });

  it('stays quiet when stderr is not a terminal (piped or redirected)', async () => {
    const store = await storeWith(1_000);
    const { io, err, out } = cli(false);
    await runCli(['--page-size', '100'], {}, io, async () => store);
    expect([...err, ...out].join('\n')).not.toMatch(/events replayed/);
  });

  it('writes only to a TTY stream, rewriting one line in place', () => {
    const written: string[] = [];
    const write = (t: string) => written.push(t);
    expect(terminalProgress({ write })).toBeUndefined();
    expect(terminalProgress({ isTTY: false, write })).toBeUndefined();
    const show = terminalProgress({ isTTY: true, write })!;
    show('netpay-audit: 5 events replayed');
    show(undefined);
    expect(written).toEqual(['\r\x1b[Knetpay-audit: 5 events replayed', '\r\x1b[K']);
  });
});
