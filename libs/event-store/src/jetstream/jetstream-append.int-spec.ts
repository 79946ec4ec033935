import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from '@jest/globals';
import { jetstream, jetstreamManager, JetStreamApiError } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { ConcurrencyError } from '#event-store';
import { anEvent, connectTestStore, TEST_NATS_URL, testNatsOptions } from '#event-store/testing';
import type { JetStreamEventStore } from './jetstream-event-store.js';

const servers = TEST_NATS_URL;

describe('JetStream adapter specifics', () => {
  const stores: JetStreamEventStore[] = [];
  const open = async (
    unique: string,
    extra: { duplicateWindowMs?: number } = {},
  ): Promise<JetStreamEventStore> => {
    const store = await connectTestStore({
      servers,
      streamName: `TEST_EVENTS_${unique}`,
      subjectPrefix: `test.${unique}.events`,
      ...extra,
    });
    stores.push(store);
    return store;
  };
  const unique = (): string => randomUUID().replaceAll('-', '').slice(0, 12);

  afterEach(async () => {
    await stores[0]?.deleteStreams();
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });

  it('relies on the server checking the message id before the expected subject sequence', async () => {
    // The adapter's idempotent retries depend on this order (verified on nats-server 2.9.10 and 2.11).
    const nc = await connect(testNatsOptions());
    const jsm = await jetstreamManager(nc);
    const name = `TEST_ORDER_${unique()}`;
    await jsm.streams.add({ name, subjects: [`${name}.>`] });
    try {
      const js = jetstream(nc);
      const first = await js.publish(`${name}.a`, 'x', { msgID: 'm1', expect: { lastSubjectSequence: 0 } });
      const retry = await js.publish(`${name}.a`, 'x', { msgID: 'm1', expect: { lastSubjectSequence: 0 } });
      expect(retry).toMatchObject({ seq: first.seq, duplicate: true });
      const conflict = await js
        .publish(`${name}.a`, 'y', { msgID: 'm2', expect: { lastSubjectSequence: 0 } })
        .catch((e: unknown) => e);
      expect(conflict).toBeInstanceOf(JetStreamApiError);
      expect((conflict as JetStreamApiError).message).toMatch(/wrong last sequence: 1/);
    } finally {
      await jsm.streams.delete(name);
      await nc.close();
    }
  });

  it('completes a batch a crashed writer left half written when the same batch is retried', async () => {
    const store = await open(unique());
    const batch = [anEvent('A'), anEvent('B'), anEvent('C')];
    // What a crash after the first publish leaves behind: only the batch's first event.
    await store.appendToStream('chain-torn', [batch[0]!], { expectedRevision: 'no_stream' });
    const retried = await store.appendToStream('chain-torn', batch, { expectedRevision: 'no_stream' });
    expect(retried.nextExpectedRevision).toBe(2);
    const events = await store.readStream('chain-torn');
    expect(events.map((e) => [e.type, e.revision])).toEqual([
      ['A', 0],
      ['B', 1],
      ['C', 2],
    ]);
    expect(retried.position).toBe(events[2]!.position);
  });

  it('reports the true revision when another process appended behind this one’s cached head', async () => {
    const name = unique();
    const [mine, theirs] = [await open(name), await open(name)];
    await mine.appendToStream('chain-1', [anEvent('Issued')], { expectedRevision: 'no_stream' });
    await theirs.appendToStream('chain-1', [anEvent('Spent'), anEvent('Spent')]);
    const conflict = await mine
      .appendToStream('chain-1', [anEvent('Spent')], { expectedRevision: 0 })
      .catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(ConcurrencyError);
    expect((conflict as ConcurrencyError).actual).toBe(2);
    // 'any' goes after whatever is there, with the next dense revision, even with a stale cache.
    await theirs.appendToStream('chain-1', [anEvent('Spent')]);
    await expect(mine.appendToStream('chain-1', [anEvent('Spent')])).resolves.toMatchObject({
      nextExpectedRevision: 4,
    });
  });

  it('creates its streams idempotently and brings an existing stream to its configuration', async () => {
    const name = unique();
    await open(name, { duplicateWindowMs: 60_000 });
    const again = await open(name);
    await again.appendToStream('chain-1', [anEvent('Issued')]);
    const nc = await connect(testNatsOptions());
    try {
      const info = await (await jetstreamManager(nc)).streams.info(`TEST_EVENTS_${name}`);
      expect(info.config).toMatchObject({
        storage: 'file',
        num_replicas: 1,
        discard: 'new',
        duplicate_window: 10 * 60 * 1e9,
        allow_direct: true,
        deny_delete: true,
        subjects: [`test.${name}.events.>`],
      });
      expect(info.state.messages).toBe(1);
    } finally {
      await nc.close();
    }
  });
});
