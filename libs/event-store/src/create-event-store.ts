import { readFileSync } from 'node:fs';
import { InvalidEventStoreRequestError } from './errors.js';
import type { EventStore } from './event-store.port.js';
import type { EventStoreDbConfig } from './eventstoredb/esdb-config.js';
import { InMemoryEventStore } from './in-memory/in-memory-event-store.js';
import type { JetStreamEventStoreConfig } from './jetstream/jetstream-config.js';
import { JetStreamEventStore } from './jetstream/jetstream-event-store.js';

export type EventStoreSettings =
  | { readonly kind: 'memory' }
  | { readonly kind: 'jetstream'; readonly jetstream: JetStreamEventStoreConfig }
  | { readonly kind: 'eventstoredb'; readonly eventstoredb: EventStoreDbConfig };

export type EventStoreKind = EventStoreSettings['kind'];

type Env = Readonly<Record<string, string | undefined>>;

function positiveInt(env: Env, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidEventStoreRequestError(
      `${name} must be a positive integer (milliseconds), got "${raw}"`,
    );
  }
  return value;
}

/**
 * Reads the event store choice from the environment (validated, so a bad
 * setting stops the service at start-up):
 * - `EVENT_STORE` = `jetstream` (default) | `eventstoredb` | `memory`
 * - jetstream: `NATS_URL` (default `nats://127.0.0.1:4222`, comma-separated for several),
 *   `EVENT_STORE_STREAM` (default `NETPAY_EVENTS`), `EVENT_STORE_SUBJECT_PREFIX` (default `netpay.events`),
 *   `EVENT_STORE_DUPLICATE_WINDOW_MS` (default 10 min)
 *   `NATS_USER` with `NATS_PASSWORD` (or `NATS_PASSWORD_FILE`), `NATS_INBOX_PREFIX` (default `_INBOX_<user>`)
 * - eventstoredb: `EVENTSTORE_CONNECTION_STRING` (required), e.g. `esdb://localhost:2113?tls=false`
 *   `NATS_RECONNECT_WAIT_MS` (wait between reconnect attempts, which never stop; default 2 s)
 * - both: `EVENT_STORE_TIMEOUT_MS` (per request)
 */
export function eventStoreSettingsFromEnv(env: Env = process.env): EventStoreSettings {
  const kind = env.EVENT_STORE || 'jetstream';
  const timeout = positiveInt(env, 'EVENT_STORE_TIMEOUT_MS');
  switch (kind) {
    case 'memory':
      return { kind };
    case 'jetstream':
      return {
        kind,
        jetstream: {
          servers: (env.NATS_URL || 'nats://127.0.0.1:4222').split(',').map((s) => s.trim()),
          ...(env.EVENT_STORE_STREAM ? { streamName: env.EVENT_STORE_STREAM } : {}),
          ...(env.EVENT_STORE_SUBJECT_PREFIX ? { subjectPrefix: env.EVENT_STORE_SUBJECT_PREFIX } : {}),
          ...optional('duplicateWindowMs', positiveInt(env, 'EVENT_STORE_DUPLICATE_WINDOW_MS')),
          ...optional('requestTimeoutMs', timeout),
          ...natsIdentityFromEnv(env),
          ...optional('reconnectWaitMs', positiveInt(env, 'NATS_RECONNECT_WAIT_MS')),
        },
      };
    case 'eventstoredb': {
      const connectionString = env.EVENTSTORE_CONNECTION_STRING;
      if (!connectionString) {
        throw new InvalidEventStoreRequestError(
          'EVENT_STORE=eventstoredb needs EVENTSTORE_CONNECTION_STRING',
        );
      }
      return { kind, eventstoredb: { connectionString, ...optional('deadlineMs', timeout) } };
    }
    default:
      throw new InvalidEventStoreRequestError(
        `EVENT_STORE must be jetstream, eventstoredb or memory, got "${kind}"`,
      );
  }
}

/** The process's NATS identity, like the services' config reads it (`NATS_PASSWORD_FILE`: a mounted secret). */
export function natsIdentityFromEnv(env: Env): { user?: string; pass?: string; inboxPrefix?: string } {
  const file = env.NATS_PASSWORD_FILE;
  const pass = file ? readFileSync(file, 'utf8').trim() : env.NATS_PASSWORD;
  return {
    ...(env.NATS_USER ? { user: env.NATS_USER } : {}),
    ...(env.NATS_USER && pass ? { pass } : {}),
    ...(env.NATS_INBOX_PREFIX ? { inboxPrefix: env.NATS_INBOX_PREFIX } : {}),
  };
}

function optional<K extends string>(key: K, value: number | undefined): { [P in K]?: number } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: number };
}

/** The event store the settings (by default: the environment) ask for, connected and set up. */
export async function createEventStore(
  settings: EventStoreSettings = eventStoreSettingsFromEnv(),
): Promise<EventStore> {
  switch (settings.kind) {
    case 'memory':
      return new InMemoryEventStore();
    case 'jetstream':
      return JetStreamEventStore.connect(settings.jetstream);
    case 'eventstoredb': {
      // Loaded only when chosen: the gRPC client is heavy to import.
      const { EventStoreDbEventStore } = await import('./eventstoredb/eventstoredb-event-store.js');
      return EventStoreDbEventStore.connect(settings.eventstoredb);
    }
  }
}
