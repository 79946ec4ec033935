import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { describeConfig, loadConfig } from '#platform';
import { signingKeyFromPrivate, vendorRegistrationToken } from '#protocol';
import { BrokerConfig } from '../apps/broker/src/broker.config.js';
import { RedemptionConfig } from '../apps/redemption/src/redemption.config.js';
import { VendorConfig } from '../apps/vendor/src/vendor.config.js';
import { eventStoreSettingsFromEnv } from '#event-store';

interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string | number | boolean>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: unknown;
}

/** Applies YAML merge keys (`<<: *anchor`) the way Compose does; js-yaml 5 leaves them as keys. */
function merged(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(merged);
  if (value === null || typeof value !== 'object') return value;
  const { '<<': base, ...own } = value as Record<string, unknown>;
  const bases = base === undefined ? [] : Array.isArray(base) ? base : [base];
  const out: Record<string, unknown> = {};
  for (const b of bases) Object.assign(out, merged(b));
  for (const [k, v] of Object.entries(own)) out[k] = merged(v);
  return out;
}

const compose = merged(load(readFileSync(new URL('../docker-compose.yml', import.meta.url), 'utf8'))) as {
  services: Record<string, ComposeService>;
};
const services = compose.services;

/** Each app's compose services, by the entry its command runs. */
const APPS: Readonly<Record<string, new () => object>> = {
  'dist/apps/broker/src/main.js': BrokerConfig,
  'dist/apps/vendor/src/main.js': VendorConfig,
  'dist/apps/redemption/src/main.js': RedemptionConfig,
};

const appServices = Object.entries(services).flatMap(([name, s]) => {
  const entry = s.command?.find((part) => part.startsWith('dist/apps/'));
  const config = entry ? APPS[entry] : undefined;
  return config ? [{ name, service: s, config }] : [];
});

const envOf = (s: ComposeService): Record<string, string> =>
  Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, String(v)]));

/** host:container port pairs a service publishes. */
const containerPorts = (s: ComposeService): number[] =>
  (s.ports ?? []).map((p) => Number(p.split(':').pop()));

describe('docker-compose.yml against the services’ configuration', () => {
  it('runs the broker, three vendors and the redemption worker on KurrentDB, NATS and Redis', () => {
    const byApp = (entry: string): number =>
      appServices.filter((a) => a.service.command?.includes(entry)).length;
    expect(byApp('dist/apps/broker/src/main.js')).toBe(1);
    expect(byApp('dist/apps/vendor/src/main.js')).toBe(3);
    expect(byApp('dist/apps/redemption/src/main.js')).toBe(1);
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['kurrentdb', 'nats', 'redis']));
  });

  it.each(appServices.map((a) => [a.name, a] as const))(
    '%s sets every required variable validly',
    (_name, app) => {
      const env = envOf(app.service);
      const required = describeConfig(app.config).filter((v) => v.required);
      for (const v of required)
        expect({ [v.name]: env[v.name] ?? env[`${v.name}_FILE`] }).not.toEqual({ [v.name]: undefined });
      // The strongest check: the service's own validation accepts this environment.
      expect(() => loadConfig(app.config, env)).not.toThrow();
      expect(eventStoreSettingsFromEnv(env)).toMatchObject({ kind: 'eventstoredb' });
    },
  );

  it.each(appServices.map((a) => [a.name, a] as const))(
    '%s listens on the port it publishes and waits for what it uses',
    (_name, app) => {
      const env = envOf(app.service);
      expect(containerPorts(app.service)).toEqual([Number(env.PORT)]);
      expect(app.service.healthcheck).toBeDefined();
      for (const dependency of ['kurrentdb', 'nats', 'redis']) {
        expect(app.service.depends_on?.[dependency]?.condition).toBe('service_healthy');
      }
    },
  );

  it('points every URL at a compose service on the port that service listens on', () => {
    const listening: Record<string, number> = {
      kurrentdb: 2113,
      nats: 4222,
      redis: 6379,
      'redis-durable': 6379,
    };
    for (const a of appServices) listening[a.name] = Number(envOf(a.service).PORT);
    for (const a of appServices) {
      const env = envOf(a.service);
      for (const key of ['NATS_URL', 'REDIS_URL', 'BROKER_URL', 'EVENTSTORE_CONNECTION_STRING']) {
        if (!env[key]) continue;
        const url = new URL(env[key]);
        expect({ key, host: url.hostname, port: Number(url.port) }).toEqual({
          key,
          host: url.hostname,
          port: listening[url.hostname],
        });
      }
    }
    for (const name of ['kurrentdb', 'nats', 'redis', 'redis-durable']) {
      expect(containerPorts(services[name]!)).toContain(listening[name]);
    }
  });

  it('wires Redis by role: the broker and the redemption worker on the durable one, vendors on the cache', () => {
    const redisHost = (config: new () => object): string[] =>
      appServices
        .filter((a) => a.config === config)
        .map((a) => new URL(envOf(a.service).REDIS_URL ?? '').hostname);
    expect(redisHost(BrokerConfig)).toEqual(['redis-durable']);
    expect(redisHost(RedemptionConfig)).toEqual(['redis-durable']);
    expect(new Set(redisHost(VendorConfig))).toEqual(new Set(['redis']));
    const conf = (file: string): Record<string, string> =>
      Object.fromEntries(
        readFileSync(new URL(`../deploy/redis/${file}`, import.meta.url), 'utf8')
          .split('\n')
          .filter((line) => line.trim() !== '' && !line.startsWith('#'))
          .map((line) => [line.split(' ')[0]!, line.slice(line.indexOf(' ') + 1)]),
      );
    expect(conf('redis-durable.conf')).toMatchObject({ appendonly: 'yes', 'maxmemory-policy': 'noeviction' });
    expect(conf('redis-cache.conf')).toMatchObject({ appendonly: 'no', 'maxmemory-policy': 'allkeys-lru' });
    const mounted = (name: string): string => (services[name] as { volumes?: string[] }).volumes?.[0] ?? '';
    expect(mounted('redis-durable')).toContain('redis-durable.conf');
    expect(mounted('redis')).toContain('redis-cache.conf');
    expect(services['redis-durable']?.ports).toBeDefined();
  });

  it('gives vendors distinct ids, keys and ports, bank accounts the broker opens, and the broker’s own public key to redemption', () => {
    const vendors = appServices.filter((a) => a.config === VendorConfig).map((a) => envOf(a.service));
    expect(new Set(vendors.map((v) => v.VENDOR_ID)).size).toBe(vendors.length);
    expect(new Set(vendors.map((v) => v.VENDOR_KEY)).size).toBe(vendors.length);
    const broker = envOf(appServices.find((a) => a.config === BrokerConfig)!.service);
    const opened = (broker.BANK_ACCOUNTS ?? '').split(',').map((entry) => entry.split(':')[0]);
    for (const v of vendors) expect(opened).toContain(v.VENDOR_BANK_ACCOUNT);
    // Each vendor registers itself with its own token; none holds the operator's admin token.
    for (const v of vendors) {
      expect(Object.values(v)).not.toContain(broker.ADMIN_TOKEN);
      expect(v.VENDOR_REGISTRATION_TOKEN).toBe(vendorRegistrationToken(broker.BROKER_SECRET!, v.VENDOR_ID!));
    }
    const redemption = envOf(appServices.find((a) => a.config === RedemptionConfig)!.service);
    const brokerKey = signingKeyFromPrivate(broker.BROKER_KEY_ID!, broker.BROKER_SIGNING_KEY!);
    expect(redemption.BROKER_PUBLIC_KEYS).toBe(`${brokerKey.keyId}:${brokerKey.publicKey}`);
  });

  it('uses only top-level keys both compose clients load (Debian’s docker-compose 1.29 refuses `name`) and pins every image', () => {
    const raw = load(readFileSync(new URL('../docker-compose.yml', import.meta.url), 'utf8')) as Record<
      string,
      unknown
    >;
    const topLevel = Object.keys(raw).filter((k) => !k.startsWith('x-'));
    expect(topLevel.filter((k) => !['services', 'volumes', 'networks'].includes(k))).toEqual([]);
    const floating = Object.values(services)
      .map((s) => s.image)
      .filter((image): image is string => image !== undefined && image !== 'netpay:local')
      .filter((image) => !/:\d+\.\d+(\.\d+)?(-[a-z0-9.]+)?$/.test(image) || /:\d+-/.test(image));
    expect(floating).toEqual([]);
  });
});
