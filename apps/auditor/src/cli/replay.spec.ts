import { describe, expect, it } from '@jest/globals';
import {
  type EventStore,
  EventStoreUnavailableError,
  InMemoryEventStore,
  type ReadAllOptions,
} from '#event-store';
import { Audit } from '../core/audit.js';
import { replayStore } from './replay.js';

/** A store whose whole-log reads time out now and then, as JetStream's did on a starved machine. */
function starved(store: EventStore, failOnCalls: readonly number[]): EventStore {
  let calls = 0;
  return Object.assign(Object.create(store) as EventStore, {
    readAll: async (options?: ReadAllOptions) => {
      calls += 1;
      if (failOnCalls.includes(calls))
        throw new EventStoreUnavailableError('JetStream: read all failed: TIMEOUT');
      return store.readAll(options);
    },
  });
}

describe('replayStore on a busy store', () => {
  it('reads a page that timed out again and audits every event once, telling about each retry', async () => {
    const store = new InMemoryEventStore();
    for (let i = 0; i < 30; i++) {
      await store.appendToStream(`other-${i}`, [
        {
          id: crypto.randomUUID(),
          type: 'SomethingElse',
          version: 1,
          data: { i },
          metadata: { correlationId: 'c', causationId: 'c', actor: 'test' },
        },
      ]);
    }
    const retries: number[] = [];
    const result = await replayStore(starved(store, [2, 3]), new Audit(), {
      pageSize: 8,
      backoffMs: 1,
      onRetry: (_error, attempt) => retries.push(attempt),
    });
    expect(result.events).toBe(30);
    expect(result.lastPosition).toBe((await store.readAll()).at(-1)!.position);
    expect(result.retries).toBe(2);
    expect(retries).toEqual([2, 3]);
  });
});
