import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '#platform';
import { BrokerConfig } from './broker.config.js';

describe('BrokerConfig', () => {
  it('lists every missing or bad variable at once, without echoing secrets', () => {
    let error: unknown;
    try {
      loadConfig(BrokerConfig, {
        WALLET_ENCRYPTION_KEY: 'not-hex-secret-value',
        CHAIN_ALG: 'sha1',
        BANK_ACCOUNTS: 'bad',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.map((p) => p.variable);
    expect(problems).toEqual(
      expect.arrayContaining([
        'ADMIN_TOKEN',
        'WALLET_ENCRYPTION_KEY',
        'BROKER_SECRET',
        'CHAIN_ALG',
        'BANK_ACCOUNTS',
      ]),
    );
    expect((error as Error).message).not.toContain('not-hex-secret-value');
  });

  it('applies the documented defaults', () => {
    const config = loadConfig(BrokerConfig, {
      ADMIN_TOKEN: 'x'.repeat(16),
      WALLET_ENCRYPTION_KEY: 'a'.repeat(64),
      BROKER_SECRET: 'b'.repeat(64),
    });
    expect(config).toMatchObject({
      port: 3000,
      chainAlg: 'sha256',
      chainExpiryDays: 90,
      chainMaxLength: 10_000,
      currencies: ['EUR', 'NZD', 'USD'],
      checkoutTokenTtlMs: 30 * 86_400_000,
      natsServers: ['nats://127.0.0.1:4222'],
    });
  });
});
