import { describe, expect, it } from '@jest/globals';
import { MaxRetriesPerRequestError } from 'ioredis/built/errors/index.js';
import { mapError } from '../errors/problem.js';
import { ConfigError } from '../config/config-error.js';
import { natsReconnectOptions, reconnectPolicyFromEnv, redisRetryStrategy } from './reconnect-policy.js';

describe('reconnect policy', () => {
  it('reconnects to NATS forever (nats.js gives up after 10 attempts by default), wait and jitter bounded', () => {
    const options = natsReconnectOptions(reconnectPolicyFromEnv({ NATS_RECONNECT_WAIT_MS: '500' }));
    expect(options).toEqual({
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      reconnectJitter: 250,
      reconnectJitterTLS: 250,
    });
  });

  it('retries Redis forever, the wait growing to its bound with jitter', () => {
    const policy = reconnectPolicyFromEnv({ REDIS_RECONNECT_MAX_WAIT_MS: '1000' });
    const high = redisRetryStrategy(policy, () => 0.999);
    const low = redisRetryStrategy(policy, () => 0);
    for (let attempt = 1; attempt < 10_000; attempt *= 3) {
      expect(typeof high(attempt)).toBe('number');
      expect(high(attempt)).toBeLessThanOrEqual(1_000);
      expect(low(attempt)).toBeGreaterThanOrEqual(10);
    }
    expect(high(1)).toBeLessThan(high(20));
  });

  it('refuses bad values with one error naming each variable', () => {
    expect(() =>
      reconnectPolicyFromEnv({ NATS_RECONNECT_WAIT_MS: 'soon', REDIS_RECONNECT_MAX_WAIT_MS: '-1' }),
    ).toThrow(ConfigError);
    try {
      reconnectPolicyFromEnv({ NATS_RECONNECT_WAIT_MS: 'soon', REDIS_RECONNECT_MAX_WAIT_MS: '-1' });
    } catch (e) {
      expect((e as ConfigError).problems.map((p) => p.variable)).toEqual([
        'NATS_RECONNECT_WAIT_MS',
        'REDIS_RECONNECT_MAX_WAIT_MS',
      ]);
    }
    expect(reconnectPolicyFromEnv({})).toEqual({ natsWaitMs: 2_000, redisMaxWaitMs: 2_000 });
  });
});

describe('Redis away', () => {
  it('answers 503 REDIS.UNAVAILABLE, not 500 INTERNAL, when ioredis gave up on a command', () => {
    const mapping = mapError(new MaxRetriesPerRequestError(2));
    expect(mapping).toMatchObject({ status: 503, code: 'REDIS.UNAVAILABLE', unexpected: false });
    const offline = mapError(new Error("Stream isn't writeable and enableOfflineQueue options is false"));
    expect(offline).toMatchObject({ status: 503, code: 'REDIS.UNAVAILABLE' });
  });

  it('leaves other errors alone', () => {
    expect(mapError(new Error('boom'))).toMatchObject({ status: 500, code: 'INTERNAL' });
  });
});
