import { EnvVar, FitsATimer, ServiceConfig } from '#platform';
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
  registerDecorator,
} from 'class-validator';

const HEX32 = /^[0-9a-f]{64}$/;

/** The broker's NODE_ENV values that admit a demo clock offset (never production, nor an unnamed one). */
export const DEMO_CLOCK_ENVS: readonly string[] = ['development', 'test'];

/** DEMO_CLOCK_OFFSET moves the broker's clock: refused unless NODE_ENV is development or test. */
function OnlyOutsideProduction(): PropertyDecorator {
  return (target, property) =>
    registerDecorator({
      name: 'onlyOutsideProduction',
      target: target.constructor,
      propertyName: String(property),
      validator: {
        validate: (value: unknown, args) =>
          value === 0 || DEMO_CLOCK_ENVS.includes((args?.object as { nodeEnv?: string }).nodeEnv ?? ''),
        defaultMessage: () =>
          `a clock offset is for demos only: set NODE_ENV to ${DEMO_CLOCK_ENVS.join(' or ')}, or leave it unset`,
      },
    });
}
const KEY_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

/**
 * The broker's configuration, read from the environment at start-up (`loadConfig`). Secrets may
 * come from `<NAME>_FILE`. Tests build one with `testBrokerConfig()` instead.
 */
export class BrokerConfig extends ServiceConfig {
  @EnvVar({
    name: 'REDIS_URL',
    description: 'Redis for Idempotency-Key records',
    type: 'url',
    protocols: ['redis:', 'rediss:'],
    default: 'redis://127.0.0.1:6379',
    secret: true,
  })
  declare redisUrl: string;

  @EnvVar({ name: 'REDIS_KEY_PREFIX', description: 'prefix of every Redis key', default: 'netpay:broker:' })
  declare redisKeyPrefix: string;

  @EnvVar({ name: 'NODE_ENV', description: 'production refuses ephemeral keys', default: 'development' })
  @IsString()
  nodeEnv!: string;

  @EnvVar({ name: 'BROKER_ID', description: 'owner id of the broker keys', default: 'broker' })
  @Matches(KEY_ID)
  brokerId!: string;

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
    name: 'BROKER_ROOT_KEY_ID',
    description: 'key id of the root key (signs the broker key list)',
    default: 'broker-root',
  })
  @Matches(KEY_ID)
  rootKeyId!: string;

  @EnvVar({
    name: 'BROKER_ROOT_SIGNING_KEY',
    description: 'Ed25519 private key, 32 bytes hex: signs the broker key list (unset: none)',
    secret: true,
  })
  @IsOptional()
  @Matches(HEX32, { message: 'must be 32 bytes of lowercase hex' })
  rootSigningKey?: string;

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
    name: 'BROKER_NETWORKS',
    description: 'web; mobile: also a Mobile-NetPay Service Provider (operator billing, subscribers)',
    type: 'list',
    default: ['web'],
  })
  @ArrayMaxSize(2)
  @IsIn(['web', 'mobile'], { each: true })
  networks!: ('web' | 'mobile')[];

  @EnvVar({
    name: 'OPERATOR_GATEWAY_TOKEN',
    description: "mobile: bearer token of the operator's gateway (which sets X-MSISDN)",
    secret: true,
  })
  @IsOptional()
  @IsString()
  @MinLength(16)
  operatorGatewayToken?: string;

  @EnvVar({
    name: 'SUBSCRIBER_TOKEN_TTL',
    description: 'mobile: lifetime of a subscriber token (and of the wallet grants in it)',
    type: 'duration',
    default: '10m',
  })
  @IsInt()
  @Min(1000)
  @Max(86_400_000)
  subscriberTokenTtlMs!: number;

  @EnvVar({
    name: 'OPERATOR_SUBSCRIBERS',
    description: 'mobile: accounts opened at start: msisdn:prepaid:CUR:balance or msisdn:postpaid:CUR:cap,…',
    type: 'list',
    default: [],
  })
  @Matches(/^\+[1-9][0-9]{6,14}:(prepaid|postpaid):[A-Z]{3}:[0-9]{1,12}$/, {
    each: true,
    message: 'each entry must be msisdn:prepaid|postpaid:CUR:amount',
  })
  operatorSubscribers!: string[];

  @EnvVar({
    name: 'IDEMPOTENCY_TTL',
    description: 'how long Idempotency-Key answers are replayed',
    type: 'duration',
    default: '24h',
  })
  @IsInt()
  @Min(1000)
  idempotencyTtlMs!: number;

  @EnvVar({
    name: 'PURCHASE_RECONCILE_INTERVAL',
    description:
      'how often the broker settles purchases whose bank answer was lost (complete or void by key); 0: never',
    type: 'duration',
    default: '1m',
  })
  @IsInt()
  @Min(0)
  @FitsATimer()
  purchaseReconcileIntervalMs!: number;

  @EnvVar({
    name: 'PURCHASE_RECONCILE_AFTER',
    description: 'age of an unsettled purchase before reconciliation settles it (longer than a bank call)',
    type: 'duration',
    default: '2m',
  })
  @IsInt()
  @Min(0)
  purchaseReconcileAfterMs!: number;

  @EnvVar({
    name: 'REFUND_SWEEP_INTERVAL',
    description:
      "how often the broker pays the refunds of cash-outs that stopped after the chain's close; 0: never",
    type: 'duration',
    default: '1m',
  })
  @IsInt()
  @Min(0)
  @FitsATimer()
  refundSweepIntervalMs!: number;

  @EnvVar({
    name: 'REFUND_SWEEP_AFTER',
    description:
      "age of a cash-out's close without its refund before the sweep pays it (longer than a bank call)",
    type: 'duration',
    default: '2m',
  })
  @IsInt()
  @Min(0)
  refundSweepAfterMs!: number;

  @EnvVar({
    name: 'EXPIRY_POLICY',
    description:
      "an expired chain's unspent value: refund (to the customer's bank account) or keep (the broker keeps it, with notice)",
    default: 'refund',
  })
  @IsIn(['refund', 'keep'])
  expiryPolicy!: 'refund' | 'keep';

  @EnvVar({
    name: 'EXPIRY_SWEEP_INTERVAL',
    description: 'how often expired chains are closed and settled by EXPIRY_POLICY; 0: never',
    type: 'duration',
    default: '1h',
  })
  @IsInt()
  @Min(0)
  @FitsATimer()
  expirySweepIntervalMs!: number;

  @EnvVar({
    name: 'EXPIRY_GRACE',
    description: "time after a chain's expiry before it is settled (vendors' clocks, spends in flight)",
    type: 'duration',
    default: '10m',
  })
  @IsInt()
  @Min(0)
  expiryGraceMs!: number;

  @EnvVar({
    name: 'REDEMPTION_PUBLIC_KEYS',
    description:
      "the redemption worker's verdict keys (keyId:publicKeyHex,…): the broker counts only verdicts they sign as fraud; empty: no fraud suspensions",
    type: 'list',
    default: [],
  })
  @ArrayMaxSize(32)
  @Matches(/^[A-Za-z0-9_.-]{1,64}:[0-9a-f]{64}$/, {
    each: true,
    message: 'each entry must be keyId:64-hex-public-key',
  })
  redemptionPublicKeys!: string[];

  @EnvVar({
    name: 'FRAUD_SUSPEND_AFTER',
    description:
      'items of a vendor the redemption worker refused as fraud (since its last reinstatement) that suspend it; 0: never',
    type: 'integer',
    default: 3,
  })
  @IsInt()
  @Min(0)
  @Max(10_000)
  fraudSuspendAfter!: number;

  @EnvVar({
    name: 'DEMO_CLOCK_OFFSET',
    description:
      "demos only (NODE_ENV development or test): the broker's clock runs this far ahead of the machine's, e.g. to settle the demo day's chains at expiry; at most 400d",
    type: 'duration',
    default: '0',
  })
  @IsInt()
  @Min(0)
  @Max(400 * 86_400_000)
  @OnlyOutsideProduction()
  demoClockOffsetMs!: number;
}
