import { EnvVar } from '#platform';
import type { PublicKeyRecord } from '#protocol';
import { ArrayMinSize, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';

const ID = /^[A-Za-z0-9_]{1,64}$/;
const KEY_ID = /^[A-Za-z0-9_.:-]{1,64}$/;
export const CATALOG_NAMES = ['newspaper', 'cards', 'music'] as const;

/**
 * One vendor instance's configuration, read from the environment at start-up
 * (`loadConfig`); keys and tokens may come from `<NAME>_FILE`. Replicas of one
 * vendor share VENDOR_ID, VENDOR_KEY and REDIS_KEY_PREFIX.
 */
export class VendorConfig {
  @EnvVar({
    name: 'VENDOR_ID',
    description: 'this vendor’s id (A-Z a-z 0-9 _), as registered with the broker',
  })
  @Matches(ID, { message: 'must be 1-64 characters of A-Z a-z 0-9 _' })
  vendorId!: string;

  @EnvVar({
    name: 'VENDOR_NAME',
    description: 'display name sent when registering',
    default: 'NetPay vendor',
  })
  @IsString()
  @Length(1, 100)
  vendorName!: string;

  @EnvVar({
    name: 'VENDOR_KEY',
    description: 'Ed25519 private key, 32 bytes lowercase hex (receipts, hand-offs)',
    secret: true,
  })
  @Matches(/^[0-9a-f]{64}$/, { message: 'must be 32 bytes of lowercase hex' })
  vendorKey!: string;

  @EnvVar({ name: 'VENDOR_KEY_ID', description: 'id of the key (default <VENDOR_ID>-1)' })
  @IsOptional()
  @Matches(KEY_ID, { message: 'must be 1-64 of A-Z a-z 0-9 _ . : -' })
  vendorKeyId?: string;

  @EnvVar({
    name: 'BROKER_PUBLIC_KEYS',
    description:
      'the broker keys this vendor trusts, pinned (never fetched): keyId:publicKeyHex,… (current and retired)',
    type: 'list',
  })
  @ArrayMinSize(1)
  @Matches(/^[A-Za-z0-9_.:-]{1,64}:[0-9a-f]{64}$/, {
    each: true,
    message: 'each entry must be keyId:64-hex-public-key',
  })
  brokerPublicKeys!: string[];

  @EnvVar({ name: 'PORT', description: 'HTTP port', type: 'integer', default: 3001 })
  @IsInt()
  @Min(0)
  @Max(65535)
  port!: number;

  @EnvVar({ name: 'HOST', description: 'HTTP listen address', default: '0.0.0.0' })
  @IsString()
  host!: string;

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
    description: 'Redis: hot chain state shared by the replicas',
    type: 'url',
    protocols: ['redis:', 'rediss:'],
    default: 'redis://127.0.0.1:6379',
    secret: true,
  })
  redisUrl!: string;

  @EnvVar({
    name: 'REDIS_KEY_PREFIX',
    description: 'prefix of every Redis key; <VENDOR_ID>: is appended',
    default: 'netpay:vendor:',
  })
  @IsString()
  redisKeyPrefix!: string;

  @EnvVar({
    name: 'EVENT_STORE',
    description:
      'jetstream | eventstoredb | memory (also EVENT_STORE_STREAM, EVENT_STORE_SUBJECT_PREFIX, EVENTSTORE_CONNECTION_STRING)',
    default: 'jetstream',
  })
  @IsIn(['jetstream', 'eventstoredb', 'memory'])
  eventStore!: 'jetstream' | 'eventstoredb' | 'memory';

  @EnvVar({
    name: 'HANDOFF_TIMEOUT',
    description: 'how long to wait for a holder before claiming a chain',
    type: 'duration',
    default: '2s',
  })
  @IsInt()
  @Min(10)
  @Max(60_000)
  handOffTimeoutMs!: number;

  @EnvVar({
    name: 'REQUEST_MAX_AGE',
    description: 'most time from a request’s arrival to its spend; later, nothing is spent (408)',
    type: 'duration',
    default: '10s',
  })
  @IsInt()
  @Min(10)
  @Max(600_000)
  requestMaxAgeMs!: number;

  @EnvVar({
    name: 'BROKER_TIMEOUT',
    description: 'time-out of requests to the broker',
    type: 'duration',
    default: '2s',
  })
  @IsInt()
  @Min(10)
  brokerTimeoutMs!: number;

  @EnvVar({
    name: 'VENDOR_CATALOG',
    description: `content routes served: ${CATALOG_NAMES.join(', ')}`,
    type: 'list',
    default: ['newspaper'],
  })
  @ArrayMinSize(0)
  @IsIn(CATALOG_NAMES, { each: true })
  catalog!: (typeof CATALOG_NAMES)[number][];

  @EnvVar({ name: 'ACCEPT_CURRENCY', description: 'currency of the chains accepted', default: 'NZD' })
  @Matches(/^[A-Z]{3}$/)
  acceptCurrency!: string;

  @EnvVar({
    name: 'ACCEPT_COIN_VALUE',
    description: 'coin value (minor units) prices are set in; chains of other values are refused',
    type: 'integer',
    default: 5,
  })
  @IsInt()
  @Min(1)
  acceptCoinValue!: number;

  @EnvVar({
    name: 'CHECKOUT_COINS',
    description: 'paywords asked per server-side wallet checkout',
    type: 'integer',
    default: 100,
  })
  @IsInt()
  @Min(1)
  @Max(10_000)
  checkoutCoins!: number;

  @EnvVar({
    name: 'BROKER_URL',
    description: 'broker HTTP base URL, for registering this vendor',
    type: 'url',
    protocols: ['http:', 'https:'],
    default: 'http://127.0.0.1:3000',
  })
  brokerUrl!: string;

  @EnvVar({
    name: 'BROKER_ADMIN_TOKEN',
    description: 'admin token to register this vendor at start (unset: no registration)',
    secret: true,
  })
  @IsOptional()
  @IsString()
  brokerAdminToken?: string;

  @EnvVar({
    name: 'VENDOR_BANK_ACCOUNT',
    description: 'bank account redemptions are paid into (registration)',
  })
  @IsOptional()
  @Matches(ID)
  bankAccount?: string;
}

/** `keyId:hex` entries of BROKER_PUBLIC_KEYS as key records (the key id may itself contain `:`). */
export function pinnedBrokerKeys(config: VendorConfig): PublicKeyRecord[] {
  return config.brokerPublicKeys.map((entry) => {
    const split = entry.lastIndexOf(':');
    return { keyId: entry.slice(0, split), publicKey: entry.slice(split + 1), ownerId: 'broker' };
  });
}

export function keyIdOf(config: VendorConfig): string {
  return config.vendorKeyId || `${config.vendorId}-1`;
}
