import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
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
 * Idempotency records in Redis, shared by every replica of a service. Keys live under
 * `prefix` (after the client's own `keyPrefix`); completed records expire after their TTL.
 */
export class RedisIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'idempotency:',
  ) {}

  async begin(key: string, fingerprint: string, lockTtlMs: number): Promise<BeginResult> {
    const lease = randomUUID();
    const mine: IdempotencyRecord = { state: 'in_progress', fingerprint, lease };
    const found = (await this.redis.eval(BEGIN, 1, this.prefix + key, JSON.stringify(mine), lockTtlMs)) as
      string | null;
    if (found === null) return { state: 'acquired', lease };
    const record = JSON.parse(found) as IdempotencyRecord;
    return record.state === 'completed'
      ? { state: 'completed', fingerprint: record.fingerprint, outcome: record.outcome }
      : { state: 'in_progress', fingerprint: record.fingerprint };
  }

  async complete(key: string, lease: string, result: CompletedRequest, ttlMs: number): Promise<boolean> {
    const record: IdempotencyRecord = { state: 'completed', ...result };
    const written = await this.redis.eval(
      COMPLETE,
      1,
      this.prefix + key,
      lease,
      JSON.stringify(record),
      ttlMs,
    );
    return written === 1;
  }

  async release(key: string, lease: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.prefix + key, lease);
  }
}
