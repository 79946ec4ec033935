import { describe, expect, it } from '@jest/globals';
import {
  createEventStore,
  eventStoreSettingsFromEnv,
  InMemoryEventStore,
  InvalidEventStoreRequestError,
} from '#event-store';

describe('eventStoreSettingsFromEnv', () => {
  it('defaults to JetStream on the local server', () => {
    expect(eventStoreSettingsFromEnv({})).toEqual({
      kind: 'jetstream',
      jetstream: { servers: ['nats://127.0.0.1:4222'] },
    });
  });

  it('reads the JetStream stream, prefix, window, timeout and several servers', () => {
    const settings = eventStoreSettingsFromEnv({
      EVENT_STORE: 'jetstream',
      NATS_URL: 'nats://a:4222, nats://b:4222',
      EVENT_STORE_STREAM: 'EVENTS_X',
      EVENT_STORE_SUBJECT_PREFIX: 'x.events',
      EVENT_STORE_DUPLICATE_WINDOW_MS: '60000',
      EVENT_STORE_TIMEOUT_MS: '2000',
    });
    expect(settings).toEqual({
      kind: 'jetstream',
      jetstream: {
        servers: ['nats://a:4222', 'nats://b:4222'],
        streamName: 'EVENTS_X',
        subjectPrefix: 'x.events',
        duplicateWindowMs: 60_000,
        requestTimeoutMs: 2_000,
      },
    });
  });

  it('needs a connection string for EventStoreDB and rejects unknown stores and bad numbers', () => {
    expect(() => eventStoreSettingsFromEnv({ EVENT_STORE: 'eventstoredb' })).toThrow(
      /EVENTSTORE_CONNECTION_STRING/,
    );
    expect(
      eventStoreSettingsFromEnv({
        EVENT_STORE: 'eventstoredb',
        EVENTSTORE_CONNECTION_STRING: 'esdb://h:2113',
      }),
    ).toEqual({ kind: 'eventstoredb', eventstoredb: { connectionString: 'esdb://h:2113' } });
    expect(() => eventStoreSettingsFromEnv({ EVENT_STORE: 'postgres' })).toThrow(
      InvalidEventStoreRequestError,
    );
    expect(() => eventStoreSettingsFromEnv({ EVENT_STORE_TIMEOUT_MS: '-1' })).toThrow(
      /EVENT_STORE_TIMEOUT_MS/,
    );
  });

  it('creates the in-memory store when asked', async () => {
    const store = await createEventStore({ kind: 'memory' });
    expect(store).toBeInstanceOf(InMemoryEventStore);
    await store.close();
  });
});
