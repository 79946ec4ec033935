import {
  type DynamicModule,
  Global,
  Logger,
  Module,
  type ModuleMetadata,
  type Provider,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Redis } from 'ioredis';
import { createEventStore, type EventStore } from '#event-store';
import {
  CLOCK,
  type Clock,
  MetricsService,
  NATS_CONNECTION,
  NetPayExceptionFilter,
  REDIS,
  SystemClock,
} from '#platform';
import { createSigner } from '#protocol';
import type { BrokerClient } from '../broker/broker-client.js';
import { SealedValues } from '../debit-wallet/sealed-values.js';
import { NatsBrokerClient } from '../broker/nats-broker-client.js';
import {
  InMemoryWalletSliceStore,
  RedisWalletSliceStore,
  type WalletSliceStore,
} from '../debit-wallet/wallet-slice-store.js';
import { type HotChainStore, InMemoryHotChainStore } from '../engine/hot-chain-store.js';
import { RedisHotChainStore } from '../engine/redis-hot-chain-store.js';
import { VendorEngine } from '../engine/vendor-engine.js';
import { NatsHandOffTransport } from '../hand-off/nats-hand-off.js';
import {
  BROKER_CLIENT,
  NETPAY_VENDOR_OPTIONS,
  type NetPayVendorOptions,
  VENDOR_EVENT_STORE,
} from './netpay-vendor.options.js';
import { PaidGuard } from './paid.guard.js';
import { vendorObserver } from './vendor-metrics.js';
import { VendorRuntime } from './vendor-runtime.js';

const HOT_STORE = Symbol.for('netpay.vendor.hot-store');
const SLICE_STORE = Symbol.for('netpay.vendor.slice-store');
const WEEK_MS = 7 * 24 * 3_600_000;

export interface NetPayVendorAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  inject?: (string | symbol | (abstract new (...args: never[]) => unknown))[];
  useFactory: (...args: never[]) => NetPayVendorOptions | Promise<NetPayVendorOptions>;
}

/**
 * The NetPay payment engine as a plug-in: import it (with the platform's
 * `NatsModule` and, for the Redis hot store, `RedisModule`) and put
 * `@Paid(coins)` on any route. Registers the problem+json exception filter
 * (402 for an unpaid request, stable codes for refusals). Provides `VendorEngine` (spend, debit,
 * hand-off, chain views), serves hand-offs and the CRL on NATS.
 */
@Global()
@Module({})
export class NetPayVendorModule {
  static forRoot(options: NetPayVendorOptions): DynamicModule {
    return NetPayVendorModule.forRootAsync({ useFactory: () => options });
  }

  static forRootAsync(options: NetPayVendorAsyncOptions): DynamicModule {
    const providers: Provider[] = [
      { provide: NETPAY_VENDOR_OPTIONS, inject: options.inject ?? [], useFactory: options.useFactory },
      {
        provide: VENDOR_EVENT_STORE,
        inject: [NETPAY_VENDOR_OPTIONS],
        useFactory: (o: NetPayVendorOptions): EventStore | Promise<EventStore> =>
          'appendToStream' in o.eventStore ? o.eventStore : createEventStore(o.eventStore),
      },
      {
        provide: BROKER_CLIENT,
        inject: [NETPAY_VENDOR_OPTIONS],
        useFactory: (o: NetPayVendorOptions): BrokerClient | Promise<BrokerClient> =>
          o.brokerClient ??
          NatsBrokerClient.connect(
            o.natsServers,
            o.brokerTimeoutMs ?? 2_000,
            `vendor-${o.vendorId}-broker`,
            o.natsIdentity,
          ),
      },
      {
        provide: HOT_STORE,
        inject: [NETPAY_VENDOR_OPTIONS, { token: REDIS, optional: true }],
        useFactory: (o: NetPayVendorOptions, redis?: Redis): HotChainStore => {
          if (o.hotStore === 'memory') return new InMemoryHotChainStore();
          if (!redis)
            throw new Error('NetPayVendorModule: the Redis hot store needs RedisModule (token REDIS)');
          const logger = new Logger('HotChainStore');
          return new RedisHotChainStore(redis, {
            ttlMs: o.hotTtlMs ?? WEEK_MS,
            onError: (e) => logger.warn(`redis (falling back to the stream): ${String(e)}`),
          });
        },
      },
      {
        provide: SLICE_STORE,
        inject: [NETPAY_VENDOR_OPTIONS, { token: REDIS, optional: true }],
        useFactory: (o: NetPayVendorOptions, redis?: Redis): WalletSliceStore =>
          o.hotStore === 'memory' || !redis
            ? new InMemoryWalletSliceStore()
            : new RedisWalletSliceStore(
                redis,
                o.hotTtlMs ?? WEEK_MS,
                new SealedValues(o.signingKey.privateKey),
              ),
      },
      {
        provide: VendorEngine,
        inject: [
          NETPAY_VENDOR_OPTIONS,
          VENDOR_EVENT_STORE,
          BROKER_CLIENT,
          HOT_STORE,
          SLICE_STORE,
          NATS_CONNECTION,
          { token: CLOCK, optional: true },
          { token: MetricsService, optional: true },
        ],
        useFactory: (
          o: NetPayVendorOptions,
          store: EventStore,
          broker: BrokerClient,
          hot: HotChainStore,
          slices: WalletSliceStore,
          nc: NatsConnection,
          clock?: Clock,
          metrics?: MetricsService,
        ): VendorEngine => {
          const logger = new Logger('Vendor');
          return new VendorEngine({
            vendorId: o.vendorId,
            signer: createSigner(o.signingKey),
            clock: clock ?? new SystemClock(),
            store,
            hot,
            slices,
            broker,
            transport: new NatsHandOffTransport(nc),
            accepted: o.accepted,
            handOffTimeoutMs: o.handOffTimeoutMs,
            brokerKeys: o.brokerKeys,
            ...(o.brokerRootKeys ? { brokerRootKeys: o.brokerRootKeys } : {}),
            ...(o.checkoutCoins ? { checkoutCoins: o.checkoutCoins } : {}),
            ...(o.requestMaxAgeMs ? { requestMaxAgeMs: o.requestMaxAgeMs } : {}),
            observer: vendorObserver(o.vendorId, logger, metrics),
          });
        },
      },
      VendorRuntime,
      PaidGuard,
      // The plug-in brings its own problem+json filter: in a plain NestJS app the 402 challenge
      // (a NetPayError) would otherwise be answered 500. An app that sets its own global filters
      // (createHttpApp) keeps them: those registered later are tried first.
      { provide: APP_FILTER, useFactory: (): NetPayExceptionFilter => new NetPayExceptionFilter() },
    ];
    return {
      module: NetPayVendorModule,
      imports: options.imports ?? [],
      providers,
      exports: [VendorEngine, VendorRuntime, PaidGuard, NETPAY_VENDOR_OPTIONS],
    };
  }
}
