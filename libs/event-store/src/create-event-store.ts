import { EventStoreConfig, loadConfig } from '#config';
import { InvalidEventStoreRequestError } from './errors.js';
import type { EventStore } from './event-store.port.js';
import type { EventStoreDbConfig } from './eventstoredb/esdb-config.js';
import { InMemoryEventStore } from './in-memory/in-memory-event-store.js';
import type { JetStreamEventStoreConfig } from './jetstream/jetstream-config.js';
import { JetStreamEventStore } from './jetstream/jetstream-event-store.js';
import { TracedEventStore } from './shared/traced-event-store.js';

export type EventStoreSettings =
  | { readonly kind: 'memory' }
  | { readonly kind: 'jetstream'; readonly jetstream: JetStreamEventStoreConfig }
  | { readonly kind: 'eventstoredb'; readonly eventstoredb: EventStoreDbConfig };

export type EventStoreKind = EventStoreSettings['kind'];

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads the event store choice from the environment through the one configuration mechanism
 * (`EventStoreConfig` of `#config`: every variable declared, validated and listed in the README);
 * a bad setting throws one `ConfigError` naming each problem, so the process stops at start-up.
 */
export function eventStoreSettingsFromEnv(env: Env = process.env): EventStoreSettings {
  return eventStoreSettings(loadConfig(EventStoreConfig, env));
}

/**
 * The event store settings of a loaded configuration (a service's `ServiceConfig` or the
 * auditor's `EventStoreConfig`): unset optional variables keep the store's own defaults.
 */
export function eventStoreSettings(config: EventStoreConfig): EventStoreSettings {
  switch (config.eventStore) {
    case 'memory':
      return { kind: 'memory' };
    case 'jetstream':
      return {
        kind: 'jetstream',
        jetstream: {
          servers: [...config.natsServers],
          ...defined('streamName', config.eventStoreStream),
          ...defined('subjectPrefix', config.eventStoreSubjectPrefix),
          ...defined('duplicateWindowMs', config.eventStoreDuplicateWindowMs),
          ...defined('requestTimeoutMs', config.eventStoreTimeoutMs),
          ...natsIdentity(config),
          ...(config.natsReconnectWaitMs === DEFAULT_RECONNECT_WAIT_MS
            ? {}
            : { reconnectWaitMs: config.natsReconnectWaitMs }),
        },
      };
    case 'eventstoredb': {
      const connectionString = config.eventStoreConnectionString;
      if (!connectionString) {
        // loadConfig refuses this already; a hand-built config gets the same words.
        throw new InvalidEventStoreRequestError(
          'EVENT_STORE=eventstoredb needs EVENTSTORE_CONNECTION_STRING',
        );
      }
      return {
        kind: 'eventstoredb',
        eventstoredb: { connectionString, ...defined('deadlineMs', config.eventStoreTimeoutMs) },
      };
    }
  }
}

const DEFAULT_RECONNECT_WAIT_MS = 2_000;

/**
 * The NATS identity of the event store: `EVENT_STORE_NATS_USER` (and its password, inbox
 * `_INBOX_<user>`) when set, else the process's (`NATS_USER`, `NATS_PASSWORD` or its `_FILE`,
 * `NATS_INBOX_PREFIX`).
 */
function natsIdentity(config: EventStoreConfig): { user?: string; pass?: string; inboxPrefix?: string } {
  if (config.eventStoreNatsUser) {
    return {
      user: config.eventStoreNatsUser,
      ...(config.eventStoreNatsPassword ? { pass: config.eventStoreNatsPassword } : {}),
      inboxPrefix: `_INBOX_${config.eventStoreNatsUser}`,
    };
  }
  return {
    ...(config.natsUser ? { user: config.natsUser } : {}),
    ...(config.natsUser && config.natsPassword ? { pass: config.natsPassword } : {}),
    ...(config.natsInboxPrefix ? { inboxPrefix: config.natsInboxPrefix } : {}),
  };
}

function defined<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
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
      // Its calls are spans of the trace that made them (the JetStream adapter's appends are on the
      // spend path and carry the request's traceparent without a span of their own).
      return new TracedEventStore(
        await EventStoreDbEventStore.connect(settings.eventstoredb),
        'eventstoredb',
      );
    }
  }
}
