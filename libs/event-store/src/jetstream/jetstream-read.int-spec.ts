import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from '@jest/globals';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { ReadStreamOptions } from '#event-store';
import { anEvent, connectTestStore, TEST_NATS_URL, testNatsOptions } from '#event-store/testing';
import { readWindow } from '../shared/read-window.js';
import { encodeEvent, messageId, PRIOR_SEQS } from './jetstream-codec.js';
import { JetStreamEventStore } from './jetstream-event-store.js';
import { MAX_HOPS } from './stream-walk.js';

const servers = TEST_NATS_URL;

/** Every kind of window, near both ends and across pointer-list boundaries. */
function windows(length: number): ReadStreamOptions[] {
  const at = [0, 1, PRIOR_SEQS - 1, PRIOR_SEQS, PRIOR_SEQS + 1, length - 2, length - 1, length + 3];
  const counts = [undefined, 1, 2, PRIOR_SEQS + 1];
  return [
    {},
    { direction: 'backwards' },
    ...at.flatMap((fromRevision) =>
      counts.flatMap((maxCount) =>
        (['forwards', 'backwards'] as const).map((direction) => ({
          direction,
          fromRevision,
          ...(maxCount === undefined ? {} : { maxCount }),
        })),
      ),
    ),
    ...counts.map((maxCount) => ({ direction: 'backwards' as const, maxCount })),
  ];
}

describe('JetStream reads', () => {
  const unique = randomUUID().replaceAll('-', '').slice(0, 12);
  const config = { servers, streamName: `TEST_READS_${unique}`, subjectPrefix: `test.${unique}.reads` };
  const opened: { close(): Promise<unknown> }[] = [];
  const open = async (): Promise<JetStreamEventStore> => {
    const store = await connectTestStore(config);
    opened.push(store);
    return store;
  };
  const raw = async (): Promise<NatsConnection> => {
    const nc = await connect(testNatsOptions());
    opened.push(nc);
    return nc;
  };

  afterEach(async () => {
    const [first] = opened;
    if (first instanceof JetStreamEventStore) await first.deleteStreams();
    await Promise.all(opened.splice(0).map((c) => c.close()));
  });

  /** Reads `stream` in every window and compares with the ids written, through the in-memory window logic. */
  async function expectReads(
    store: JetStreamEventStore,
    stream: string,
    ids: readonly string[],
  ): Promise<void> {
    for (const options of windows(ids.length)) {
      const events = await store.readStream(stream, options);
      expect({ options, ids: events.map((e) => e.id) }).toEqual({ options, ids: readWindow(ids, options) });
      for (const e of events) expect(e.id).toBe(ids[e.revision]);
    }
  }

  it('reads short and long streams written between other streams’ events, in every window', async () => {
    const store = await open();
    const lengths = [1, PRIOR_SEQS, PRIOR_SEQS + 1, 2 * PRIOR_SEQS + 1, PRIOR_SEQS * MAX_HOPS + 40];
    const written = new Map<string, string[]>(lengths.map((n) => [`chain-len${n}`, []]));
    // Round-robin appends, so each stream's events are spread out over the log.
    for (let round = 0; written.get(`chain-len${lengths.at(-1)!}`)!.length < lengths.at(-1)!; round++) {
      await Promise.all(
        lengths.map(async (n) => {
          const ids = written.get(`chain-len${n}`)!;
          const batch = Array.from({ length: Math.min(n - ids.length, 1 + (round % 3)) }, () =>
            anEvent('Spent'),
          );
          if (batch.length === 0) return;
          await store.appendToStream(`chain-len${n}`, batch);
          ids.push(...batch.map((e) => e.id));
        }),
      );
    }
    // Another instance has no cached heads: what it appends must point back correctly too.
    const other = await open();
    for (const [stream, ids] of written) {
      const event = anEvent('Closed');
      await other.appendToStream(stream, [event], { expectedRevision: ids.length - 1 });
      ids.push(event.id);
    }
    for (const [stream, ids] of written) await expectReads(store, stream, ids);
  });

  it('reads a chain-sized stream without creating a consumer', async () => {
    const store = await open();
    const ids: string[] = [];
    for (let i = 0; i < 2 * PRIOR_SEQS + 5; i++) {
      const event = anEvent('Spent');
      await store.appendToStream('chain-small', [event]);
      await store.appendToStream('chain-noise', [anEvent('Spent')]);
      ids.push(event.id);
    }
    // Consumer-create requests from the store's connection, and a marker appended after the reads on
    // the same connection: messages from one connection arrive in order, so when the marker is here,
    // every request the reads made has been seen.
    const nc = await raw();
    let creates = 0;
    for (const subject of [
      `$JS.API.CONSUMER.CREATE.${config.streamName}`,
      `$JS.API.CONSUMER.CREATE.${config.streamName}.>`,
    ]) {
      nc.subscribe(subject, {
        callback: () => {
          creates++;
        },
      });
    }
    let markerSeen = false;
    nc.subscribe(`${config.subjectPrefix}.chain.chain-marker`, {
      callback: () => {
        markerSeen = true;
      },
    });
    await nc.flush();
    await expectReads(store, 'chain-small', ids);
    await store.appendToStream('chain-marker', [anEvent('Marker')]);
    for (let i = 0; i < 250 && !markerSeen; i++) await new Promise((r) => setTimeout(r, 20));
    expect(markerSeen).toBe(true);
    expect(creates).toBe(0);
  });

  it('reads the whole log the same in one page as in small pages', async () => {
    const store = await open();
    for (let i = 0; i < 150; i++) await store.appendToStream(`chain-log${i % 7}`, [anEvent(`E${i}`)]);
    const whole = await store.readAll();
    const paged = [];
    for (let after: bigint | undefined; ;) {
      const page = await store.readAll({ ...(after === undefined ? {} : { after }), maxCount: 10 });
      if (page.length === 0) break;
      paged.push(...page);
      after = page.at(-1)!.position;
    }
    expect(whole.map((e) => e.type)).toEqual(Array.from({ length: 150 }, (_, i) => `E${i}`));
    expect(paged).toEqual(whole);
  });

  it('stores in each event the positions of up to PRIOR_SEQS events before it', async () => {
    const store = await open();
    for (let i = 0; i < PRIOR_SEQS + 3; i++) {
      await store.appendToStream('chain-pointers', [anEvent('Spent')]);
      await store.appendToStream('chain-noise', [anEvent('Spent')]);
    }
    const events = await store.readStream('chain-pointers');
    const jsm = await jetstreamManager(await raw());
    for (const event of events) {
      const stored = await jsm.direct.getMessage(config.streamName, { seq: Number(event.position) });
      const pointers = stored?.header.get('NetPay-Prior-Seqs');
      const before = events.slice(Math.max(0, event.revision - PRIOR_SEQS), event.revision).reverse();
      const seqs = before.map((e) => Number(e.position));
      expect(pointers ? pointers.split(',').map(Number) : []).toEqual(
        seqs.map((seq, i) => (i === 0 ? seq : seqs[i - 1]! - seq)),
      );
    }
  });

  it('reads events written before the pointers existed, and what is appended after them', async () => {
    const store = await open();
    const nc = await raw();
    const js = jetstream(nc);
    const stream = 'chain-legacy';
    const subject = `${config.subjectPrefix}.chain.${stream}`;
    const ids: string[] = [];
    let lastSeq = 0;
    // What the adapter used to write: no pointer header, only the expected last subject sequence.
    for (let revision = 0; revision < 3 * PRIOR_SEQS; revision++) {
      const event = anEvent('Spent');
      const { hdrs, body } = encodeEvent(stream, revision, event, []);
      const ack = await js.publish(subject, body, {
        headers: hdrs,
        msgID: messageId(stream, event.id),
        expect: { lastSubjectSequence: lastSeq },
      });
      await store.appendToStream('chain-noise', [anEvent('Spent')]);
      lastSeq = ack.seq;
      ids.push(event.id);
    }
    await expectReads(store, stream, ids);
    for (let i = 0; i < PRIOR_SEQS + 2; i++) {
      const event = anEvent('Spent');
      await store.appendToStream(stream, [event], { expectedRevision: ids.length - 1 });
      ids.push(event.id);
    }
    await expectReads(await open(), stream, ids);
  });

  it('still reads a stream correctly when an event’s pointers are wrong', async () => {
    const store = await open();
    const nc = await raw();
    const js = jetstream(nc);
    const stream = 'chain-bent';
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const event = anEvent('Spent');
      ids.push(event.id);
      await store.appendToStream(stream, [event]);
    }
    const noise = await store.appendToStream('chain-noise', [anEvent('Spent')]);
    const [last] = await store.readStream(stream, { direction: 'backwards', maxCount: 1 });
    // Revision 5 claims its predecessors live at another stream's event.
    const event = anEvent('Spent');
    const { hdrs, body } = encodeEvent(stream, 5, event, [Number(noise.position)]);
    await js.publish(`${config.subjectPrefix}.chain.${stream}`, body, {
      headers: hdrs,
      msgID: messageId(stream, event.id),
      expect: { lastSubjectSequence: Number(last!.position) },
    });
    ids.push(event.id);
    await expectReads(await open(), stream, ids);
  });
});
