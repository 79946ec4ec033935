import { describe, expect, it } from '@jest/globals';
import { IsString } from 'class-validator';
import { describeConfig } from './describe-config.js';
import { EnvVar } from './env-var.decorator.js';
import { loadConfig } from './load-config.js';
import { EventStoreConfig, NatsConfig, ServiceConfig } from './shared-config.js';

class VendorConfig extends ServiceConfig {
  @EnvVar({ name: 'VENDOR_ID', description: 'This vendor' })
  @IsString()
  vendorId!: string;
}

describe('ServiceConfig', () => {
  it('runs on defaults that reach the local NATS and Redis', () => {
    const config = loadConfig(VendorConfig, { VENDOR_ID: 'v1' });
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 3000,
      httpBodyLimit: 65536,
      natsServers: ['nats://127.0.0.1:4222'],
      redisUrl: 'redis://127.0.0.1:6379',
      vendorId: 'v1',
    });
  });

  it('is listed before the app variables, with the Redis URL marked secret', () => {
    const vars = describeConfig(VendorConfig);
    expect(vars.at(-1)?.name).toBe('VENDOR_ID');
    expect(vars.find((v) => v.name === 'REDIS_URL')?.secret).toBe(true);
  });

  it('refuses a port that is not an integer and a Redis URL with another scheme', () => {
    expect(() => loadConfig(VendorConfig, { VENDOR_ID: 'v1', PORT: '80.5', REDIS_URL: 'http://x' })).toThrow(
      /PORT: expected an integer, got "80.5"\n {2}- REDIS_URL: expected a URL with scheme redis: or rediss:, got <secret hidden>/,
    );
  });
});

describe('the shared config classes', () => {
  it('declare each NATS identity variable once, inherited by every level', () => {
    for (const cls of [NatsConfig, EventStoreConfig, ServiceConfig]) {
      const names = describeConfig(cls).map((v) => v.name);
      for (const name of ['NATS_URL', 'NATS_USER', 'NATS_PASSWORD', 'NATS_INBOX_PREFIX'])
        expect(names.filter((n) => n === name)).toHaveLength(1);
    }
  });

  it('declares LOG_LEVEL and refuses a bad one instead of falling back', () => {
    expect(loadConfig(ServiceConfig, { LOG_LEVEL: 'debug' }).logLevel).toBe('debug');
    expect(() => loadConfig(ServiceConfig, { LOG_LEVEL: 'chatty' })).toThrow(/LOG_LEVEL: must be one of/);
  });

  it('lists only what a subclass adds or redeclares when asked for its own variables', () => {
    class PortedConfig extends ServiceConfig {
      @EnvVar({ name: 'PORT', description: 'another port', type: 'integer', default: 4000 })
      declare port: number;
    }
    expect(describeConfig(PortedConfig, ServiceConfig).map((v) => v.name)).toEqual(['PORT']);
    expect(loadConfig(PortedConfig, {}).port).toBe(4000);
    // the base class's validators still apply to the redeclared variable
    expect(() => loadConfig(PortedConfig, { PORT: '70000' })).toThrow(/PORT: must not be greater than 65535/);
  });

  it('refuses eventstoredb without its connection string and a bad subject prefix, together', () => {
    expect(() =>
      loadConfig(ServiceConfig, { EVENT_STORE: 'eventstoredb', NATS_SUBJECT_PREFIX: 'a.*' }),
    ).toThrow(/2 problem\(s\)[\s\S]*EVENT_STORE: eventstoredb needs EVENTSTORE_CONNECTION_STRING/);
  });
});
