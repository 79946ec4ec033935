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
      demoClockOffsetMs: 0,
    });
  });

  describe('DEMO_CLOCK_OFFSET', () => {
    const base = {
      ADMIN_TOKEN: 'x'.repeat(16),
      WALLET_ENCRYPTION_KEY: 'a'.repeat(64),
      BROKER_SECRET: 'b'.repeat(64),
    };
    const problemsOf = (env: Record<string, string>): string[] => {
      try {
        loadConfig(BrokerConfig, { ...base, ...env });
        return [];
      } catch (e) {
        return (e as ConfigError).problems.map((p) => `${p.variable}: ${p.message}`);
      }
    };

    it('moves the clock of a development broker', () => {
      expect(loadConfig(BrokerConfig, { ...base, DEMO_CLOCK_OFFSET: '3d' }).demoClockOffsetMs).toBe(
        3 * 86_400_000,
      );
      expect(problemsOf({ NODE_ENV: 'test', DEMO_CLOCK_OFFSET: '1h' })).toEqual([]);
    });

    it('is refused in production, under an unknown NODE_ENV, negative or beyond 400 days', () => {
      expect(problemsOf({ NODE_ENV: 'production', DEMO_CLOCK_OFFSET: '3d' })).toEqual([
        expect.stringMatching(/^DEMO_CLOCK_OFFSET: a clock offset is for demos only/),
      ]);
      expect(problemsOf({ NODE_ENV: 'staging', DEMO_CLOCK_OFFSET: '1s' })).toHaveLength(1);
      expect(problemsOf({ DEMO_CLOCK_OFFSET: '-1d' })).toEqual([
        expect.stringMatching(/^DEMO_CLOCK_OFFSET: expected a duration/),
      ]);
      expect(problemsOf({ DEMO_CLOCK_OFFSET: '401d' })).toHaveLength(1);
      // Zero (the default) is fine everywhere.
      expect(problemsOf({ NODE_ENV: 'production', DEMO_CLOCK_OFFSET: '0' })).toEqual([]);
    });
  });
});
