import { type DynamicModule, Module } from '@nestjs/common';
import type { EventStore } from '#event-store';
import { eventStoreSettings } from '#event-store';
import { type Clock, NatsModule, natsIdentityOptions, PlatformModule, RedisModule } from '#platform';
import { signingKeyFromPrivate } from '#protocol';
import type { BrokerClient } from './broker/broker-client.js';
import { CATALOGS } from './catalog/catalog.controllers.js';
import { DebitWalletHttpController } from './debit-wallet/debit-wallet.http.controller.js';
import { GetChainHttpController } from './get-chain/get-chain.http.controller.js';
import { NetPayVendorModule } from './netpay/netpay-vendor.module.js';
import { NoopHttpController } from './noop/noop.http.controller.js';
import { SelfRegistration } from './registration/self-registration.js';
import { ShopController } from './shop/shop.controller.js';
import { MobileShopController } from './mobile/mobile-shop.controller.js';
import { RevocationListLoader } from './revocation/revocation-list.loader.js';
import { SpendCoinsHttpController } from './spend-coins/spend-coins.http.controller.js';
import { keyIdOf, pinnedBrokerKeys, rootBrokerKeys, type VendorConfig } from './vendor.config.js';
import { VENDOR_CONFIG } from './vendor.tokens.js';

export const VENDOR_VERSION = '0.1.0';

/** What tests (and demos) replace: the clock, the store, the broker, the hot store. */
export interface VendorOverrides {
  readonly clock?: Clock;
  /** An event store instance (the caller closes it); from EVENT_STORE & co. otherwise. */
  readonly eventStore?: EventStore;
  readonly brokerClient?: BrokerClient;
  readonly hotStore?: 'redis' | 'memory';
}

/**
 * The vendor app: the NetPay engine plus its HTTP API (spends, debits,
 * chain views) and the demo content VENDOR_CATALOG selects. One image, many
 * vendors (VENDOR_ID, VENDOR_KEY) and replicas (same id, shared Redis).
 */
@Module({})
export class VendorModule {
  static forRoot(config: VendorConfig, overrides: VendorOverrides = {}): DynamicModule {
    const { vendorId } = config;
    return {
      module: VendorModule,
      imports: [
        PlatformModule.forRoot({
          name: 'vendor',
          version: VENDOR_VERSION,
          ...(overrides.clock ? { clock: overrides.clock } : {}),
        }),
        NatsModule.forRoot({
          servers: config.natsServers,
          name: `vendor-${vendorId}`,
          connection: natsIdentityOptions(config),
        }),
        // Auto-pipelining: the write-behind of many concurrent spends goes out in one round trip.
        RedisModule.forService(config, {
          keyPrefix: `${config.redisKeyPrefix}${vendorId}:`,
          client: { enableAutoPipelining: true },
        }),
        NetPayVendorModule.forRoot({
          vendorId,
          signingKey: signingKeyFromPrivate(keyIdOf(config), config.vendorKey),
          brokerKeys: pinnedBrokerKeys(config),
          brokerRootKeys: rootBrokerKeys(config),
          accepted: { currency: config.acceptCurrency, coinValue: config.acceptCoinValue },
          handOffTimeoutMs: config.handOffTimeoutMs,
          brokerTimeoutMs: config.brokerTimeoutMs,
          natsServers: config.natsServers,
          natsIdentity: natsIdentityOptions(config),
          eventStore: overrides.eventStore ?? eventStoreSettings(config),
          checkoutCoins: config.checkoutCoins,
          requestMaxAgeMs: config.requestMaxAgeMs,
          ...(overrides.hotStore ? { hotStore: overrides.hotStore } : {}),
          ...(overrides.brokerClient ? { brokerClient: overrides.brokerClient } : {}),
        }),
      ],
      controllers: [
        SpendCoinsHttpController,
        DebitWalletHttpController,
        GetChainHttpController,
        ...(config.noopRoute ? [NoopHttpController] : []),
        ...[...new Set(config.catalog)].map((name) => CATALOGS[name]),
        ShopController,
        MobileShopController,
      ],
      providers: [{ provide: VENDOR_CONFIG, useValue: config }, SelfRegistration, RevocationListLoader],
    };
  }
}
