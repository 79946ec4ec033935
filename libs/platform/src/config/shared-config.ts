import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, registerDecorator } from 'class-validator';
import { EnvVar } from './env-var.decorator.js';
import { FitsATimer } from './timer-bound.js';

/**
 * The variables several processes share, declared once. Each process's config class extends the
 * narrowest of these it needs (the auditor `EventStoreConfig`, the apps `ServiceConfig`) and
 * `loadConfig` validates all of them at start-up; `describeConfig` lists them, base first.
 *
 * A subclass may redeclare a property's `@EnvVar` to give it another default or description (the
 * vendor's port is 3001); the base class's validators still apply.
 */

/** `NATS_SUBJECT_PREFIX`: up to 4 dot-separated tokens (it heads every subject and queue group). */
export const NATS_SUBJECT_PREFIX_PATTERN = /^[A-Za-z0-9_-]{1,32}(\.[A-Za-z0-9_-]{1,32}){0,3}$/;
const STREAM_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const SUBJECT = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
const MS_BOUNDS = { min: 10, max: 600_000 };

/** The namespace of the broker/vendor NATS subjects (read when `#contracts` loads: see subjects.ts). */
export class SubjectPrefixConfig {
  @EnvVar({
    name: 'NATS_SUBJECT_PREFIX',
    description:
      'namespace of the broker/vendor NATS subjects and queue groups, so several deployments can share one NATS',
    default: 'netpay',
  })
  @Matches(NATS_SUBJECT_PREFIX_PATTERN, {
    message: 'must be up to 4 dot-separated tokens of 1-32 characters from A-Z a-z 0-9 _ -',
  })
  natsSubjectPrefix!: string;
}

/** How NATS and Redis connections come back (see `reconnectPolicyFromEnv`). */
export class ReconnectConfig extends SubjectPrefixConfig {
  @EnvVar({
    name: 'NATS_RECONNECT_WAIT_MS',
    description:
      'wait between NATS reconnect attempts (plus up to half as jitter); every connection reconnects forever',
    type: 'integer',
    default: 2_000,
  })
  @IsInt()
  @Min(MS_BOUNDS.min)
  @Max(MS_BOUNDS.max)
  natsReconnectWaitMs!: number;

  @EnvVar({
    name: 'REDIS_RECONNECT_MAX_WAIT_MS',
    description:
      'longest wait between Redis reconnect attempts (growing from 50 ms, with jitter); Redis clients reconnect forever',
    type: 'integer',
    default: 2_000,
  })
  @IsInt()
  @Min(MS_BOUNDS.min)
  @Max(MS_BOUNDS.max)
  redisReconnectMaxWaitMs!: number;
}

/** The NATS servers and this process's identity on them (the only declaration of these variables). */
export class NatsConfig extends ReconnectConfig {
  @EnvVar({
    name: 'NATS_URL',
    description: 'NATS server(s), comma-separated',
    type: 'url-list',
    protocols: ['nats:', 'tls:'],
    default: 'nats://127.0.0.1:4222',
  })
  natsServers!: string[];

  @EnvVar({
    name: 'NATS_USER',
    description: "this process's NATS identity (deploy/nats/README.md); unset: connect without one",
  })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'must be 1-64 characters from A-Z a-z 0-9 _ -' })
  natsUser?: string;

  @EnvVar({ name: 'NATS_PASSWORD', description: 'password of NATS_USER', secret: true })
  @IsOptional()
  @IsString()
  natsPassword?: string;

  @EnvVar({
    name: 'NATS_INBOX_PREFIX',
    description:
      'subject prefix of reply inboxes; the identity may read only its own (default _INBOX_<NATS_USER>)',
  })
  @IsOptional()
  @Matches(SUBJECT, { message: 'must be a subject without wildcards' })
  natsInboxPrefix?: string;
}

/** `EVENT_STORE=eventstoredb` needs `EVENTSTORE_CONNECTION_STRING` (checked with the other problems). */
function NeedsConnectionString(): PropertyDecorator {
  return (target, property) =>
    registerDecorator({
      name: 'needsConnectionString',
      target: target.constructor,
      propertyName: String(property),
      validator: {
        validate: (value: unknown, args) =>
          value !== 'eventstoredb' ||
          Boolean((args?.object as EventStoreConfig | undefined)?.eventStoreConnectionString),
        defaultMessage: () => 'eventstoredb needs EVENTSTORE_CONNECTION_STRING',
      },
    });
}

/** Which event store, and its settings (mapped to the store's own by `eventStoreSettings`). */
export class EventStoreConfig extends NatsConfig {
  @EnvVar({
    name: 'EVENT_STORE',
    description: 'jetstream | eventstoredb | memory (memory: one process only, demos)',
    default: 'jetstream',
  })
  @IsIn(['jetstream', 'eventstoredb', 'memory'])
  @NeedsConnectionString()
  eventStore!: 'jetstream' | 'eventstoredb' | 'memory';

  @EnvVar({
    name: 'EVENT_STORE_STREAM',
    description: 'JetStream stream holding every event (default NETPAY_EVENTS)',
  })
  @IsOptional()
  @Matches(STREAM_NAME, { message: 'must be 1-64 characters from A-Z a-z 0-9 _ -' })
  eventStoreStream?: string;

  @EnvVar({
    name: 'EVENT_STORE_SUBJECT_PREFIX',
    description: 'subject prefix of that stream, `<prefix>.<category>.<stream>` (default netpay.events)',
  })
  @IsOptional()
  @Matches(SUBJECT, { message: 'must be a subject without wildcards' })
  eventStoreSubjectPrefix?: string;

  @EnvVar({
    name: 'EVENT_STORE_DUPLICATE_WINDOW_MS',
    description: 'JetStream de-duplication window of event ids (default 600000)',
    type: 'integer',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  eventStoreDuplicateWindowMs?: number;

  @EnvVar({
    name: 'EVENT_STORE_TIMEOUT_MS',
    description: 'time-out of one store request (default 5000)',
    type: 'integer',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @FitsATimer()
  eventStoreTimeoutMs?: number;

  @EnvVar({
    name: 'EVENT_STORE_NATS_USER',
    description:
      "the event store's own NATS identity, for a process that also answers requests (broker, vendors): JetStream deliveries to a user with `allow_responses` cost nats-server a scan per message (deploy/nats/README.md); unset: NATS_USER",
  })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'must be 1-64 characters from A-Z a-z 0-9 _ -' })
  eventStoreNatsUser?: string;

  @EnvVar({
    name: 'EVENT_STORE_NATS_PASSWORD',
    description: 'password of EVENT_STORE_NATS_USER',
    secret: true,
  })
  @IsOptional()
  @IsString()
  eventStoreNatsPassword?: string;

  @EnvVar({
    name: 'EVENTSTORE_CONNECTION_STRING',
    description: 'EventStoreDB/KurrentDB, e.g. `esdb://host:2113?tls=false` (required with eventstoredb)',
    secret: true, // may carry credentials
  })
  @IsOptional()
  @Matches(/^(esdb|esdb\+discover|kurrentdb|kurrentdb\+discover|kdb|kdb\+discover):\/\//, {
    message: 'must be an esdb:// (or esdb+discover://, kurrentdb://) connection string',
  })
  eventStoreConnectionString?: string;
}

/** The stream limits only the setup command (`npm run setup`) applies. */
export class StreamSetupConfig extends EventStoreConfig {
  @EnvVar({
    name: 'EVENT_STORE_REPLICAS',
    description: 'replicas of the JetStream streams',
    type: 'integer',
    default: 1,
  })
  @IsInt()
  @Min(1)
  @Max(5)
  eventStoreReplicas!: number;

  @EnvVar({
    name: 'EVENT_STORE_MAX_BYTES',
    description: 'size limit of the event stream; full, it refuses new events (default: none)',
    type: 'integer',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  eventStoreMaxBytes?: number;

  @EnvVar({
    name: 'EVENT_STORE_MAX_AGE_MS',
    description: 'age limit of events (default: kept for ever)',
    type: 'integer',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  eventStoreMaxAgeMs?: number;
}

/**
 * Variables every NetPay process that serves HTTP reads (the services, the CIS and the peer):
 * listen address, body limit, logging and trace export. `ServiceConfig` adds Redis.
 */
export class HttpServiceConfig extends EventStoreConfig {
  @EnvVar({ name: 'HOST', description: 'HTTP listen address', default: '0.0.0.0' })
  @IsString()
  host!: string;

  @EnvVar({ name: 'PORT', description: 'HTTP port', default: 3000, type: 'integer' })
  @IsInt()
  @Min(0)
  @Max(65535)
  port!: number;

  @EnvVar({
    name: 'HTTP_BODY_LIMIT',
    description: 'largest accepted request body, bytes (larger: 413 REQUEST.TOO_LARGE)',
    default: 65536,
    type: 'integer',
  })
  @IsInt()
  @Min(1024)
  @Max(64 * 1024 * 1024)
  httpBodyLimit!: number;

  @EnvVar({
    name: 'HTTP_REQUEST_TIMEOUT',
    description:
      'time for a whole request, headers and body, to arrive (later: 408 and the connection closes; slow-body clients)',
    default: '30s',
    type: 'duration',
  })
  @IsInt()
  @Min(1_000)
  @Max(600_000)
  httpRequestTimeoutMs!: number;

  @EnvVar({
    name: 'LOG_LEVEL',
    description: 'least severe level logged: fatal, error, warn, log, debug, verbose',
    default: 'log',
  })
  @IsIn(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'])
  logLevel!: string;

  @EnvVar({
    name: 'LOG_FORMAT',
    description:
      'json (one object per line) or pretty (plain text); unset: pretty on a terminal, json otherwise',
  })
  @IsOptional()
  @IsIn(['json', 'pretty'])
  logFormat?: string;

  @EnvVar({
    name: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    description:
      'OTLP/HTTP collector base URL for traces (http://collector:4318); unset: traces are not exported',
    type: 'url',
    protocols: ['http:', 'https:'],
  })
  @IsOptional()
  otlpEndpoint?: string;
}

/**
 * Variables every NetPay service (broker, vendor, redemption worker, CIS) reads. An app's config
 * class extends it and adds its own.
 */
export class ServiceConfig extends HttpServiceConfig {
  @EnvVar({
    name: 'REDIS_URL',
    description: 'Redis',
    default: 'redis://127.0.0.1:6379',
    type: 'url',
    protocols: ['redis:', 'rediss:'],
    secret: true, // may carry a password
  })
  redisUrl!: string;

  @EnvVar({
    name: 'REDIS_KEY_PREFIX',
    description: 'prefix of every Redis key this service writes',
    default: 'netpay:',
  })
  @IsString()
  redisKeyPrefix!: string;

  @EnvVar({
    name: 'REDIS_COMMAND_TIMEOUT',
    description:
      'longest wait for a Redis answer; then the call fails as Redis away (503 REDIS.UNAVAILABLE) instead of hanging on a stopped or unreachable server',
    default: '2s',
    type: 'duration',
  })
  @IsInt()
  @Min(100)
  @Max(60_000)
  redisCommandTimeoutMs!: number;
}
