import { describe, expect, it } from '@jest/globals';
import { ConcurrencyError } from '../errors.js';
import type { EventStore, ExpectedRevision } from '../event-store.port.js';
import { anEvent, type EventStoreContractSubject, uniqueStream } from './harness.js';

type Use = (test: (subject: EventStoreContractSubject) => Promise<void>) => () => Promise<void>;

async function conflictOf(
  store: EventStore,
  stream: string,
  expected: ExpectedRevision,
): Promise<ConcurrencyError> {
  const error = await store.appendToStream(stream, [anEvent('Tried')], { expectedRevision: expected }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConcurrencyError);
  return error as ConcurrencyError;
}

export function appendContract(use: Use): void {
  describe('appending', () => {
    it(
      'keeps events in order with dense revisions and increasing positions',
      use(async ({ store }) => {
        const stream = uniqueStream('order');
        const first = await store.appendToStream(stream, [anEvent('A', { n: 0 }), anEvent('B', { n: 1 })], {
          expectedRevision: 'no_stream',
        });
        const second = await store.appendToStream(
          stream,
          [anEvent('C', { nested: { list: [1, 'x', null] } })],
          {
            expectedRevision: first.nextExpectedRevision,
          },
        );
        expect(first.nextExpectedRevision).toBe(1);
        expect(second.nextExpectedRevision).toBe(2);
        expect(second.position > first.position).toBe(true);
        const events = await store.readStream(stream);
        expect(events.map((e) => [e.type, e.revision, e.streamName])).toEqual([
          ['A', 0, stream],
          ['B', 1, stream],
          ['C', 2, stream],
        ]);
        expect(events[2]!.data).toEqual({ nested: { list: [1, 'x', null] } });
        expect(events[2]!.metadata).toEqual({
          correlationId: 'corr-1',
          causationId: 'cause-1',
          actor: 'test',
        });
        expect(events[2]!.version).toBe(1);
        expect(events[2]!.position).toBe(second.position);
        expect(events[1]!.position).toBe(first.position);
        expect(events[0]!.position < events[1]!.position).toBe(true);
        expect(events[0]!.recordedAt).toBeInstanceOf(Date);
      }),
    );

    it(
      'rejects stale or wrong expected revisions with the true actual revision, writing nothing',
      use(async ({ store }) => {
        const stream = uniqueStream('conflict');
        await store.appendToStream(stream, [anEvent('A'), anEvent('B')], { expectedRevision: 'no_stream' });
        const onExisting = await conflictOf(store, stream, 'no_stream');
        expect([onExisting.stream, onExisting.expected, onExisting.actual]).toEqual([stream, 'no_stream', 1]);
        const stale = await conflictOf(store, stream, 0);
        expect([stale.expected, stale.actual]).toEqual([0, 1]);
        const ahead = await conflictOf(store, stream, 5);
        expect([ahead.expected, ahead.actual]).toEqual([5, 1]);
        const missing = uniqueStream('conflict');
        const noStream = await conflictOf(store, missing, 'stream_exists');
        expect([noStream.expected, noStream.actual]).toEqual(['stream_exists', 'no_stream']);
        const numberOnMissing = await conflictOf(store, missing, 0);
        expect(numberOnMissing.actual).toBe('no_stream');
        expect(onExisting.code).toBe('EVENT_STORE.CONCURRENCY');
        expect(await store.readStream(stream)).toHaveLength(2);
        expect(await store.readStream(missing)).toEqual([]);
        await expect(
          store.appendToStream(stream, [anEvent('C')], { expectedRevision: 1 }),
        ).resolves.toMatchObject({
          nextExpectedRevision: 2,
        });
        await expect(
          store.appendToStream(stream, [anEvent('D')], { expectedRevision: 'stream_exists' }),
        ).resolves.toMatchObject({ nextExpectedRevision: 3 });
        await expect(store.appendToStream(stream, [anEvent('E')])).resolves.toMatchObject({
          nextExpectedRevision: 4,
        });
      }),
    );

    it(
      'treats a retry of already appended event ids as success, not a conflict or a duplicate',
      use(async ({ store }) => {
        const stream = uniqueStream('retry');
        const batch = [anEvent('A'), anEvent('B')];
        const first = await store.appendToStream(stream, batch, { expectedRevision: 'no_stream' });
        const retry = await store.appendToStream(stream, batch, { expectedRevision: 'no_stream' });
        expect(retry).toEqual(first);
        await store.appendToStream(stream, [anEvent('C')], { expectedRevision: 1 });
        const lateRetry = await store.appendToStream(stream, batch, { expectedRevision: 'no_stream' });
        expect(lateRetry).toEqual(first);
        const single = anEvent('D');
        const once = await store.appendToStream(stream, [single], { expectedRevision: 2 });
        await expect(store.appendToStream(stream, [single], { expectedRevision: 2 })).resolves.toEqual(once);
        await expect(store.appendToStream(stream, [single])).resolves.toEqual(once);
        const events = await store.readStream(stream);
        expect(events.map((e) => e.type)).toEqual(['A', 'B', 'C', 'D']);
      }),
    );

    it(
      'lets 100 racing writers take each revision exactly once; losers conflict and win on retry',
      use(async ({ store, restart }) => {
        const stream = uniqueStream('race');
        await store.appendToStream(stream, [anEvent('Opened')], { expectedRevision: 'no_stream' });
        // Writers share four store instances, as replicas of a service would.
        const stores = [store, await restart(), await restart(), await restart()];
        let conflicts = 0;
        const writer = async (w: number): Promise<void> => {
          const store = stores[w % stores.length]!;
          const event = anEvent('Wrote', { w });
          for (;;) {
            const [last] = await store.readStream(stream, { direction: 'backwards', maxCount: 1 });
            try {
              await store.appendToStream(stream, [event], { expectedRevision: last!.revision });
              return;
            } catch (error) {
              if (!(error instanceof ConcurrencyError)) throw error;
              expect(typeof error.actual === 'number' && error.actual > last!.revision).toBe(true);
              conflicts++;
            }
          }
        };
        await Promise.all(Array.from({ length: 100 }, (_, w) => writer(w)));
        const events = await store.readStream(stream);
        expect(events.map((e) => e.revision)).toEqual(Array.from({ length: 101 }, (_, r) => r));
        const writers = events.slice(1).map((e) => (e.data as { w: number }).w);
        expect(new Set(writers).size).toBe(100);
        expect(conflicts).toBeGreaterThan(0);
      }),
    );
  });
}
