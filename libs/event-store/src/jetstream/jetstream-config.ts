import { InvalidEventStoreRequestError } from '../errors.js';
import { categoryOf } from '../shared/validation.js';

export interface JetStreamEventStoreConfig {
  /** NATS server URL(s), e.g. `nats://127.0.0.1:4222`. */
  readonly servers: string | readonly string[];
  /** JetStream stream holding every event. Default `NETPAY_EVENTS`. */
  readonly streamName?: string;
  /** Subject prefix; events go to `<prefix>.<category>.<stream name>`. Default `netpay.events`. */
  readonly subjectPrefix?: string;
  /** How long the server remembers event ids for idempotent retries. Default 10 minutes. */
  readonly duplicateWindowMs?: number;
  /** Timeout for each request to the server. Default 5 s. */
  readonly requestTimeoutMs?: number;
  /** Connection name shown in the server's monitoring. */
  readonly connectionName?: string;
  /** NATS identity (deploy/nats/README.md): user and password of this process's role. */
  readonly user?: string;
  readonly pass?: string;
  /** Replies come to `<inboxPrefix>.…`; default `_INBOX_<user>` with a user (each role reads only its own). */
  readonly inboxPrefix?: string;
  /**
   * Create or update the streams (the setup role: `npm run setup`). Default false: the
   * applications only check that the streams exist as they need them.
   */
  readonly provision?: boolean;
  /** For provisioning: replicas of the streams (default 1), and limits (default none). */
  readonly replicas?: number;
  readonly maxBytes?: number;
  readonly maxAgeMs?: number;
  /** Wait between reconnect attempts (plus up to half as jitter); it reconnects forever. Default 2 s. */
  readonly reconnectWaitMs?: number;
}

export interface ResolvedJetStreamConfig {
  readonly servers: string[];
  readonly streamName: string;
  readonly subjectPrefix: string;
  readonly checkpointStreamName: string;
  readonly checkpointPrefix: string;
  readonly duplicateWindowMs: number;
  readonly requestTimeoutMs: number;
  readonly connectionName: string;
  readonly user: string | undefined;
  readonly pass: string | undefined;
  readonly inboxPrefix: string | undefined;
  readonly provision: boolean;
  readonly replicas: number;
  readonly maxBytes: number;
  readonly maxAgeMs: number;
  readonly reconnectWaitMs: number;
}

const STREAM = /^[A-Za-z0-9_-]{1,64}$/;
const PREFIX = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

export function resolveConfig(config: JetStreamEventStoreConfig): ResolvedJetStreamConfig {
  const streamName = config.streamName ?? 'NETPAY_EVENTS';
  const subjectPrefix = config.subjectPrefix ?? 'netpay.events';
  if (!STREAM.test(streamName))
    throw new InvalidEventStoreRequestError(`bad JetStream stream name ${streamName}`);
  if (!PREFIX.test(subjectPrefix))
    throw new InvalidEventStoreRequestError(`bad subject prefix ${subjectPrefix}`);
  return {
    servers: typeof config.servers === 'string' ? [config.servers] : [...config.servers],
    streamName,
    subjectPrefix,
    // Checkpoints live in a stream of their own: one subject per subscriber, only the last message kept.
    // `checkpoints.<prefix>`: outside the events' subjects, and one wildcard grants a role its writes.
    checkpointStreamName: `${streamName}_CHECKPOINTS`,
    checkpointPrefix: `checkpoints.${subjectPrefix}`,
    duplicateWindowMs: config.duplicateWindowMs ?? 10 * 60_000,
    requestTimeoutMs: config.requestTimeoutMs ?? 5_000,
    connectionName: config.connectionName ?? `netpay-event-store-${streamName}`,
    user: config.user,
    pass: config.pass,
    inboxPrefix: config.inboxPrefix ?? (config.user ? `_INBOX_${config.user}` : undefined),
    provision: config.provision ?? false,
    replicas: config.replicas ?? 1,
    maxBytes: config.maxBytes ?? -1,
    maxAgeMs: config.maxAgeMs ?? 0,
    reconnectWaitMs: config.reconnectWaitMs ?? 2_000,
  };
}

/**
 * The subject of an event-store stream. The category gets a token of its own
 * so a subscription to one category can be filtered by the server
 * (`<prefix>.chain.*`); NATS wildcards only match whole tokens.
 */
export function subjectOf(config: ResolvedJetStreamConfig, stream: string): string {
  return `${config.subjectPrefix}.${categoryOf(stream)}.${stream}`;
}

export function categorySubject(config: ResolvedJetStreamConfig, category: string): string {
  return `${config.subjectPrefix}.${category}.*`;
}
