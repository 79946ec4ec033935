import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventStoreUnavailableError } from '#event-store';
import { anEvent, eventually } from '#event-store/testing';
import type { RecordedEvent } from '../event-store.port.js';
import { JetStreamEventStore } from './jetstream-event-store.js';
import { OwnNatsServer } from './own-nats-server.js';

const deployDir = join(process.cwd(), 'deploy/nats');
const binary = OwnNatsServer.binary();
if (!binary) console.log('SKIPPED: JetStream crash tests — nats-server is not on PATH (set NATS_SERVER_BIN)');
const describeWithServer = binary ? describe : describe.skip;

/** Tests that kill the server, so they run against a nats-server of their own with our deploy config. */
describeWithServer('JetStream event store against a server that crashes', () => {
  let server: OwnNatsServer;
  const stores: JetStreamEventStore[] = [];
  const open = async (): Promise<JetStreamEventStore> => {
    const store = await JetStreamEventStore.connect({
      servers: server.url,
      requestTimeoutMs: 1_000,
      provision: true,
    });
    stores.push(store);
    return store;
  };

  beforeAll(async () => {
    server = await OwnNatsServer.create(deployDir);
    await server.start();
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await server.dispose();
  });

  it('keeps every acknowledged append through a SIGKILL of the server, and reports the outage as unavailable', async () => {
    const store = await open();
    const stream = `chain-${randomUUID().slice(0, 8)}`;
    let last = await store.appendToStream(stream, [anEvent('ChainIssued')], {
      expectedRevision: 'no_stream',
    });
    for (let n = 1; n < 200; n++) {
      last = await store.appendToStream(stream, [anEvent('PaywordSpent', { n })], {
        expectedRevision: last.nextExpectedRevision,
      });
    }
    const seen: RecordedEvent[] = [];
    const subscription = store.subscribeToAll({
      subscriptionId: 'crash-watcher',
      handler: async (e) => void seen.push(e),
    });
    await eventually('the subscriber to catch up', () => seen.length === 200);

    await server.kill();
    const during = await store.readStream(stream).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(during).toBeInstanceOf(EventStoreUnavailableError);
    expect((during as Error).message).toMatch(/JetStream/);
    await server.start();

    const events = await readWhenBack(store, stream);
    expect(events).toHaveLength(200);
    expect(events.map((e) => e.revision)).toEqual(Array.from({ length: 200 }, (_, r) => r));
    const next = await store.appendToStream(stream, [anEvent('PaywordSpent', { n: 200 })], {
      expectedRevision: 199,
    });
    expect(next.nextExpectedRevision).toBe(200);
    await eventually('the subscriber to see the append after the restart', () => seen.length === 201);
    expect(new Set(seen.map((e) => e.position)).size).toBe(201);
    await subscription.stop();
  });
});

async function readWhenBack(store: JetStreamEventStore, stream: string): Promise<RecordedEvent[]> {
  for (let i = 0; ; i++) {
    try {
      return await store.readStream(stream);
    } catch (error) {
      if (!(error instanceof EventStoreUnavailableError) || i > 50) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
