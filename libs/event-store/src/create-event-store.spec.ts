import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import {
  createEventStore,
  eventStoreSettingsFromEnv,
  InMemoryEventStore,
  eventStoreSettings,
  InvalidEventStoreRequestError,
} from '#event-store';
import { ConfigError, EventStoreConfig, loadConfig } from '#config';

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
    expect(() => eventStoreSettingsFromEnv({ EVENT_STORE: 'postgres' })).toThrow(ConfigError);
    expect(() => eventStoreSettingsFromEnv({ EVENT_STORE: 'postgres' })).toThrow(
      /EVENT_STORE: must be one of/,
    );
    expect(() => eventStoreSettingsFromEnv({ EVENT_STORE_TIMEOUT_MS: '-1' })).toThrow(
      /EVENT_STORE_TIMEOUT_MS/,
    );
  });

  it('reads the NATS identity (password from NATS_PASSWORD_FILE) through the shared config', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netpay-es-'));
    writeFileSync(join(dir, 'pass'), 's3cret\n');
    const settings = eventStoreSettingsFromEnv({
      NATS_USER: 'vendor-a',
      NATS_PASSWORD_FILE: join(dir, 'pass'),
      NATS_RECONNECT_WAIT_MS: '500',
    });
    expect(settings).toEqual({
      kind: 'jetstream',
      jetstream: {
        servers: ['nats://127.0.0.1:4222'],
        user: 'vendor-a',
        pass: 's3cret',
        reconnectWaitMs: 500,
      },
    });
  });

  it('connects as EVENT_STORE_NATS_USER when set (its password from a file too), with its own inbox', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netpay-es-'));
    writeFileSync(join(dir, 'store-pass'), 'st0re\n');
    const settings = eventStoreSettingsFromEnv({
      NATS_USER: 'broker',
      NATS_PASSWORD: 'answers',
      NATS_INBOX_PREFIX: '_INBOX_broker',
      EVENT_STORE_NATS_USER: 'broker-store',
      EVENT_STORE_NATS_PASSWORD_FILE: join(dir, 'store-pass'),
    });
    expect(settings).toEqual({
      kind: 'jetstream',
      jetstream: {
        servers: ['nats://127.0.0.1:4222'],
        user: 'broker-store',
        pass: 'st0re',
        inboxPrefix: '_INBOX_broker-store',
      },
    });
    expect(() => eventStoreSettingsFromEnv({ EVENT_STORE_NATS_USER: 'broker.store' })).toThrow(
      /EVENT_STORE_NATS_USER/,
    );
  });

  it('reports every bad variable at once, naming each', () => {
    let problems: string[] = [];
    try {
      eventStoreSettingsFromEnv({
        EVENT_STORE: 'eventstoredb',
        EVENT_STORE_TIMEOUT_MS: 'soon',
        NATS_INBOX_PREFIX: '_INBOX.*',
      });
    } catch (e) {
      problems = (e as ConfigError).problems.map((p) => p.variable);
    }
    expect(problems.sort()).toEqual(['EVENT_STORE', 'EVENT_STORE_TIMEOUT_MS', 'NATS_INBOX_PREFIX']);
  });

  it('maps a hand-built config without a connection string to a clear error', () => {
    const config = Object.assign(loadConfig(EventStoreConfig, {}), { eventStore: 'eventstoredb' as const });
    expect(() => eventStoreSettings(config)).toThrow(InvalidEventStoreRequestError);
  });

  it('creates the in-memory store when asked', async () => {
    const store = await createEventStore({ kind: 'memory' });
    expect(store).toBeInstanceOf(InMemoryEventStore);
    await store.close();
  });
});
