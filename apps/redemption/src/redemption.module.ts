import {
  type DynamicModule,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
  Optional,
  type Provider,
} from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import type { Redis } from 'ioredis';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import {
  createEventStore,
  type EventStore,
  type EventStoreSettings,
  InMemoryEventStore,
  InMemoryLeaseRegister,
  JetStreamEventStore,
  LeaderLease,
  type LeaseRegister,
} from '#event-store';
import { BrokerKeyBook } from '#events';
import { createSigner } from '#protocol';
import {
  CLOCK,
  type Clock,
  HealthRegistry,
  MetricsService,
  PlatformModule,
  REDIS,
  RedisModule,
} from '#platform';
import type { PaymentGateway } from '../../broker/src/bank/payment-gateway.port.js';
import { SimulatedBank } from '../../broker/src/bank/simulated-bank.js';
import { ClaimsHttpController } from './http/claims.http.controller.js';
import { NightsHttpController } from './http/nights.http.controller.js';
import { RedemptionScheduler } from './night/redemption-scheduler.js';
import { InMemoryRedemptionView } from './projection/in-memory-redemption-view.js';
import { RedisRedemptionView } from './projection/redis-redemption-view.js';
import type { RedemptionView } from './projection/redemption-view.js';
import {
  brokerKeyRecords,
  brokerRootKeyRecords,
  oldRecordKeys,
  RedemptionConfig,
} from './redemption.config.js';
import { followLease } from './lease/follow-lease.js';
import { createRedemptionWorker, type RedemptionWorker } from './redemption-worker.js';
import {
  REDEMPTION_GATEWAY,
  REDEMPTION_LEASE,
  REDEMPTION_STORE,
  REDEMPTION_VIEW,
  REDEMPTION_WORKER,
} from './tokens.js';

export const REDEMPTION_VERSION = '0.1.0';

export interface RedemptionModuleOptions {
  readonly config: RedemptionConfig;
  /** A store the caller owns (tests), or settings for one the module creates and closes. */
  readonly eventStore: EventStore | EventStoreSettings;
  /** The system clock when omitted. */
  readonly clock?: Clock;
  /** A real bank; the broker's simulated bank over the same store when omitted. */
  readonly paymentGateway?: PaymentGateway;
  /** Run the cut-off on its schedule (the CLI's one-shot run does not). Default: the config. */
  readonly schedule?: boolean;
}

const leaseLogger = new Logger('RedemptionLease');

const OWNS_STORE = Symbol.for('netpay.redemption.owns-store');

/** Starts the projection with the app, stops it (and closes an owned store) on shutdown. */
@Injectable()
class RedemptionLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(REDEMPTION_WORKER) private readonly worker: RedemptionWorker,
    @Inject(REDEMPTION_STORE) private readonly store: EventStore,
    @Inject(OWNS_STORE) private readonly owned: boolean,
    @Inject(REDEMPTION_LEASE) private readonly lease: LeaderLease | null,
    @Optional() private readonly health?: HealthRegistry,
  ) {}

  onModuleInit(): void {
    if (this.lease) {
      // A standby: alive, not ready, and it neither folds the view nor runs nights until it holds the lease.
      this.health?.register('redemption-lease', () => {
        this.lease?.assertHeld();
        return Promise.resolve();
      });
      this.lease.start();
    } else {
      this.worker.projection.start();
    }
    this.health?.register('event-store', () => this.store.readStream('probe-redemption', { maxCount: 1 }));
    // Not ready while the projection is restarting, replaying, behind, or lost its storage.
    this.health?.register('redemption-projection', async () => {
      await this.worker.projection.verify();
      const problem = await this.worker.projection.readinessProblem();
      if (problem !== undefined) throw new Error(problem);
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker.projection.stop();
    await this.lease?.stop();
    if (this.owned) await this.store.close();
  }
}

function providers(options: RedemptionModuleOptions): Provider[] {
  const { config } = options;
  const given = 'appendToStream' in options.eventStore;
  return [
    { provide: RedemptionConfig, useValue: config },
    { provide: OWNS_STORE, useValue: !given },
    {
      provide: REDEMPTION_STORE,
      useFactory: async (): Promise<EventStore> =>
        given ? options.eventStore : createEventStore(options.eventStore),
    },
    {
      provide: REDEMPTION_GATEWAY,
      inject: [REDEMPTION_STORE, CLOCK],
      useFactory: (store: EventStore, clock: Clock): PaymentGateway =>
        options.paymentGateway ?? new SimulatedBank(store, clock, config.bankMaxCharge),
    },
    config.viewStore === 'redis'
      ? {
          provide: REDEMPTION_VIEW,
          inject: [REDIS],
          useFactory: (redis: Redis): RedemptionView => new RedisRedemptionView(redis, config.viewName),
        }
      : { provide: REDEMPTION_VIEW, useFactory: (): RedemptionView => new InMemoryRedemptionView() },
    {
      provide: REDEMPTION_LEASE,
      inject: [REDEMPTION_STORE],
      useFactory: (store: EventStore): LeaderLease | null => createLease(config, store),
    },
    {
      provide: REDEMPTION_WORKER,
      inject: [
        REDEMPTION_STORE,
        REDEMPTION_VIEW,
        REDEMPTION_GATEWAY,
        CLOCK,
        MetricsService,
        REDEMPTION_LEASE,
      ],
      useFactory: (
        store: EventStore,
        view: RedemptionView,
        gateway: PaymentGateway,
        clock: Clock,
        metrics: MetricsService,
        lease: LeaderLease | null,
      ): RedemptionWorker => {
        const worker = createRedemptionWorker({
          store,
          view,
          gateway,
          clock,
          metrics,
          brokerKeys: brokerKeyRecords(config),
          keyBook:
            config.brokerRootPublicKeys.length > 0
              ? new BrokerKeyBook({
                  store,
                  rootKeys: brokerRootKeyRecords(config),
                  brokerId: config.brokerId,
                })
              : undefined,
          keyRetryDays: config.keyRetryDays,
          signer: createSigner(config.signingKeyId, config.signingKey),
          oldRecordKeys: oldRecordKeys(config),
          legacyUnsignedUntil: BigInt(config.legacyUnsignedUntil),
          timeZone: config.timeZone,
          subscriptionId: `redemption-view-${config.viewName}`,
          logger: new Logger('Redemption'),
          catchUpTimeoutMs: config.catchUpTimeoutMs,
          ...(lease ? { fence: lease } : {}),
        });
        if (lease) followLease(lease, worker.projection, leaseLogger);
        return worker;
      },
    },
    RedemptionLifecycle,
  ];
}

/**
 * The single-instance lease, in the event store it writes to (libs/event-store/src/lease/leader-lease.ts says why there):
 * JetStream's checkpoint stream, or memory with the in-memory store (one process anyway). None
 * with REDEMPTION_LEASE=none, or on a store that has no compare-and-set register (EventStoreDB):
 * then run exactly one instance.
 */
function createLease(config: RedemptionConfig, store: EventStore): LeaderLease | null {
  if (config.lease === 'none') return null;
  const name = `redemption-${config.viewName}`;
  const register: LeaseRegister | undefined =
    store instanceof JetStreamEventStore
      ? store.leaseRegister(name)
      : store instanceof InMemoryEventStore
        ? new InMemoryLeaseRegister()
        : undefined;
  if (!register) {
    leaseLogger.warn('this event store has no lease register: run exactly one redemption worker');
    return null;
  }
  return new LeaderLease(register, {
    holder: config.instanceId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
    ttlMs: config.leaseTtlMs,
    onError: (error) =>
      leaseLogger.warn(`lease step failed: ${error instanceof Error ? error.message : String(error)}`),
  });
}

/**
 * The redemption worker: the projection (its own process), the nightly cut-off, and the
 * operator and vendor-claim HTTP calls. Operated by the broker: it holds the bank's credentials.
 */
@Module({})
export class RedemptionModule {
  static forRoot(options: RedemptionModuleOptions): DynamicModule {
    const { config } = options;
    const schedule = options.schedule ?? config.scheduleEnabled;
    return {
      module: RedemptionModule,
      imports: [
        PlatformModule.forRoot({
          name: 'redemption',
          version: REDEMPTION_VERSION,
          ...(options.clock ? { clock: options.clock } : {}),
        }),
        ...(config.viewStore === 'redis' ? [RedisModule.forService(config)] : []),
        ...(schedule ? [ScheduleModule.forRoot()] : []),
      ],
      controllers: [NightsHttpController, ClaimsHttpController],
      providers: [...providers(options), ...(schedule ? [RedemptionScheduler] : [])],
      exports: [REDEMPTION_WORKER],
    };
  }
}
