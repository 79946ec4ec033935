import {
  type DynamicModule,
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  type ModuleMetadata,
  type OnApplicationShutdown,
  type OnModuleInit,
  Optional,
} from '@nestjs/common';
import { Redis, type RedisOptions } from 'ioredis';
import { HealthRegistry } from '../health/health.registry.js';
import { redisRetryStrategy } from '../reconnect/reconnect-policy.js';

/** Nest injection token for the shared ioredis client. */
export const REDIS = Symbol.for('netpay.platform.redis');
const REDIS_OPTIONS = Symbol.for('netpay.platform.redis-options');

export const DEFAULT_REDIS_COMMAND_TIMEOUT_MS = 2_000;

export interface RedisModuleOptions {
  /** `redis://[:password@]host:port[/db]` or `rediss://` for TLS. */
  url: string;
  /** Prepended to every key (isolates services, tenants and tests sharing one Redis). */
  keyPrefix?: string;
  /**
   * How long a command may wait for its answer (REDIS_COMMAND_TIMEOUT, default 2 s); then it fails
   * as Redis being away (REDIS.UNAVAILABLE, 503). Without it a Redis that hangs — stopped, or
   * behind a network black hole — keeps its connection open, and every request waits for ever.
   */
  commandTimeoutMs?: number;
  /** Passed to ioredis as is (retry strategy, TLS); its `commandTimeout` wins over `commandTimeoutMs`. */
  client?: RedisOptions;
}

export interface RedisModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  inject?: (string | symbol | (abstract new (...args: never[]) => unknown))[];
  useFactory: (...args: never[]) => RedisModuleOptions | Promise<RedisModuleOptions>;
}

/** Registers the `redis` readiness check and closes the client when the app shuts down. */
@Injectable()
class RedisLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Optional() private readonly health?: HealthRegistry,
  ) {}

  onModuleInit(): void {
    this.health?.register('redis', async () => {
      if ((await this.redis.ping()) !== 'PONG') throw new Error('PING did not answer PONG');
    });
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.redis.status === 'end') return;
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** A shared ioredis client (token `REDIS`) for code that talks to Redis directly. */
@Global()
@Module({})
export class RedisModule {
  static forRoot(options: RedisModuleOptions): DynamicModule {
    return RedisModule.forRootAsync({ useFactory: () => options });
  }

  /**
   * A service's Redis from its configuration (REDIS_URL, REDIS_KEY_PREFIX, REDIS_COMMAND_TIMEOUT);
   * `more` overrides or adds (a vendor's own key prefix, client options).
   */
  static forService(
    config: {
      readonly redisUrl: string;
      readonly redisKeyPrefix: string;
      readonly redisCommandTimeoutMs: number;
    },
    more: Partial<RedisModuleOptions> = {},
  ): DynamicModule {
    return RedisModule.forRoot({
      url: config.redisUrl,
      keyPrefix: config.redisKeyPrefix,
      commandTimeoutMs: config.redisCommandTimeoutMs,
      ...more,
    });
  }

  static forRootAsync(options: RedisModuleAsyncOptions): DynamicModule {
    return {
      module: RedisModule,
      imports: options.imports ?? [],
      providers: [
        { provide: REDIS_OPTIONS, inject: options.inject ?? [], useFactory: options.useFactory },
        { provide: REDIS, inject: [REDIS_OPTIONS], useFactory: createRedis },
        RedisLifecycle,
      ],
      exports: [REDIS],
    };
  }
}

function createRedis(options: RedisModuleOptions): Redis {
  const redis = new Redis(options.url, {
    keyPrefix: options.keyPrefix,
    // Fail a command after a few reconnect attempts instead of queueing it for long: callers
    // (the hot index cache) fall back to the event store.
    maxRetriesPerRequest: 2,
    commandTimeout: options.commandTimeoutMs ?? DEFAULT_REDIS_COMMAND_TIMEOUT_MS,
    // Reconnect forever, the wait growing to a bound, with jitter.
    retryStrategy: redisRetryStrategy(),
    ...options.client,
  });
  // Listen at once: without a listener ioredis prints each reconnect failure itself, unformatted.
  const logger = new Logger('Redis');
  redis.on('error', (e: Error) => logger.warn(`redis: ${e.message}`));
  // Queue commands only until the first connection: after that, a command sent while Redis is
  // away fails at once (REDIS.UNAVAILABLE, or the cache's fallback) instead of every request
  // waiting out the reconnect attempts.
  if (options.client?.enableOfflineQueue === undefined) {
    redis.once('ready', () => {
      redis.options.enableOfflineQueue = false;
    });
  }
  return redis;
}
