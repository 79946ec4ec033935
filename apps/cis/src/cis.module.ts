import {
  type DynamicModule,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
  Optional,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { createEventStore, type EventStore, type EventStoreSettings } from '#event-store';
import {
  CLOCK,
  type Clock,
  HealthRegistry,
  IdempotencyModule,
  PlatformModule,
  REDIS,
  RedisModule,
} from '#platform';
import { createSigner } from '#protocol';
import { CisConfig } from './cis.config.js';
import { CisController } from './cis.controller.js';
import { CisCore, MemoryNonceGuard, type NonceGuard } from './cis.core.js';

export const CIS_VERSION = '0.1.0';
const CIS_STORE = Symbol.for('netpay.cis.event-store');
const OWNS_STORE = Symbol.for('netpay.cis.owns-store');

/** Call nonces in Redis (SET NX PX): every CIS replica refuses a replayed call. */
class RedisNonceGuard implements NonceGuard {
  constructor(private readonly redis: Redis) {}
  async firstUse(nonce: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(`nonce:${nonce}`, '1', 'PX', ttlMs, 'NX')) === 'OK';
  }
}

@Injectable()
class CisLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Cis');
  private timer: NodeJS.Timeout | undefined;
  constructor(
    private readonly core: CisCore,
    private readonly config: CisConfig,
    @Inject(CIS_STORE) private readonly store: EventStore,
    @Inject(OWNS_STORE) private readonly owned: boolean,
    @Optional() private readonly health?: HealthRegistry,
  ) {}

  async onModuleInit(): Promise<void> {
    this.health?.register('event-store', () => this.store.readStream('probe-cis', { maxCount: 1 }));
    const entries = await this.core.rebuildIndex();
    this.logger.log(`index rebuilt from the events: ${entries} entries`);
    const every = Math.max(500, Math.floor(this.config.peerTtlMs / 3));
    this.timer = setInterval(() => {
      this.core.sweepOffline().then(
        (gone) => gone.length > 0 && this.logger.log(`offline peers' content withdrawn: ${gone.join(', ')}`),
        (error: unknown) => this.logger.warn(`offline sweep failed (retried): ${String(error)}`),
      );
    }, every);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.owned) await this.store.close();
  }
}

export interface CisModuleOptions {
  readonly config: CisConfig;
  readonly eventStore: EventStore | EventStoreSettings;
  readonly clock?: Clock;
  /** Redis (default) or memory for Idempotency-Key records and call nonces. */
  readonly redis?: boolean;
}

@Module({})
export class CisModule {
  static forRoot(options: CisModuleOptions): DynamicModule {
    const { config } = options;
    const redis = options.redis ?? true;
    const given = 'appendToStream' in options.eventStore;
    return {
      module: CisModule,
      imports: [
        PlatformModule.forRoot({
          name: 'cis',
          version: CIS_VERSION,
          ...(options.clock ? { clock: options.clock } : {}),
        }),
        ...(redis ? [RedisModule.forService(config)] : []),
        IdempotencyModule.forRoot({
          store: redis ? 'redis' : 'memory',
          ttlMs: config.idempotencyTtlMs,
          // Peers sign their calls instead of sending credentials: a key is scoped to the pseudonym
          // the path names, so one peer's key never blocks another's (each call's signature is
          // checked in the route; a refused one keeps nothing).
          principal: pseudonymPrincipal,
        }),
      ],
      controllers: [CisController],
      providers: [
        { provide: CisConfig, useValue: config },
        { provide: OWNS_STORE, useValue: !given },
        {
          provide: CIS_STORE,
          useFactory: async (): Promise<EventStore> =>
            given ? options.eventStore : createEventStore(options.eventStore),
        },
        {
          provide: CisCore,
          inject: [CIS_STORE, CLOCK, ...(redis ? [REDIS] : [])],
          useFactory: (store: EventStore, clock: Clock, client?: Redis) =>
            new CisCore(
              store,
              clock,
              createSigner(config.keyId, config.signingKey),
              Buffer.from(config.secret, 'hex'),
              {
                mode: config.mode,
                currency: config.currency,
                coinValue: config.coinValue,
                chainExpiresInDays: config.chainExpiresInDays,
                maxCoinsPerPurchase: config.maxCoinsPerPurchase,
                policyBase: config.policyBase,
                policyMultiple: config.policyMultiple,
                policyPeriodMs: config.policyPeriodMs,
                nominalGrant: config.nominalGrant,
                doubleSpendPolicy: config.doubleSpendPolicy,
                certificateDays: config.certificateDays,
                callWindowMs: config.callWindowMs,
                peerTtlMs: config.peerTtlMs,
              },
              client ? new RedisNonceGuard(client) : new MemoryNonceGuard(clock),
            ),
        },
        CisLifecycle,
      ],
    };
  }
}

/** The Idempotency-Key scope of a CIS call: the pseudonym in its path, or anonymous. */
export function pseudonymPrincipal(request: FastifyRequest): string {
  const { pseudonym } = (request.params ?? {}) as { pseudonym?: unknown };
  return typeof pseudonym === 'string' ? `peer:${pseudonym}` : 'anonymous';
}
