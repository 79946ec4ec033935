import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { redisEdge } from '../redis/redis-errors.js';
import type {
  BeginResult,
  CompletedRequest,
  IdempotencyRecord,
  IdempotencyStore,
} from './idempotency.store.js';

/**
 * A Lua script run by its SHA-1 (EVALSHA: the script's text is not sent, nor hashed by Redis,
 * on every call), loaded with EVAL the first time Redis does not know it (NOSCRIPT).
 */
class Script {
  private readonly sha: string;

  constructor(private readonly lua: string) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  async run(redis: Redis, key: string, ...args: (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, 1, key, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(this.lua, 1, key, ...args);
    }
  }
}

// Atomic "lock if absent, else tell me what is there" (SET NX PX with a read of the holder).
const BEGIN = new Script(`
local found = redis.call('GET', KEYS[1])
if found then return found end
redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])
return false`);

// Write the outcome only while we hold the lease, or when the lock expired and nobody took it.
const COMPLETE = new Script(`
local found = redis.call('GET', KEYS[1])
if found and cjson.decode(found).lease ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`);

const RELEASE = new Script(`
local found = redis.call('GET', KEYS[1])
if found and cjson.decode(found).lease == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0`);

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
    const found = (await redisEdge('idempotency record', () =>
      BEGIN.run(this.redis, this.prefix + key, JSON.stringify(mine), lockTtlMs),
    )) as string | null;
    if (found === null) return { state: 'acquired', lease };
    const record = JSON.parse(found) as IdempotencyRecord;
    return record.state === 'completed'
      ? { state: 'completed', fingerprint: record.fingerprint, outcome: record.outcome }
      : { state: 'in_progress', fingerprint: record.fingerprint };
  }

  async complete(key: string, lease: string, result: CompletedRequest, ttlMs: number): Promise<boolean> {
    const record: IdempotencyRecord = { state: 'completed', ...result };
    const written = await redisEdge('idempotency record', () =>
      COMPLETE.run(this.redis, this.prefix + key, lease, JSON.stringify(record), ttlMs),
    );
    return written === 1;
  }

  async release(key: string, lease: string): Promise<void> {
    await redisEdge('idempotency record', () => RELEASE.run(this.redis, this.prefix + key, lease));
  }
}
