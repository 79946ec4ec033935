import { loadConfig } from '../config/load-config.js';
import { ReconnectConfig } from '../config/shared-config.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * How every NATS and Redis connection of a process comes back after its server went away:
 * forever, waiting a bounded time between attempts with jitter (so replicas do not all knock
 * at once). A dependency that returns after an hour is used again without a restart.
 */
export interface ReconnectPolicy {
  /** NATS: wait between reconnect attempts (plus up to half of it again as jitter). */
  readonly natsWaitMs: number;
  /** Redis: the longest wait between attempts; the wait grows from 50 ms up to it. */
  readonly redisMaxWaitMs: number;
}

export const DEFAULT_RECONNECT_POLICY: ReconnectPolicy = { natsWaitMs: 2_000, redisMaxWaitMs: 2_000 };

/**
 * Reads `NATS_RECONNECT_WAIT_MS` and `REDIS_RECONNECT_MAX_WAIT_MS` (declared once in
 * `ReconnectConfig`, which every service's config extends); a bad value stops the service at
 * start-up with a `ConfigError`.
 */
export function reconnectPolicyFromEnv(env: Env = process.env): ReconnectPolicy {
  return reconnectPolicyOf(loadConfig(ReconnectConfig, env));
}

/** The policy of a loaded configuration. */
export function reconnectPolicyOf(config: ReconnectConfig): ReconnectPolicy {
  return { natsWaitMs: config.natsReconnectWaitMs, redisMaxWaitMs: config.redisReconnectMaxWaitMs };
}

/** The nats.js connection options of the policy: never give up (nats.js stops after 10 by default). */
export function natsReconnectOptions(policy: ReconnectPolicy = reconnectPolicyFromEnv()): {
  maxReconnectAttempts: number;
  reconnectTimeWait: number;
  reconnectJitter: number;
  reconnectJitterTLS: number;
} {
  const jitter = Math.max(1, Math.round(policy.natsWaitMs / 2));
  return {
    maxReconnectAttempts: -1,
    reconnectTimeWait: policy.natsWaitMs,
    reconnectJitter: jitter,
    reconnectJitterTLS: jitter,
  };
}

/**
 * ioredis's retry strategy of the policy: retry forever, growing from 50 ms up to the bound, with
 * jitter. (ioredis gives up when the strategy returns a non-number; this one never does.)
 */
export function redisRetryStrategy(
  policy: ReconnectPolicy = reconnectPolicyFromEnv(),
  random: () => number = Math.random,
): (attempt: number) => number {
  return (attempt) => {
    const base = Math.min(50 * 2 ** Math.min(attempt, 16), policy.redisMaxWaitMs);
    return Math.max(10, Math.round(base / 2 + (random() * base) / 2));
  };
}
