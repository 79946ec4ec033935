import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { redisEdge } from '../redis/redis-errors.js';
import type {
  BeginResult,
  CompletedRequest,
  IdempotencyRecord,
  IdempotencyStore,
} from './idempotency.store.js';

// Atomic "lock if absent, else tell me what is there" (SET NX PX with a read of the holder).
const BEGIN = `
local found = redis.call('GET', KEYS[1])
if found then return found end
redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])
return false`;

// Write the outcome only while we hold the lease, or when the lock expired and nobody took it.
const COMPLETE = `
local found = redis.call('GET', KEYS[1])
if found and cjson.decode(found).lease ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`;

const RELEASE = `
local found = redis.call('GET', KEYS[1])
if found and cjson.decode(found).lease == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * The scripts as ioredis commands (`defineCommand`): run by SHA-1 with EVALSHA, sent in full
 * only when Redis does not know them (after a restart or SCRIPT FLUSH), in pipelines too.
 */
interface IdempotencyCommands {
  netpayIdempotencyBegin(key: string, record: string, lockTtlMs: number): Promise<string | null>;
  netpayIdempotencyComplete(key: string, lease: string, record: string, ttlMs: number): Promise<number>;
  netpayIdempotencyRelease(key: string, lease: string): Promise<number>;
}

function withCommands(redis: Redis): Redis & IdempotencyCommands {
  // Defining a command again on the same client replaces it with the same script: harmless.
  redis.defineCommand('netpayIdempotencyBegin', { numberOfKeys: 1, lua: BEGIN });
  redis.defineCommand('netpayIdempotencyComplete', { numberOfKeys: 1, lua: COMPLETE });
  redis.defineCommand('netpayIdempotencyRelease', { numberOfKeys: 1, lua: RELEASE });
  return redis as Redis & IdempotencyCommands;
}

/**
 * Idempotency records in Redis, shared by every replica of a service. Keys live under
 * `prefix` (after the client's own `keyPrefix`); completed records expire after their TTL.
 */
export class RedisIdempotencyStore implements IdempotencyStore {
  private readonly redis: Redis & IdempotencyCommands;

  constructor(
    redis: Redis,
    private readonly prefix = 'idempotency:',
  ) {
    this.redis = withCommands(redis);
  }

  async begin(key: string, fingerprint: string, lockTtlMs: number): Promise<BeginResult> {
    const lease = randomUUID();
    const mine: IdempotencyRecord = { state: 'in_progress', fingerprint, lease };
    const found = await redisEdge('idempotency record', () =>
      this.redis.netpayIdempotencyBegin(this.prefix + key, JSON.stringify(mine), lockTtlMs),
    );
    if (found === null) return { state: 'acquired', lease };
    const record = JSON.parse(found) as IdempotencyRecord;
    return record.state === 'completed'
      ? { state: 'completed', fingerprint: record.fingerprint, outcome: record.outcome }
      : { state: 'in_progress', fingerprint: record.fingerprint };
  }

  async complete(key: string, lease: string, result: CompletedRequest, ttlMs: number): Promise<boolean> {
    const record: IdempotencyRecord = { state: 'completed', ...result };
    const written = await redisEdge('idempotency record', () =>
      this.redis.netpayIdempotencyComplete(this.prefix + key, lease, JSON.stringify(record), ttlMs),
    );
    return written === 1;
  }

  async release(key: string, lease: string): Promise<void> {
    await redisEdge('idempotency record', () =>
      this.redis.netpayIdempotencyRelease(this.prefix + key, lease),
    );
  }
}
