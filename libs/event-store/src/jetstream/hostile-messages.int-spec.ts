import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jetstream } from '@nats-io/jetstream';
import { headers } from '@nats-io/nats-core';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { RecordedEvent, Subscription } from '#event-store';
import { anEvent, connectTestStore, testNatsOptions } from '#event-store/testing';
import { encodeEvent, messageId } from './jetstream-codec.js';
import type { JetStreamEventStore } from './jetstream-event-store.js';

/**
 * Every vendor may append to `chain-*` subjects (deploy/nats/README.md), and NATS cannot make it
 * go through the store: with its own identity, a vendor publishes straight onto another
 * customer's chain subject. A raw message there once stopped every projection of every process
 * ("JetStream message N is not a NetPay event") and made that chain unreadable and unwritable
 * (503 on every spend, touchstone and wallet read). Readers skip what the store did not append;
 * writers go on after it (real nats-server, the vendor role's own rights).
 */
describe('messages slipped onto a stream subject around the store (real server, vendor rights)', () => {
  const unique = randomUUID().replaceAll('-', '').slice(0, 10);
  const prefix = `hostile${unique}.events`;
  const config = { streamName: `TEST_HOSTILE_${unique}`, subjectPrefix: prefix };
  let store: JetStreamEventStore;
  let vendor: NatsConnection;
  const open: { close(): Promise<unknown> }[] = [];

  beforeAll(async () => {
    store = await connectTestStore(config);
    vendor = await connect({ ...testNatsOptions('vendor-va'), name: 'hostile-vendor' });
    open.push(vendor);
  });
  afterAll(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
    await store.deleteStreams().catch(() => undefined);
    await store.close();
  });

  const subject = (stream: string): string => `${prefix}.chain.${stream}`;

  /** What a vendor can publish onto `stream`'s subject with plain NATS. */
  /** Ids of the well-formed events slipped in without the store's predecessor check. */
  const unchecked: string[] = [];

  async function slipIn(stream: string, kind: 'raw' | 'renumbered' | 'twin'): Promise<void> {
    const js = jetstream(vendor);
    if (kind === 'raw') {
      await js.publish(subject(stream), 'garbage');
      return;
    }
    const [last] = await store.readStream(stream, { direction: 'backwards', maxCount: 1 });
    const event = anEvent('Spent', { forged: kind });
    if (kind === 'renumbered') {
      // Well-formed headers, a far revision, no expected-sequence check.
      const { hdrs, body } = encodeEvent(stream, 999_999, event, [Number(last!.position)]);
      await js.publish(subject(stream), body, { headers: hdrs });
      unchecked.push(event.id);
      return;
    }
    // A twin of the last event's revision, pointing where it points, after the real last event.
    const { hdrs, body } = encodeEvent(stream, last!.revision, event, []);
    const before = await store.readStream(stream, {
      direction: 'backwards',
      fromRevision: last!.revision - 1,
      maxCount: 1,
    });
    const h = headers();
    for (const [k, v] of hdrs) h.set(k, v[0]!);
    h.set('NetPay-Prior-Seqs', String(before[0]!.position));
    await js.publish(subject(stream), body, {
      headers: h,
      msgID: messageId(stream, event.id),
      expect: { lastSubjectSequence: Number(last!.position) },
    });
  }

  const idsOf = (events: readonly RecordedEvent[]): string[] => events.map((e) => e.id);

  it('reads, appends and subscriptions go on past raw, renumbered and twin messages', async () => {
    const victim = `chain-victim${unique}`;
    const other = `chain-other${unique}`;
    const ids: string[] = [];
    const append = async (): Promise<void> => {
      const event = anEvent('Spent', { n: ids.length });
      await store.appendToStream(victim, [event], {
        expectedRevision: ids.length === 0 ? 'no_stream' : ids.length - 1,
      });
      ids.push(event.id);
    };

    const seen: RecordedEvent[] = [];
    const subscription: Subscription = store.subscribeToAll({
      subscriptionId: `hostile-${unique}`,
      handler: async (event) => {
        seen.push(event);
      },
    });
    open.push({ close: () => subscription.stop() });

    for (const kind of ['raw', 'renumbered', 'twin'] as const) {
      await append();
      await append();
      await slipIn(victim, kind);
      expect(idsOf(await store.readStream(victim))).toEqual(ids);
      const [last] = await store.readStream(victim, { direction: 'backwards', maxCount: 1 });
      expect(last?.id).toBe(ids.at(-1));
      expect(idsOf(await store.readStream(victim, { fromRevision: ids.length - 1 }))).toEqual([ids.at(-1)]);
    }
    // The store writes on after them, at the next revision, and a fresh process reads it all.
    await append();
    const fresh = await connectTestStore(config);
    open.push(fresh);
    expect(idsOf(await fresh.readStream(victim))).toEqual(ids);
    expect((await fresh.readStream(victim)).map((e) => e.revision)).toEqual(ids.map((_, i) => i));
    await fresh.appendToStream(victim, [anEvent('Spent')], { expectedRevision: ids.length - 1 });
    await expect(
      store.appendToStream(victim, [anEvent('Spent')], { expectedRevision: ids.length - 1 }),
    ).rejects.toMatchObject({ name: 'ConcurrencyError' });

    // Other streams and the global log: the subscription passes the raw message by.
    const after = anEvent('Spent');
    await store.appendToStream(other, [after]);
    const deadline = Date.now() + 10_000;
    while (!seen.some((e) => e.id === after.id) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(seen.map((e) => e.id)).toContain(after.id);
    expect(seen.every((e) => e.data !== undefined && e.metadata !== undefined)).toBe(true);
    // What readStream does not show, projections do not see either.
    expect(seen.map((e) => e.id)).not.toContain(unchecked[0]);

    // readAll skips it too, and still fills its pages: a short page means the end.
    const all = await store.readAll();
    expect(all.map((e) => e.id)).toContain(after.id);
    expect(all.map((e) => e.id)).not.toContain(unchecked[0]);
    const paged: RecordedEvent[] = [];
    for (;;) {
      const page = await store.readAll({
        maxCount: 2,
        ...(paged.length ? { after: paged.at(-1)!.position } : {}),
      });
      paged.push(...page);
      if (page.length < 2) break;
    }
    expect(idsOf(paged)).toEqual(idsOf(all));
  });

  it("takes no message for a stream of another category than its subject's", async () => {
    // An attack probe: a peer, which may publish `<prefix>.p2pchain.*`, published a well-formed
    // ContentAnnounced on `<prefix>.p2pchain.p2pcontent-<victim>`; the reads across categories took
    // the subject's last token for the stream, and the CIS rebuilt its index from the forgery.
    const forgedStream = `customer-forged${unique}`;
    const forged = anEvent('CustomerRegistered', { forged: true });
    const { hdrs, body } = encodeEvent(forgedStream, 0, forged, []);
    await jetstream(vendor).publish(subject(forgedStream), body, {
      headers: hdrs,
      msgID: messageId(forgedStream, forged.id),
      expect: { lastSubjectSequence: 0 },
    });
    const seen: RecordedEvent[] = [];
    const subscription: Subscription = store.subscribeToAll({
      subscriptionId: `hostile-category-${unique}`,
      handler: async (event) => {
        seen.push(event);
      },
    });
    open.push({ close: () => subscription.stop() });
    const after = anEvent('Spent');
    await store.appendToStream(`chain-after${unique}`, [after]);
    const deadline = Date.now() + 10_000;
    while (!seen.some((e) => e.id === after.id) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(seen.map((e) => e.id)).toContain(after.id);
    expect(seen.map((e) => e.id)).not.toContain(forged.id);
    const all = await store.readAll();
    expect(all.map((e) => e.id)).toContain(after.id);
    expect(all.map((e) => e.id)).not.toContain(forged.id);
    expect(all.map((e) => e.streamName)).not.toContain(forgedStream);
    // Nor is it that stream's, read by its own name (its own subject).
    expect(await store.readStream(forgedStream)).toEqual([]);
  });
});
