import { describe, expect, it } from '@jest/globals';
import { IsString } from 'class-validator';
import { describeConfig } from './describe-config.js';
import { EnvVar } from './env-var.decorator.js';
import { loadConfig } from './load-config.js';
import { ServiceConfig } from './service-config.js';

class VendorConfig extends ServiceConfig {
  @EnvVar({ name: 'VENDOR_ID', description: 'This vendor' })
  @IsString()
  vendorId!: string;
}

describe('ServiceConfig', () => {
  it('runs on defaults that reach the local NATS and Redis', () => {
    const config = loadConfig(VendorConfig, { VENDOR_ID: 'v1' });
    expect(config).toMatchObject({
      httpHost: '0.0.0.0',
      httpPort: 3000,
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
