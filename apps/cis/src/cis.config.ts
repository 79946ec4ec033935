import { EnvVar, FitsATimer, ServiceConfig } from '#platform';
import { IsIn, IsInt, IsString, Matches, Max, Min } from 'class-validator';

const HEX32 = /^[0-9a-f]{64}$/;
const KEY_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

/**
 * The Central Index Server's configuration (P2P-NetPay, `apps/cis`). HTTP, logging, NATS, the event
 * store and Redis are the shared `ServiceConfig` variables (its NATS identity is the role `cis`).
 */
export class CisConfig extends ServiceConfig {
  @EnvVar({ name: 'PORT', description: 'HTTP port', type: 'integer', default: 3300 })
  @IsInt()
  @Min(0)
  @Max(65535)
  declare port: number;

  @EnvVar({
    name: 'REDIS_URL',
    description: 'Redis for Idempotency-Key records and call nonces',
    type: 'url',
    protocols: ['redis:', 'rediss:'],
    default: 'redis://127.0.0.1:6379',
    secret: true, // may carry a password
  })
  declare redisUrl: string;

  @EnvVar({ name: 'REDIS_KEY_PREFIX', description: 'prefix of every Redis key', default: 'netpay:cis:' })
  @IsString()
  declare redisKeyPrefix: string;

  @EnvVar({
    name: 'CIS_KEY_ID',
    description: 'key id of the CIS signing key (touchstones, certificates, notices)',
    default: 'cis-1',
  })
  @Matches(KEY_ID)
  keyId!: string;

  @EnvVar({
    name: 'CIS_SIGNING_KEY',
    description: 'Ed25519 private key, 32 bytes hex; its own key, never the broker’s',
    secret: true,
  })
  @Matches(HEX32, { message: 'must be 32 bytes of lowercase hex' })
  signingKey!: string;

  @EnvVar({
    name: 'CIS_SECRET',
    description: '32 bytes hex: derives pseudonyms, chain ids and seeds, seals identities',
    secret: true,
  })
  @Matches(HEX32, { message: 'must be 32 bytes of lowercase hex' })
  secret!: string;

  @EnvVar({
    name: 'CIS_CURRENCY_MODE',
    description: 'money (a macro-payment per purchase) or nominal (community tokens, no bank)',
    default: 'money',
  })
  @IsIn(['money', 'nominal'])
  mode!: 'money' | 'nominal';

  @EnvVar({
    name: 'CIS_CURRENCY',
    description: 'currency of the coins (nominal mode: the token code, e.g. XCT)',
    default: 'NZD',
  })
  @Matches(/^[A-Z]{3}$/)
  currency!: string;

  @EnvVar({
    name: 'CIS_COIN_VALUE',
    description: 'value of one coin in minor units (or tokens)',
    type: 'integer',
    default: 1,
  })
  @IsInt()
  @Min(1)
  coinValue!: number;

  @EnvVar({
    name: 'CIS_CHAIN_EXPIRY_DAYS',
    description: 'days a chain may be spent',
    type: 'integer',
    default: 7,
  })
  @IsInt()
  @Min(1)
  chainExpiresInDays!: number;

  @EnvVar({
    name: 'CIS_MAX_COINS_PER_PURCHASE',
    description: 'longest chain one purchase buys',
    type: 'integer',
    default: 1000,
  })
  @IsInt()
  @Min(1)
  @Max(100000)
  maxCoinsPerPurchase!: number;

  @EnvVar({
    name: 'CIS_POLICY_BASE_COINS',
    description: 'contribution policy: coins any peer may buy per period',
    type: 'integer',
    default: 100,
  })
  @IsInt()
  @Min(0)
  policyBase!: number;

  @EnvVar({
    name: 'CIS_POLICY_SUPPLY_MULTIPLE',
    description: 'contribution policy: extra coins per coin the peer supplied (redeemed)',
    type: 'integer',
    default: 2,
  })
  @IsInt()
  @Min(0)
  policyMultiple!: number;

  @EnvVar({
    name: 'CIS_POLICY_PERIOD',
    description: 'contribution policy period',
    type: 'duration',
    default: '24h',
  })
  @IsInt()
  @Min(1000)
  policyPeriodMs!: number;

  @EnvVar({
    name: 'CIS_NOMINAL_GRANT',
    description: 'nominal mode: tokens every peer starts with',
    type: 'integer',
    default: 100,
  })
  @IsInt()
  @Min(0)
  nominalGrant!: number;

  @EnvVar({
    name: 'CIS_DOUBLE_SPEND_POLICY',
    description: 'first-recorded (pay the statement recorded first) or cover (the CIS pays both S-peers)',
    default: 'first-recorded',
  })
  @IsIn(['first-recorded', 'cover'])
  doubleSpendPolicy!: 'first-recorded' | 'cover';

  @EnvVar({
    name: 'CIS_CERTIFICATE_DAYS',
    description: 'validity of a pseudonym certificate',
    type: 'integer',
    default: 30,
  })
  @IsInt()
  @Min(1)
  certificateDays!: number;

  @EnvVar({
    name: 'CIS_CALL_WINDOW',
    description: 'freshness window of a peer’s signed call',
    type: 'duration',
    default: '60s',
  })
  @IsInt()
  @Min(1000)
  callWindowMs!: number;

  @EnvVar({
    name: 'CIS_PEER_TTL',
    description: 'a peer not heard from for this long is offline: its content leaves the index',
    type: 'duration',
    default: '90s',
  })
  @IsInt()
  @Min(1000)
  @FitsATimer()
  peerTtlMs!: number;

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
