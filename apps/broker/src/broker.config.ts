import { EnvVar } from '#platform';
import {
  ArrayMaxSize,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
} from 'class-validator';

const HEX32 = /^[0-9a-f]{64}$/;
const KEY_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

/**
 * The broker's configuration, read from the environment at start-up (`loadConfig`). Secrets may
 * come from `<NAME>_FILE`. Tests build one with `testBrokerConfig()` instead.
 */
export class BrokerConfig {
  @EnvVar({ name: 'NODE_ENV', description: 'production refuses ephemeral keys', default: 'development' })
  @IsString()
  nodeEnv!: string;

  @EnvVar({ name: 'PORT', description: 'HTTP port', type: 'integer', default: 3000 })
  @IsInt()
  @Min(0)
  @Max(65535)
  port!: number;

  @EnvVar({ name: 'HOST', description: 'HTTP listen address', default: '0.0.0.0' })
  @IsString()
  host!: string;

  @EnvVar({ name: 'BROKER_ID', description: 'owner id of the broker keys', default: 'broker' })
  @Matches(KEY_ID)
  brokerId!: string;

  @EnvVar({
    name: 'NATS_URL',
    description: 'NATS server(s)',
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
    description: 'Redis for Idempotency-Key records',
    type: 'url',
    protocols: ['redis:', 'rediss:'],
    default: 'redis://127.0.0.1:6379',
  })
  redisUrl!: string;

  @EnvVar({ name: 'REDIS_KEY_PREFIX', description: 'prefix of every Redis key', default: 'netpay:broker:' })
  @IsString()
  redisKeyPrefix!: string;

  /** Read again by `eventStoreSettingsFromEnv` (with EVENT_STORE_STREAM, EVENT_STORE_SUBJECT_PREFIX, …). */
  @EnvVar({
    name: 'EVENT_STORE',
    description: 'jetstream | eventstoredb | memory (memory: one process, demos only)',
    default: 'jetstream',
  })
  @IsIn(['jetstream', 'eventstoredb', 'memory'])
  eventStore!: 'jetstream' | 'eventstoredb' | 'memory';

  @EnvVar({
    name: 'BROKER_KEY_ID',
    description: 'key id of the current touchstone signing key',
    default: 'broker-1',
  })
  @Matches(KEY_ID)
  signingKeyId!: string;

  @EnvVar({
    name: 'BROKER_SIGNING_KEY',
    description: 'Ed25519 private key, 32 bytes hex (ephemeral outside production when unset)',
    secret: true,
  })
  @IsOptional()
  @Matches(HEX32, { message: 'must be 32 bytes of lowercase hex' })
  signingKey?: string;

  @EnvVar({
    name: 'BROKER_OLD_PUBLIC_KEYS',
    description: 'retired keys still accepted: keyId:publicKeyHex,…',
    type: 'list',
    default: [],
  })
  @ArrayMaxSize(32)
  @Matches(/^[A-Za-z0-9_.-]{1,64}:[0-9a-f]{64}$/, {
    each: true,
    message: 'each entry must be keyId:64-hex-public-key',
  })
  oldPublicKeys!: string[];

  @EnvVar({
    name: 'ADMIN_TOKEN',
    description: 'bearer token of admin calls (vendors, bank, revocation)',
    secret: true,
  })
  @IsString()
  @MinLength(16)
  adminToken!: string;

  @EnvVar({
    name: 'WALLET_ENCRYPTION_KEY',
    description: 'AES-256-GCM key for server-side wallet seeds at rest, 32 bytes hex',
    secret: true,
  })
  @Matches(HEX32, { message: 'must be 32 bytes of lowercase hex' })
  walletEncryptionKey!: string;

  @EnvVar({
    name: 'WALLET_ENCRYPTION_KEY_ID',
    description: 'id recorded with each encrypted seed',
    default: 'wk1',
  })
  @Matches(KEY_ID)
  walletEncryptionKeyId!: string;

  @EnvVar({
    name: 'BROKER_SECRET',
    description: 'HMAC key for deterministic ids, checkout tokens and client seeds, 32 bytes hex',
    secret: true,
  })
  @Matches(HEX32, { message: 'must be 32 bytes of lowercase hex' })
  brokerSecret!: string;

  @EnvVar({
    name: 'CHAIN_ALG',
    description: 'hash of new chains: sha256 (md5 is weak, demos only)',
    default: 'sha256',
  })
  @IsIn(['sha256', 'md5'])
  chainAlg!: 'sha256' | 'md5';

  @EnvVar({
    name: 'CHAIN_EXPIRY_DAYS',
    description: 'default lifetime of a chain',
    type: 'integer',
    default: 90,
  })
  @IsInt()
  @Min(1)
  @Max(3650)
  chainExpiryDays!: number;

  @EnvVar({
    name: 'CHAIN_MAX_LENGTH',
    description: 'coins per chain; larger purchases are split',
    type: 'integer',
    default: 10_000,
  })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  chainMaxLength!: number;

  @EnvVar({
    name: 'PURCHASE_MAX_COINS',
    description: 'most coins one purchase may buy',
    type: 'integer',
    default: 100_000,
  })
  @IsInt()
  @Min(1)
  purchaseMaxCoins!: number;

  @EnvVar({
    name: 'PURCHASE_MAX_AMOUNT',
    description: 'largest purchase in minor units',
    type: 'integer',
    default: 1_000_000,
  })
  @IsInt()
  @Min(1)
  purchaseMaxAmount!: number;

  @EnvVar({
    name: 'CURRENCIES',
    description: 'ISO 4217 codes the broker sells',
    type: 'list',
    default: ['EUR', 'NZD', 'USD'],
  })
  @Matches(/^[A-Z]{3}$/, { each: true })
  currencies!: string[];

  @EnvVar({
    name: 'CHECKOUT_MAX_COINS',
    description: 'most paywords one wallet checkout releases',
    type: 'integer',
    default: 1_000,
  })
  @IsInt()
  @Min(1)
  @Max(10_000)
  checkoutMaxCoins!: number;

  @EnvVar({
    name: 'CHECKOUT_TOKEN_TTL',
    description: 'lifetime of a checkout token',
    type: 'duration',
    default: '30d',
  })
  @IsInt()
  @Min(1000)
  checkoutTokenTtlMs!: number;

  @EnvVar({
    name: 'BANK_ACCOUNTS',
    description:
      'simulated bank accounts opened at start: id:CUR:balance:mandate,… (the mandate proves ownership)',
    type: 'list',
    default: [],
  })
  @Matches(/^[A-Za-z0-9_]{1,64}:[A-Z]{3}:\d{1,15}(:[A-Za-z0-9_-]{16,128})?$/, {
    each: true,
    message: 'each entry must be id:CUR:balance:mandate',
  })
  bankAccounts!: string[];

  @EnvVar({
    name: 'BANK_MAX_CHARGE',
    description: 'simulated bank: largest single charge (minor units)',
    type: 'integer',
    default: 1_000_000,
  })
  @IsInt()
  @Min(1)
  bankMaxCharge!: number;

  @EnvVar({
    name: 'IDEMPOTENCY_TTL',
    description: 'how long Idempotency-Key answers are replayed',
    type: 'duration',
    default: '24h',
  })
  @IsInt()
  @Min(1000)
  idempotencyTtlMs!: number;
}
