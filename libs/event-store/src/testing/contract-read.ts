import { describe, expect, it } from '@jest/globals';
import type { RecordedEvent } from '../event-store.port.js';
import { anEvent, type EventStoreContractSubject, uniqueStream } from './harness.js';

type Use = (test: (subject: EventStoreContractSubject) => Promise<void>) => () => Promise<void>;

export function readContract(use: Use): void {
  describe('reading', () => {
    it(
      'reads a stream forwards and backwards from a revision, with a count',
      use(async ({ store }) => {
        const stream = uniqueStream('read');
        await store.appendToStream(
          stream,
          [0, 1, 2, 3, 4].map((n) => anEvent(`E${n}`)),
          { expectedRevision: 'no_stream' },
        );
        const revisions = async (options: Parameters<typeof store.readStream>[1]): Promise<number[]> =>
          (await store.readStream(stream, options)).map((e) => e.revision);
        expect(await revisions({})).toEqual([0, 1, 2, 3, 4]);
        expect(await revisions({ fromRevision: 2 })).toEqual([2, 3, 4]);
        expect(await revisions({ fromRevision: 2, maxCount: 2 })).toEqual([2, 3]);
        expect(await revisions({ fromRevision: 9 })).toEqual([]);
        expect(await revisions({ direction: 'backwards' })).toEqual([4, 3, 2, 1, 0]);
        expect(await revisions({ direction: 'backwards', fromRevision: 2 })).toEqual([2, 1, 0]);
        expect(await revisions({ direction: 'backwards', fromRevision: 3, maxCount: 2 })).toEqual([3, 2]);
        expect(await revisions({ direction: 'backwards', maxCount: 1 })).toEqual([4]);
        expect(await store.readStream(uniqueStream('read'))).toEqual([]);
      }),
    );

    it(
      'reads all streams in global order, after a position, with a count',
      use(async ({ store }) => {
        // The global log may be shared (EventStoreDB): start after a marker and look at our streams only.
        const marker = await store.appendToStream(uniqueStream('marker'), [anEvent('Marker')]);
        const [a, b, c] = [uniqueStream('alpha'), uniqueStream('beta'), uniqueStream('gamma')];
        const ours = (events: RecordedEvent[]): RecordedEvent[] =>
          events.filter((e) => [a, b, c].includes(e.streamName));
        const plan: [string, string][] = [
          [a, 'A1'],
          [b, 'B1'],
          [a, 'A2'],
          [c, 'C1'],
          [b, 'B2'],
        ];
        for (const [stream, type] of plan) await store.appendToStream(stream, [anEvent(type)]);
        const all = ours(await store.readAll({ after: marker.position }));
        expect(all.map((e) => [e.streamName, e.type])).toEqual(plan);
        expect(all.map((e) => e.revision)).toEqual([0, 0, 1, 0, 1]);
        expect(all[0]!.position > marker.position).toBe(true);
        for (let i = 1; i < all.length; i++) expect(all[i]!.position > all[i - 1]!.position).toBe(true);
        expect(ours(await store.readAll())).toEqual(all);
        const rest = await store.readAll({ after: all[1]!.position });
        expect(ours(rest).map((e) => e.type)).toEqual(['A2', 'C1', 'B2']);
        const page = await store.readAll({ after: all[0]!.position, maxCount: 2 });
        expect(page.map((e) => e.type)).toEqual(['B1', 'A2']);
        expect(ours(await store.readAll({ after: all[4]!.position }))).toEqual([]);
        const viaStream = await store.readStream(b);
        expect(viaStream.map((e) => e.position)).toEqual([all[1]!.position, all[4]!.position]);
      }),
    );
  });
}
