import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ConfigError, describeConfig, HttpServiceConfig, loadConfig } from '#platform';
import { BrokerConfig } from '../apps/broker/src/broker.config.js';
import { CisConfig } from '../apps/cis/src/cis.config.js';
import { PeerConfig } from '../apps/peer/src/peer.config.js';
import { RedemptionConfig } from '../apps/redemption/src/redemption.config.js';
import { VendorConfig } from '../apps/vendor/src/vendor.config.js';

const ROOT = new URL('..', import.meta.url).pathname;

/** What each service needs at the least (keys and tokens), so the shared variables can be checked. */
const HEX = 'ab'.repeat(32);
const APPS = [
  {
    name: 'broker',
    main: 'apps/broker/src/main.ts',
    config: BrokerConfig,
    env: { ADMIN_TOKEN: 'a'.repeat(16), WALLET_ENCRYPTION_KEY: HEX, BROKER_SECRET: HEX },
  },
  {
    name: 'vendor',
    main: 'apps/vendor/src/main.ts',
    config: VendorConfig,
    env: { VENDOR_ID: 'v1', VENDOR_KEY: HEX, BROKER_PUBLIC_KEYS: `b1:${HEX}` },
  },
  {
    name: 'redemption',
    main: 'apps/redemption/src/main.ts',
    config: RedemptionConfig,
    env: { ADMIN_TOKEN: 'a'.repeat(16), REDEMPTION_SIGNING_KEY: HEX, BROKER_PUBLIC_KEYS: `b1:${HEX}` },
  },
  {
    name: 'cis',
    main: 'apps/cis/src/main.ts',
    config: CisConfig,
    env: { CIS_SIGNING_KEY: HEX, CIS_SECRET: HEX },
  },
  {
    name: 'peer',
    main: 'apps/peer/src/main.ts',
    config: PeerConfig,
    env: {
      PEER_IDENTITY: 'alice@example.org',
      PEER_KEY: HEX,
      PEER_PUBLIC_URL: 'http://127.0.0.1:3400',
      CIS_URL: 'http://127.0.0.1:3300',
      CIS_PUBLIC_KEYS: `cis-1:${HEX}`,
      PEER_CONTROL_TOKEN: 'c'.repeat(24),
    },
  },
] as const;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'test' || name === 'testing' ? [] : sources(path);
    return /\.ts$/.test(name) && !/\.(spec|int-spec|e2e-spec)\.ts$/.test(name) ? [path] : [];
  });
}

/**
 * Where the environment may still be touched outside `loadConfig`, and why: passing it on to child
 * processes, a test helper's binary, the default argument of a loader, the logger (h-ops's), the
 * auditor's entry point (hands `process.env` to its CLI, which loads `AuditorConfig`).
 */
const ALLOWED = new Set([
  'apps/auditor/src/main.ts',
  'apps/demo/src/local-stack.ts', // NODE_OPTIONS passed on to the vendors
  'apps/demo/src/load-seed.ts', // ADMIN_TOKEN of the load seed tool
  'apps/demo/src/night.ts', // passes the environment on to a child
  'apps/demo/src/supervisor.ts', // passes the environment on to children
  'libs/contracts/src/subjects.ts', // subjectPrefix(): loadConfig(SubjectPrefixConfig) at import
  'libs/event-store/src/jetstream/stack-identities.ts', // the local stack's auth file, for tests and scripts
  'libs/event-store/src/jetstream/own-nats-server.ts', // NATS_SERVER_BIN of a test server
  'libs/event-store/src/create-event-store.ts', // default argument of eventStoreSettingsFromEnv
  'libs/platform/src/config/config.provider.ts', // default argument
  'libs/platform/src/config/load-config.ts', // default argument
  'libs/platform/src/logging/json-logger.ts', // LOG_LEVEL/LOG_FORMAT are declared in ServiceConfig
  'libs/platform/src/reconnect/reconnect-policy.ts', // default argument of reconnectPolicyFromEnv
  'libs/platform/src/logging/netpay-logger.ts', // default argument of NetPayLogger.fromEnv (LOG_LEVEL/LOG_FORMAT, validated there too)
  'apps/demo/src/chaos/servers.ts', // the fault suite's own server binaries (NATS_SERVER_BIN, REDIS_SERVER_BIN), a dev tool like scripts/
]);

describe('one configuration mechanism', () => {
  it.each(APPS.map((a) => [a.name, a] as const))(
    '%s config extends HttpServiceConfig and reads HTTP_BODY_LIMIT',
    (_n, app) => {
      const config = loadConfig(app.config as new () => HttpServiceConfig, {
        ...app.env,
        HTTP_BODY_LIMIT: '4096',
      });
      expect(config).toBeInstanceOf(HttpServiceConfig);
      expect(config.httpBodyLimit).toBe(4096);
      const names = describeConfig(app.config).map((v) => v.name);
      for (const shared of [
        'NATS_USER',
        'NATS_PASSWORD',
        'NATS_INBOX_PREFIX',
        'LOG_LEVEL',
        'LOG_FORMAT',
        'OTEL_EXPORTER_OTLP_ENDPOINT',
        'NATS_SUBJECT_PREFIX',
        'EVENT_STORE_STREAM',
      ])
        expect(names.filter((n) => n === shared)).toEqual([shared]);
    },
  );

  it.each(APPS.map((a) => [a.name, a] as const))(
    '%s main takes HTTP and event store settings from its config',
    (_n, app) => {
      const main = readFileSync(join(ROOT, app.main), 'utf8');
      expect(main).toContain('httpOptionsOf(config)');
      expect(main).not.toMatch(/eventStoreSettingsFromEnv|process\.env/);
    },
  );

  it('reads the environment nowhere else in the apps and libraries', () => {
    const readers = [...sources(join(ROOT, 'apps')), ...sources(join(ROOT, 'libs'))]
      .filter((file) => readFileSync(file, 'utf8').includes('process.env'))
      .map((file) => relative(ROOT, file))
      .filter((file) => !ALLOWED.has(file));
    expect(readers).toEqual([]);
  });

  // Node fires a timer of more than 2^31-1 ms (24.8 days) after 1 ms instead, with only a warning on
  // stderr: EXPIRY_SWEEP_INTERVAL=30d started a broker that swept the event store every millisecond.
  // Every duration some timer waits for must refuse such a value at start-up, naming the variable.
  const TIMERS: readonly (readonly [string, string, Record<string, string>, new () => object])[] = [
    ['broker', 'PURCHASE_RECONCILE_INTERVAL', APPS[0].env, BrokerConfig],
    ['broker', 'REFUND_SWEEP_INTERVAL', APPS[0].env, BrokerConfig],
    ['broker', 'EXPIRY_SWEEP_INTERVAL', APPS[0].env, BrokerConfig],
    ['broker', 'EVENT_STORE_TIMEOUT_MS', APPS[0].env, BrokerConfig],
    ['vendor', 'BROKER_TIMEOUT', APPS[1].env, VendorConfig],
    ['redemption', 'REDEMPTION_CATCH_UP_TIMEOUT', APPS[2].env, RedemptionConfig],
    ['redemption', 'REDEMPTION_LEASE_TTL', APPS[2].env, RedemptionConfig],
    ['cis', 'CIS_PEER_TTL', APPS[3].env, CisConfig],
    ['peer', 'PEER_HEARTBEAT', APPS[4].env, PeerConfig],
  ];
  it.each(TIMERS)('%s refuses a %s longer than a Node timer can wait', (_app, variable, env, config) => {
    const tooLong = variable.endsWith('_MS') ? String(2 ** 31) : '25d';
    let error: unknown;
    try {
      loadConfig(config, { ...env, [variable]: tooLong });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.variable)).toEqual([variable]);
    expect((error as ConfigError).message).toMatch(/at most/);
    // A week still starts.
    expect(() =>
      loadConfig(config, { ...env, [variable]: variable.endsWith('_MS') ? '604800000' : '7d' }),
    ).not.toThrow();
  });
});
