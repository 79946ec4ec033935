import { EnvVar, FitsATimer, LONGEST_TIMER_MS, ServiceConfig } from '#platform';
import { validateCronExpression } from 'cron';
import {
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

/** The worker must trust some broker key: pinned ones, or a root that signs the key list. */
function HasSomeBrokerKey(): PropertyDecorator {
  return (target, property) =>
    registerDecorator({
      name: 'hasSomeBrokerKey',
      target: target.constructor,
      propertyName: String(property),
      validator: {
        validate: (value: unknown, args) =>
          (Array.isArray(value) ? value.length : 0) +
            ((args?.object as { brokerPublicKeys?: unknown[] }).brokerPublicKeys?.length ?? 0) >
          0,
        defaultMessage: () => 'BROKER_ROOT_PUBLIC_KEYS or BROKER_PUBLIC_KEYS must name at least one key',
      },
    });
}

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
export class RedemptionConfig extends ServiceConfig {
  @EnvVar({
    name: 'PORT',
    description: 'HTTP port (operator API, health, metrics)',
    type: 'integer',
    default: 3003,
  })
  declare port: number;

  @EnvVar({
    name: 'REDIS_URL',
    description: 'Redis of the read model',
    type: 'url',
    protocols: ['redis:', 'rediss:'],
    default: 'redis://127.0.0.1:6379',
    secret: true,
  })
  declare redisUrl: string;

  @EnvVar({
    name: 'REDIS_KEY_PREFIX',
    description: 'prefix of every Redis key',
    default: 'netpay:redemption:',
  })
  declare redisKeyPrefix: string;

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
    name: 'REDEMPTION_NIGHT_RETRY',
    description:
      'after a scheduled night that left batches unpaid (the store, NATS or the bank away), run it again this long after, doubling to 30 min, until none is left (60 tries at most, about a day)',
    type: 'duration',
    default: '1m',
  })
  @IsInt()
  @Min(1_000)
  @Max(3_600_000)
  nightRetryMs!: number;

  @EnvVar({
    name: 'REDEMPTION_CATCH_UP_TIMEOUT',
    description: 'how long a night waits for the projection to reach the log head',
    type: 'duration',
    default: '5m',
  })
  @IsInt()
  @Min(1)
  @FitsATimer()
  catchUpTimeoutMs!: number;

  @EnvVar({
    name: 'BROKER_PUBLIC_KEYS',
    description: 'broker keys pinned: keyId:publicKeyHex,… (this or BROKER_ROOT_PUBLIC_KEYS)',
    type: 'list',
    default: [],
  })
  @Matches(/^[A-Za-z0-9_.-]{1,64}:[0-9a-f]{64}$/, {
    each: true,
    message: 'each entry must be keyId:64-hex-public-key',
  })
  brokerPublicKeys!: string[];

  @EnvVar({
    name: 'BROKER_ROOT_PUBLIC_KEYS',
    description: 'root keys pinned: broker keys are learned from the key list they sign',
    type: 'list',
    default: [],
  })
  @Matches(/^[A-Za-z0-9_.-]{1,64}:[0-9a-f]{64}$/, {
    each: true,
    message: 'each entry must be keyId:64-hex-public-key',
  })
  @HasSomeBrokerKey()
  brokerRootPublicKeys!: string[];

  @EnvVar({
    name: 'REDEMPTION_KEY_RETRY_DAYS',
    description: 'days an item refused for an unknown broker key is sealed again',
    type: 'integer',
    default: 30,
  })
  @IsInt()
  @Min(0)
  keyRetryDays!: number;

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
    name: 'REDEMPTION_LEASE',
    description:
      'single-instance lease: store (in the event store: JetStream, or in memory with the memory store) or none',
    default: 'store',
  })
  @IsIn(['store', 'none'])
  lease!: 'store' | 'none';

  @EnvVar({
    name: 'REDEMPTION_LEASE_TTL',
    description: 'how long the lease lasts unrenewed: a standby takes over this long after the holder died',
    type: 'duration',
    default: '15s',
  })
  @IsInt()
  @Min(1_000)
  @FitsATimer(Math.floor((LONGEST_TIMER_MS - 5_000) / 2)) // main.ts waits 2 × the TTL + 5 s for the lease
  leaseTtlMs!: number;

  @EnvVar({
    name: 'REDEMPTION_INSTANCE_ID',
    description: 'this instance in the lease and logs (default: host name, pid and a random suffix)',
  })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_.:-]{1,128}$/)
  instanceId?: string;

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

/** BROKER_ROOT_PUBLIC_KEYS as key records. */
export function brokerRootKeyRecords(config: RedemptionConfig): { keyId: string; publicKey: string }[] {
  return config.brokerRootPublicKeys.map((entry) => {
    const [keyId = '', publicKey = ''] = entry.split(':');
    return { keyId, publicKey };
  });
}

/** The worker's retired record keys, as key records. */
export function oldRecordKeys(config: RedemptionConfig): { keyId: string; publicKey: string }[] {
  return config.oldPublicKeys.map((entry) => {
    const [keyId = '', publicKey = ''] = entry.split(':');
    return { keyId, publicKey };
  });
}
