import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { generateSigningKey, type SigningKey, vendorRegistrationToken } from '#protocol';
import { natsRoleEnv } from './stack-env.js';
import { stackConfig } from './stack.config.js';
import type { ProcessSpec } from './supervisor.js';

/** First vendor port; `VENDOR_BASE_PORT` moves all three (e.g. a load test beside a running stack). */
const vendorBase = stackConfig().vendorBasePort;

/** The three demo vendors of the papers' scenarios, each with its own content plug-in. */
export const DEMO_VENDORS = [
  { id: 'newspaper', name: 'The Daily Hash', catalog: 'newspaper', port: vendorBase },
  { id: 'greetings', name: 'e-Greetings', catalog: 'cards', port: vendorBase + 1 },
  { id: 'music', name: 'Clip Music', catalog: 'music', port: vendorBase + 2 },
] as const;

export type DemoVendorId = (typeof DEMO_VENDORS)[number]['id'];

/** Secrets of one local stack. `npm start` keeps them in a file; the demo draws fresh ones. */
export interface StackSecrets {
  readonly adminToken: string;
  readonly brokerKey: SigningKey;
  /**
   * The broker's root key: signs the broker key list. Vendors and the worker pin only its public
   * key (BROKER_ROOT_PUBLIC_KEYS) and learn the working keys from the list.
   */
  readonly brokerRootKey: SigningKey;
  /** The redemption worker's own key: it signs the verdicts and reservations it pays on. */
  readonly redemptionKey: SigningKey;
  readonly brokerSecret: string;
  readonly walletEncryptionKey: string;
  readonly vendorKeys: Readonly<Record<string, SigningKey>>;
}

export function freshSecrets(): StackSecrets {
  const hex = (n: number): string => randomBytes(n).toString('hex');
  return {
    adminToken: `admin_${hex(16)}`,
    brokerKey: generateSigningKey('broker-1'),
    brokerRootKey: generateSigningKey('broker-root'),
    redemptionKey: generateSigningKey('redemption-1'),
    brokerSecret: hex(32),
    walletEncryptionKey: hex(32),
    vendorKeys: Object.fromEntries(DEMO_VENDORS.map((v) => [v.id, generateSigningKey(`${v.id}-1`)])),
  };
}

/** Secrets kept across runs of `npm start`, so the stack's identity survives a restart. */
export function persistentSecrets(file: string): StackSecrets {
  if (existsSync(file)) {
    const kept = JSON.parse(readFileSync(file, 'utf8')) as Partial<StackSecrets> &
      Omit<StackSecrets, 'redemptionKey' | 'brokerRootKey'>;
    if (kept.redemptionKey !== undefined && kept.brokerRootKey !== undefined) return kept as StackSecrets;
    // A secrets file from before the worker signed its records, or before the broker key list:
    // add the missing keys, keep the rest.
    const upgraded: StackSecrets = {
      ...kept,
      redemptionKey: kept.redemptionKey ?? generateSigningKey('redemption-1'),
      brokerRootKey: kept.brokerRootKey ?? generateSigningKey('broker-root'),
    };
    writeFileSync(file, JSON.stringify(upgraded, null, 2), { mode: 0o600 });
    return upgraded;
  }
  const secrets = freshSecrets();
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

export interface StackOptions {
  readonly secrets: StackSecrets;
  /** JetStream stream holding this stack's events (the demo uses a fresh one per run). */
  readonly streamName: string;
  readonly subjectPrefix: string;
  /** Namespace of the broker/vendor NATS subjects, so stacks can share one NATS. */
  readonly natsSubjectPrefix: string;
  readonly redisKeyPrefix: string;
  readonly natsUrl: string;
  readonly redisUrl: string;
  /**
   * The durable Redis (append-only, noeviction) for what must not vanish: the broker's
   * Idempotency-Key records, the redemption view. `redisUrl` when not given (deploy/README.md).
   */
  readonly durableRedisUrl?: string;
  readonly brokerPort: number;
  readonly redemptionPort: number;
  /** IANA zone of the business day and the redemption cut-off. */
  readonly timeZone: string;
}

export const brokerUrl = (o: StackOptions): string => `http://127.0.0.1:${o.brokerPort}`;
export const vendorUrl = (port: number): string => `http://127.0.0.1:${port}`;
export const redemptionUrl = (o: StackOptions): string => `http://127.0.0.1:${o.redemptionPort}`;

/** Services whose Redis holds what must not vanish (the rest use theirs as a cache). */
const DURABLE_REDIS_ROLES: ReadonlySet<string> = new Set(['broker', 'redemption']);

/** `role`: the process's NATS identity on the local stack (scripts/nats-auth.mjs). */
function shared(o: StackOptions, service: string, role: string): Record<string, string> {
  return {
    ...natsRoleEnv(role),
    NODE_ENV: 'development',
    LOG_FORMAT: 'json',
    NATS_URL: o.natsUrl,
    REDIS_URL: DURABLE_REDIS_ROLES.has(service) ? (o.durableRedisUrl ?? o.redisUrl) : o.redisUrl,
    REDIS_KEY_PREFIX: `${o.redisKeyPrefix}${service}:`,
    EVENT_STORE: 'jetstream',
    EVENT_STORE_STREAM: o.streamName,
    EVENT_STORE_SUBJECT_PREFIX: o.subjectPrefix,
    NATS_SUBJECT_PREFIX: o.natsSubjectPrefix,
    HOST: '127.0.0.1',
  };
}

const publicKeys = (s: StackSecrets): string => `${s.brokerKey.keyId}:${s.brokerKey.publicKey}`;
/** BROKER_ROOT_PUBLIC_KEYS of the stack. */
export const rootPublicKeys = (s: StackSecrets): string =>
  `${s.brokerRootKey.keyId}:${s.brokerRootKey.publicKey}`;

/**
 * `npm start`'s Redis key prefix: the one configured, else one of this stack's own (its secrets
 * and its stream). A fixed `netpay:` let a second checkout, or a new stream, on the same Redis
 * meet the first one's idempotency answers and the redemption view's checkpoint of another stream.
 */
export function stackRedisPrefix(configured: string, secrets: StackSecrets, streamName: string): string {
  if (configured) return configured;
  const id = createHash('sha256').update(`${secrets.brokerSecret}\u0000${streamName}`).digest('hex');
  return `netpay:${id.slice(0, 8)}:`;
}

/** The redemption worker's verdict key: the broker counts only verdicts it signs as fraud. */
export const redemptionPublicKeys = (s: StackSecrets): string =>
  `${s.redemptionKey.keyId}:${s.redemptionKey.publicKey}`;

/** `extra`: variables of this start only (e.g. the demo's broker days later: DEMO_CLOCK_OFFSET). */
export function brokerSpec(o: StackOptions, extra: Readonly<Record<string, string>> = {}): ProcessSpec {
  const s = o.secrets;
  return {
    name: 'broker',
    entry: 'dist/apps/broker/src/main.js',
    readyUrl: `${brokerUrl(o)}/health/ready`,
    env: {
      ...shared(o, 'broker', 'broker'),
      PORT: String(o.brokerPort),
      ADMIN_TOKEN: s.adminToken,
      BROKER_KEY_ID: s.brokerKey.keyId,
      BROKER_SIGNING_KEY: s.brokerKey.privateKey,
      BROKER_ROOT_KEY_ID: s.brokerRootKey.keyId,
      BROKER_ROOT_SIGNING_KEY: s.brokerRootKey.privateKey,
      BROKER_SECRET: s.brokerSecret,
      WALLET_ENCRYPTION_KEY: s.walletEncryptionKey,
      CURRENCIES: 'NZD',
      // Without it the broker suspends no vendor for the worker's fraud verdicts.
      REDEMPTION_PUBLIC_KEYS: redemptionPublicKeys(s),
      ...extra,
    },
  };
}

export function vendorSpec(o: StackOptions, vendor: (typeof DEMO_VENDORS)[number]): ProcessSpec {
  const key = o.secrets.vendorKeys[vendor.id];
  if (!key) throw new Error(`no key for vendor ${vendor.id}`);
  return {
    name: `vendor-${vendor.id}`,
    entry: 'dist/apps/vendor/src/main.js',
    readyUrl: `${vendorUrl(vendor.port)}/health/ready`,
    env: {
      ...shared(o, `vendor:${vendor.id}`, `vendor-${vendor.id}`),
      PORT: String(vendor.port),
      VENDOR_ID: vendor.id,
      VENDOR_NAME: vendor.name,
      VENDOR_KEY: key.privateKey,
      VENDOR_KEY_ID: key.keyId,
      VENDOR_CATALOG: vendor.catalog,
      VENDOR_BANK_ACCOUNT: `vendor_${vendor.id}`,
      BROKER_URL: brokerUrl(o),
      // Its own registration token, not the admin token: with that, a vendor could add a key of its
      // own to another vendor, reinstate itself, revoke customers or run the night.
      VENDOR_REGISTRATION_TOKEN: vendorRegistrationToken(o.secrets.brokerSecret, vendor.id),
      // Pinned from the stack's secrets: a vendor never takes the broker's keys from a NATS reply.
      BROKER_PUBLIC_KEYS: publicKeys(o.secrets),
      // …and every other broker key from the broker's key list this root signs (rotation).
      BROKER_ROOT_PUBLIC_KEYS: rootPublicKeys(o.secrets),
      HANDOFF_TIMEOUT: '1s',
      // A larger young generation halves the vendor's GCs under load (docs/performance.md).
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-semi-space-size=32`.trim(),
    },
  };
}

export const REDEMPTION_READY_WITHIN_MS = 120_000;

export function redemptionSpec(o: StackOptions): ProcessSpec {
  return {
    name: 'redemption',
    entry: 'dist/apps/redemption/src/main.js',
    readyUrl: `${redemptionUrl(o)}/health/ready`,
    // Ready only once it holds the lease: after a crash, the dead worker's lease runs out first
    // (REDEMPTION_LEASE_TTL, 15 s), then the projections catch up. A fault probe saw 20–26 s on a
    // busy machine, and `npm start` right after such a crash failed its first start at 30 s.
    readyWithinMs: REDEMPTION_READY_WITHIN_MS,
    env: {
      ...shared(o, 'redemption', 'redemption'),
      PORT: String(o.redemptionPort),
      ADMIN_TOKEN: o.secrets.adminToken,
      // Only the root: the worker learns every broker key from the key list (deploy/README.md).
      BROKER_ROOT_PUBLIC_KEYS: rootPublicKeys(o.secrets),
      REDEMPTION_KEY_ID: o.secrets.redemptionKey.keyId,
      REDEMPTION_SIGNING_KEY: o.secrets.redemptionKey.privateKey,
      REDEMPTION_TIME_ZONE: o.timeZone,
    },
  };
}
