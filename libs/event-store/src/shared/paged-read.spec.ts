import { describe, expect, it } from '@jest/globals';
import { EventStoreUnavailableError } from '../errors.js';
import type { EventStore, ReadAllOptions, RecordedEvent } from '../event-store.port.js';
import { InMemoryEventStore } from '../in-memory/index.js';
import { readAllPages } from './paged-read.js';

async function storeWith(count: number): Promise<InMemoryEventStore> {
  const store = new InMemoryEventStore();
  for (let i = 0; i < count; i++) {
    await store.appendToStream(`thing-${i % 7}`, [
      {
        id: crypto.randomUUID(),
        type: 'Thing',
        version: 1,
        data: { i },
        metadata: { correlationId: 'c', causationId: 'c', actor: 'test' },
      },
    ]);
  }
  return store;
}

/** The store's readAll, failing as a starved JetStream does: a time-out for the pages named. */
function flaky(
  store: EventStore,
  failures: (options: ReadAllOptions, call: number) => boolean,
): { readAll: EventStore['readAll']; asked: number[] } {
  let calls = 0;
  const asked: number[] = [];
  return {
    asked,
    readAll: async (options: ReadAllOptions = {}) => {
      calls += 1;
      asked.push(options.maxCount ?? -1);
      if (failures(options, calls))
        throw new EventStoreUnavailableError('JetStream: read all failed: TIMEOUT');
      return store.readAll(options);
    },
  };
}

const collect = async (pages: AsyncIterable<RecordedEvent[]>): Promise<number[]> => {
  const seen: number[] = [];
  for await (const page of pages) for (const e of page) seen.push((e.data as { i: number }).i);
  return seen;
};

describe('readAllPages', () => {
  it('reads the whole log in order, page by page, and stops at the head', async () => {
    const store = await storeWith(25);
    const reader = flaky(store, () => false);
    expect(await collect(readAllPages(reader, { pageSize: 10 }))).toEqual([...Array(25).keys()]);
    expect(reader.asked).toEqual([10, 10, 10]);
  });

  it('reads a page that timed out again from the same position, smaller, after a pause; nothing missed or twice', async () => {
    const store = await storeWith(40);
    // The 2nd and 3rd calls fail: the second page is asked for three times.
    const reader = flaky(store, (_, call) => call === 2 || call === 3);
    const pauses: number[] = [];
    const retried: (bigint | undefined)[] = [];
    const seen = await collect(
      readAllPages(reader, {
        pageSize: 16,
        minPageSize: 4,
        backoffMs: 2,
        onRetry: (_e, _attempt, after, pauseMs) => {
          retried.push(after);
          pauses.push(pauseMs);
        },
      }),
    );
    expect(seen).toEqual([...Array(40).keys()]);
    expect(reader.asked.slice(0, 4)).toEqual([16, 16, 8, 4]);
    expect(pauses).toEqual([2, 4]);
    expect(retried).toEqual([16n, 16n]);
  });

  it('gives up after the retries, and never retries an error that is not the store being away', async () => {
    const store = await storeWith(5);
    const always = flaky(store, () => true);
    await expect(collect(readAllPages(always, { retries: 2, backoffMs: 1 }))).rejects.toBeInstanceOf(
      EventStoreUnavailableError,
    );
    expect(always.asked).toHaveLength(3);

    let calls = 0;
    const broken = {
      readAll: async () => {
        calls += 1;
        throw new Error('event at position 3 is missing');
      },
    };
    await expect(collect(readAllPages(broken, { backoffMs: 1 }))).rejects.toThrow('missing');
    expect(calls).toBe(1);
  });
});
