import { EnvVar } from '#platform';
import { validateCronExpression } from 'cron';
import {
  ArrayMinSize,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsTimeZone,
  Matches,
  Max,
  Min,
  MinLength,
  registerDecorator,
} from 'class-validator';

const NAME = /^[A-Za-z0-9_]{1,32}$/;

/** A six-field (with seconds) or five-field cron expression the `cron` package accepts. */
function IsCronExpression(): PropertyDecorator {
  return (target, property) =>
    registerDecorator({
      name: 'isCronExpression',
      target: target.constructor,
      propertyName: String(property),
      validator: {
        validate: (value: unknown) => typeof value === 'string' && validateCronExpression(value).valid,
        defaultMessage: () =>
          'must be a cron expression, e.g. "0 30 2 * * *" (sec min hour day month weekday)',
      },
    });
}

/** The redemption worker's configuration, read from the environment at start-up (`loadConfig`). */
export class RedemptionConfig {
  @EnvVar({
    name: 'PORT',
    description: 'HTTP port (operator API, health, metrics)',
    type: 'integer',
    default: 3003,
  })
  @IsInt()
  @Min(0)
  @Max(65535)
  port!: number;

  @EnvVar({ name: 'HOST', description: 'HTTP listen address', default: '0.0.0.0' })
  @IsString()
  host!: string;

  @EnvVar({
    name: 'REDEMPTION_CRON',
    description: 'cut-off schedule (seconds first)',
    default: '0 30 2 * * *',
  })
  @IsCronExpression()
  cron!: string;

  @EnvVar({
    name: 'REDEMPTION_TIME_ZONE',
    description: 'IANA zone of the cut-off and of business days',
    default: 'Pacific/Auckland',
  })
  @IsTimeZone()
  timeZone!: string;

  @EnvVar({
    name: 'REDEMPTION_SCHEDULE',
    description: 'run the cut-off on the schedule (false: only on operator command)',
    type: 'boolean',
    default: true,
  })
  @IsBoolean()
  scheduleEnabled!: boolean;

  @EnvVar({
    name: 'REDEMPTION_VIEW',
    description: 'name of the read model (a new name rebuilds it from zero beside the old one)',
    default: 'v1',
  })
  @Matches(NAME)
  viewName!: string;

  @EnvVar({
    name: 'REDEMPTION_VIEW_STORE',
    description: 'redis (durable, shared) or memory (rebuilt from the store at every start)',
    default: 'redis',
  })
  @IsIn(['redis', 'memory'])
  viewStore!: 'redis' | 'memory';

  @EnvVar({
    name: 'REDEMPTION_CATCH_UP_TIMEOUT',
    description: 'how long a night waits for the projection to reach the log head',
    type: 'duration',
    default: '5m',
  })
  @IsInt()
  @Min(1)
  catchUpTimeoutMs!: number;

  @EnvVar({
    name: 'BROKER_PUBLIC_KEYS',
    description: 'broker keys touchstones are checked against: keyId:publicKeyHex,… (current and retired)',
    type: 'list',
  })
  @ArrayMinSize(1)
  @Matches(/^[A-Za-z0-9_.-]{1,64}:[0-9a-f]{64}$/, {
    each: true,
    message: 'each entry must be keyId:64-hex-public-key',
  })
  brokerPublicKeys!: string[];

  @EnvVar({
    name: 'REDEMPTION_KEY_ID',
    description: "key id of the worker's signing key (verdicts, reservations)",
    default: 'redemption-1',
  })
  @Matches(/^[A-Za-z0-9_.-]{1,64}$/)
  signingKeyId!: string;

  @EnvVar({
    name: 'REDEMPTION_SIGNING_KEY',
    description:
      'Ed25519 private key, 32 bytes hex: signs the verdicts and reservations the payment step relies on',
    secret: true,
  })
  @Matches(/^[0-9a-f]{64}$/, { message: 'must be 32 bytes of lowercase hex' })
  signingKey!: string;

  @EnvVar({
    name: 'REDEMPTION_OLD_PUBLIC_KEYS',
    description: 'retired worker keys whose records still count: keyId:publicKeyHex,…',
    type: 'list',
    default: [],
  })
  @Matches(/^[A-Za-z0-9_.-]{1,64}:[0-9a-f]{64}$/, {
    each: true,
    message: 'each entry must be keyId:64-hex-public-key',
  })
  oldPublicKeys!: string[];

  @EnvVar({
    name: 'REDEMPTION_LEGACY_UNSIGNED_UNTIL',
    description:
      'store position up to which unsigned verdicts/reservations (written before signing) are trusted; 0: none',
    type: 'integer',
    default: 0,
  })
  @IsInt()
  @Min(0)
  legacyUnsignedUntil!: number;

  @EnvVar({ name: 'BROKER_ID', description: 'owner id of the broker keys', default: 'broker' })
  @Matches(/^[A-Za-z0-9_.:-]{1,64}$/)
  brokerId!: string;

  @EnvVar({
    name: 'ADMIN_TOKEN',
    description: 'bearer token of operator calls (run a night, day view)',
    secret: true,
  })
  @IsString()
  @MinLength(16)
  adminToken!: string;

  @EnvVar({
    name: 'NATS_URL',
    description: 'NATS server(s) of the JetStream event store',
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
    name: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    description:
      'OTLP/HTTP collector base URL for traces (http://collector:4318); unset: traces are not exported',
    type: 'url',
    protocols: ['http:', 'https:'],
  })
  @IsOptional()
  otlpEndpoint?: string;

  @EnvVar({
    name: 'NATS_INBOX_PREFIX',
    description:
      'subject prefix of reply inboxes; the identity may read only its own (default _INBOX_<NATS_USER>)',
  })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, { message: 'must be a subject without wildcards' })
  natsInboxPrefix?: string;

  @EnvVar({
    name: 'REDIS_URL',
    description: 'Redis of the read model',
    type: 'url',
    protocols: ['redis:', 'rediss:'],
    default: 'redis://127.0.0.1:6379',
    secret: true,
  })
  redisUrl!: string;

  @EnvVar({
    name: 'REDIS_KEY_PREFIX',
    description: 'prefix of every Redis key',
    default: 'netpay:redemption:',
  })
  @IsString()
  redisKeyPrefix!: string;

  /** Read again by `eventStoreSettingsFromEnv` (with EVENT_STORE_STREAM, EVENT_STORE_SUBJECT_PREFIX, …). */
  @EnvVar({ name: 'EVENT_STORE', description: 'jetstream | eventstoredb | memory', default: 'jetstream' })
  @IsIn(['jetstream', 'eventstoredb', 'memory'])
  eventStore!: 'jetstream' | 'eventstoredb' | 'memory';

  @EnvVar({
    name: 'BANK_MAX_CHARGE',
    description: 'simulated bank: largest single charge of accounts it opens',
    type: 'integer',
    default: 1_000_000,
  })
  @IsInt()
  @Min(1)
  bankMaxCharge!: number;
}

/** `keyId:hex` entries as key records owned by the broker. */
export function brokerKeyRecords(
  config: RedemptionConfig,
): { keyId: string; publicKey: string; ownerId: string }[] {
  return config.brokerPublicKeys.map((entry) => {
    const [keyId = '', publicKey = ''] = entry.split(':');
    return { keyId, publicKey, ownerId: config.brokerId };
  });
}

/** The worker's retired record keys, as key records. */
export function oldRecordKeys(config: RedemptionConfig): { keyId: string; publicKey: string }[] {
  return config.oldPublicKeys.map((entry) => {
    const [keyId = '', publicKey = ''] = entry.split(':');
    return { keyId, publicKey };
  });
}
