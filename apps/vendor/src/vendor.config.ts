import { EnvVar, FitsATimer, IsWebOrigins, ServiceConfig } from '#platform';
import type { PublicKeyRecord } from '#protocol';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  registerDecorator,
} from 'class-validator';

/** The vendor must trust some broker key: pinned ones, or a root that signs the key list. */
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

const ID = /^[A-Za-z0-9_]{1,64}$/;
const KEY_ID = /^[A-Za-z0-9_.:-]{1,64}$/;
export const CATALOG_NAMES = ['newspaper', 'cards', 'music'] as const;

/**
 * One vendor instance's configuration, read from the environment at start-up
 * (`loadConfig`); keys and tokens may come from `<NAME>_FILE`. Replicas of one
 * vendor share VENDOR_ID, VENDOR_KEY and REDIS_KEY_PREFIX.
 */
export class VendorConfig extends ServiceConfig {
  @EnvVar({ name: 'PORT', description: 'HTTP port', type: 'integer', default: 3001 })
  declare port: number;

  @EnvVar({
    name: 'REDIS_URL',
    description: 'Redis: hot chain state shared by the replicas',
    type: 'url',
    protocols: ['redis:', 'rediss:'],
    default: 'redis://127.0.0.1:6379',
    secret: true,
  })
  declare redisUrl: string;

  @EnvVar({
    name: 'REDIS_KEY_PREFIX',
    description: 'prefix of every Redis key; <VENDOR_ID>: is appended',
    default: 'netpay:vendor:',
  })
  declare redisKeyPrefix: string;

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
    description: 'broker keys pinned: keyId:publicKeyHex,… (this or BROKER_ROOT_PUBLIC_KEYS)',
    type: 'list',
    default: [],
  })
  @Matches(/^[A-Za-z0-9_.:-]{1,64}:[0-9a-f]{64}$/, {
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
  @Matches(/^[A-Za-z0-9_.:-]{1,64}:[0-9a-f]{64}$/, {
    each: true,
    message: 'each entry must be keyId:64-hex-public-key',
  })
  @HasSomeBrokerKey()
  brokerRootPublicKeys!: string[];

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
  @FitsATimer()
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
    name: 'VENDOR_REGISTRATION_TOKEN',
    description:
      "this vendor's own registration token, to register its key at start (unset: no registration); " +
      'the operator derives it from BROKER_SECRET (scripts/vendor-registration-token.mjs). Never the admin token',
    secret: true,
  })
  @IsOptional()
  @IsString()
  registrationToken?: string;

  @EnvVar({
    name: 'NOOP_ROUTE',
    description:
      'serve the load-test route GET /noop/{id} (unpaid, does nothing); load tests and perf-sweep turn it on',
    type: 'boolean',
    default: false,
  })
  @IsBoolean()
  noopRoute!: boolean;

  @EnvVar({
    name: 'VENDOR_BANK_ACCOUNT',
    description: 'bank account redemptions are paid into (registration)',
  })
  @IsOptional()
  @Matches(ID)
  bankAccount?: string;

  @EnvVar({
    name: 'VENDOR_SHOP_ORIGINS',
    description:
      'web origins of this shop, the only pages that may embed the broker’s wallet frame for this vendor; set at the broker with the registration (unset: http://127.0.0.1:<PORT> and http://localhost:<PORT>)',
    type: 'list',
    default: [],
  })
  @ArrayMaxSize(16)
  @IsWebOrigins('VENDOR_SHOP_ORIGINS')
  shopOrigins!: string[];
}

/** The shop's origins as configured, or this process's own local ones. */
export function shopOriginsOf(config: VendorConfig): string[] {
  if (config.shopOrigins.length > 0) return config.shopOrigins;
  return [`http://127.0.0.1:${config.port}`, `http://localhost:${config.port}`];
}

/** `keyId:hex` entries of BROKER_PUBLIC_KEYS as key records (the key id may itself contain `:`). */
export function pinnedBrokerKeys(config: VendorConfig): PublicKeyRecord[] {
  return config.brokerPublicKeys.map((entry) => {
    const split = entry.lastIndexOf(':');
    return { keyId: entry.slice(0, split), publicKey: entry.slice(split + 1), ownerId: 'broker' };
  });
}

/** BROKER_ROOT_PUBLIC_KEYS as key records. */
export function rootBrokerKeys(config: VendorConfig): PublicKeyRecord[] {
  return config.brokerRootPublicKeys.map((entry) => {
    const split = entry.lastIndexOf(':');
    return { keyId: entry.slice(0, split), publicKey: entry.slice(split + 1) };
  });
}

export function keyIdOf(config: VendorConfig): string {
  return config.vendorKeyId || `${config.vendorId}-1`;
}
