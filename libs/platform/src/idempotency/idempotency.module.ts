import { type DynamicModule, Global, Module, type Provider } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import type { Redis } from 'ioredis';
import { CLOCK, type Clock, SystemClock } from '../clock/clock.js';
import { REDIS } from '../redis/redis.module.js';
import { IdempotencyInterceptor } from './idempotency.interceptor.js';
import {
  DEFAULT_IDEMPOTENCY_OPTIONS,
  IDEMPOTENCY_OPTIONS,
  type IdempotencyOptions,
} from './idempotency.options.js';
import { IDEMPOTENCY_STORE, type IdempotencyStore } from './idempotency.store.js';
import { InMemoryIdempotencyStore } from './memory-idempotency.store.js';
import { RedisIdempotencyStore } from './redis-idempotency.store.js';

export interface IdempotencyModuleOptions extends Partial<IdempotencyOptions> {
  /**
   * `redis` (the client of `RedisModule`, shared by replicas), `memory` (one process: tests,
   * tools), or a store of your own. `redis` when omitted.
   */
  store?: 'redis' | 'memory' | IdempotencyStore;
  /** Key prefix inside Redis, after the client's own `keyPrefix`. */
  redisPrefix?: string;
}

/** Enables `@Idempotent()` routes app-wide (a global interceptor that ignores unmarked routes). */
@Global()
@Module({})
export class IdempotencyModule {
  static forRoot(options: IdempotencyModuleOptions = {}): DynamicModule {
    const { store = 'redis', redisPrefix, ...rest } = options;
    const resolved: IdempotencyOptions = { ...DEFAULT_IDEMPOTENCY_OPTIONS, ...rest };
    return {
      module: IdempotencyModule,
      providers: [
        { provide: IDEMPOTENCY_OPTIONS, useValue: resolved },
        storeProvider(store, redisPrefix),
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
      ],
      exports: [IDEMPOTENCY_STORE, IDEMPOTENCY_OPTIONS],
    };
  }
}

function storeProvider(store: 'redis' | 'memory' | IdempotencyStore, redisPrefix?: string): Provider {
  if (store === 'redis') {
    return {
      provide: IDEMPOTENCY_STORE,
      inject: [REDIS],
      useFactory: (redis: Redis): IdempotencyStore => new RedisIdempotencyStore(redis, redisPrefix),
    };
  }
  if (store === 'memory') {
    return {
      provide: IDEMPOTENCY_STORE,
      inject: [{ token: CLOCK, optional: true }],
      useFactory: (clock?: Clock): IdempotencyStore =>
        new InMemoryIdempotencyStore(clock ?? new SystemClock()),
    };
  }
  return { provide: IDEMPOTENCY_STORE, useValue: store };
}
