import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import {
  type AppendOptions,
  type AppendResult,
  DelegatingEventStore,
  InMemoryEventStore,
  type NewEvent,
  type ReadStreamOptions,
  type RecordedEvent,
} from '#event-store';
import type { RefundDeclined } from '#events';
import { runCommand } from './command.js';

const STREAM = 'customer-cus_busy';
const metadata = { correlationId: 'c', causationId: 'c', actor: 'broker' };

const declined = (reason: string): RefundDeclined => ({
  type: 'RefundDeclined',
  version: 1,
  data: {
    customerId: 'cus_busy',
    chainId: 'ch_busy',
    bankAccount: 'acct_busy',
    amount: 5,
    currency: 'NZD',
    reason,
    at: '2026-03-01T10:00:00.000Z',
  },
});

/**
 * Another writer that appends to the stream just before each of the command's next `times`
 * appends (a vendor spending the chain the operator revokes), and counts the events read.
 */
class BusyStream extends DelegatingEventStore {
  eventsRead = 0;
  private writer = 0;

  constructor(
    readonly memory: InMemoryEventStore,
    private times: number,
  ) {
    super(memory);
  }

  async write(count = 1): Promise<void> {
    for (let i = 0; i < count; i++) {
      const event = declined(`writer-${++this.writer}`);
      await this.memory.appendToStream(STREAM, [{ id: randomUUID(), ...event, metadata }]);
    }
  }

  override async readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    const events = await super.readStream(stream, options);
    this.eventsRead += events.length;
    return events;
  }

  override async appendToStream(
    stream: string,
    events: readonly NewEvent[],
    options?: AppendOptions,
  ): Promise<AppendResult> {
    if (this.times > 0) {
      this.times--;
      await this.write();
    }
    return super.appendToStream(stream, events, options);
  }
}

/** The command: append one decline, decided on every event folded so far (their count). */
const command = {
  stream: STREAM,
  initial: 0,
  evolve: (seen: number) => seen + 1,
  decide: (seen: number) => ({ events: [declined('command')], result: seen }),
  metadata,
};

describe('runCommand against a writer that keeps appending', () => {
  it('wins its place after a dozen conflicts, deciding on every event the writer appended', async () => {
    const store = new BusyStream(new InMemoryEventStore(), 12);
    await store.write(3);
    const { result } = await runCommand(store, command);
    // Decided on the 3 events before and the 12 appended across its attempts.
    expect(result).toBe(15);
    const stored = await store.memory.readStream(STREAM);
    expect(stored.map((e) => (e.data as { reason: string }).reason).at(-1)).toBe('command');
    expect(stored).toHaveLength(16);
  });

  it('reads only the tail after a conflict, not the whole stream again', async () => {
    const store = new BusyStream(new InMemoryEventStore(), 10);
    await store.write(500);
    const { result } = await runCommand(store, command);
    expect(result).toBe(510);
    // The stream once, then each conflict's one new event (the whole stream each time: 5,000+).
    expect(store.eventsRead).toBe(510);
  });

  it('still gives up with the store’s conflict after maxAttempts', async () => {
    const store = new BusyStream(new InMemoryEventStore(), 5);
    await expect(runCommand(store, { ...command, maxAttempts: 5 })).rejects.toMatchObject({
      code: 'EVENT_STORE.CONCURRENCY',
    });
  });
});
