import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { RedisIdempotencyStore } from './redis-idempotency.store.js';

/** A Redis double that knows no script until one is sent in full, as after a restart. */
class ForgetfulRedis {
  readonly calls: string[] = [];
  private readonly loaded = new Set<string>();
  private readonly values = new Map<string, string>();

  evalsha(sha: string, _keys: number, key: string, ...args: (string | number)[]): Promise<unknown> {
    this.calls.push('evalsha');
    if (!this.loaded.has(sha)) return Promise.reject(new Error('NOSCRIPT No matching script.'));
    return Promise.resolve(this.run(key, args));
  }

  eval(lua: string, _keys: number, key: string, ...args: (string | number)[]): Promise<unknown> {
    this.calls.push('eval');
    this.loaded.add(sha1(lua));
    return Promise.resolve(this.run(key, args));
  }

  /** BEGIN only: lock if absent, else answer what is there. */
  private run(key: string, args: (string | number)[]): string | null {
    const found = this.values.get(key);
    if (found !== undefined) return found;
    this.values.set(key, String(args[0]));
    return null;
  }
}

function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

describe('RedisIdempotencyStore scripts', () => {
  it('runs its scripts by SHA-1 and sends one in full only when Redis does not know it', async () => {
    const redis = new ForgetfulRedis();
    const store = new RedisIdempotencyStore(redis as unknown as Redis);
    expect(await store.begin('k1', 'fp', 1_000)).toMatchObject({ state: 'acquired' });
    expect(await store.begin('k2', 'fp', 1_000)).toMatchObject({ state: 'acquired' });
    expect(await store.begin('k1', 'fp', 1_000)).toMatchObject({ state: 'in_progress', fingerprint: 'fp' });
    expect(redis.calls).toEqual(['evalsha', 'eval', 'evalsha', 'evalsha']);
  });
});
