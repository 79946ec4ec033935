import { ConfigError } from '../config/config-error.js';

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
 * Reads `NATS_RECONNECT_WAIT_MS` and `REDIS_RECONNECT_MAX_WAIT_MS` (shared by every service, like
 * the event store's variables); a bad value stops the service at start-up.
 */
export function reconnectPolicyFromEnv(env: Env = process.env): ReconnectPolicy {
  const problems: { variable: string; message: string }[] = [];
  const read = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (Number.isSafeInteger(value) && value >= 10 && value <= 600_000) return value;
    problems.push({
      variable: name,
      message: `must be an integer of milliseconds in 10..600000, got "${raw}"`,
    });
    return fallback;
  };
  const policy = {
    natsWaitMs: read('NATS_RECONNECT_WAIT_MS', DEFAULT_RECONNECT_POLICY.natsWaitMs),
    redisMaxWaitMs: read('REDIS_RECONNECT_MAX_WAIT_MS', DEFAULT_RECONNECT_POLICY.redisMaxWaitMs),
  };
  if (problems.length > 0) throw new ConfigError('reconnect', problems);
  return policy;
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
