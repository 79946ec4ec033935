import { type DynamicModule, Module } from '@nestjs/common';
import type { EventStore, EventStoreSettings } from '#event-store';
import {
  type Clock,
  IdempotencyModule,
  NatsModule,
  natsIdentityOptions,
  OffsetClock,
  PlatformModule,
  RedisModule,
} from '#platform';
import { AuthoriseVendorHandler } from './authorise-vendor/authorise-vendor.handler.js';
import { SliceWithdrawals } from './authorise-vendor/slice-withdrawals.js';
import { AuthoriseVendorHttpController } from './authorise-vendor/authorise-vendor.http.controller.js';
import { BankAccountsBootstrap } from './bank/bank-accounts.bootstrap.js';
import { BankAdminHttpController } from './bank/bank-admin.http.controller.js';
import type { PaymentGateway } from './bank/payment-gateway.port.js';
import { BrokerConfig } from './broker.config.js';
import { bankProviders, secretProviders, storeProviders } from './broker.providers.js';
import { BuyCoinsHandler } from './buy-coins/buy-coins.handler.js';
import { PurchaseSettlement } from './buy-coins/purchase-settlement.js';
import { PurchaseReconciler } from './reconcile/purchase-reconciler.js';
import { ExpirySettlement } from './expiry/expiry-settlement.js';
import { ExpirySweeper } from './expiry/expiry.sweeper.js';
import { BuyCoinsHttpController } from './buy-coins/buy-coins.http.controller.js';
import { ChainIssuer } from './buy-coins/chain-issuer.js';
import { WalletSeeds } from './buy-coins/wallet-seeds.js';
import { CheckoutWalletHandler } from './checkout-wallet/checkout-wallet.handler.js';
import { CheckoutSignature } from './checkout-wallet/checkout-signature.js';
import { CheckoutWalletMessageController } from './checkout-wallet/checkout-wallet.message.controller.js';
import { CustomerIdentities } from './customer/customer-identities.js';
import { CustomerStandingHttpController } from './customer/customer-standing.http.controller.js';
import { CustomerStandings } from './customer/customer-standings.js';
import { GetBrokerKeysHttpController } from './get-broker-keys/get-broker-keys.http.controller.js';
import { GetBrokerKeysMessageController } from './get-broker-keys/get-broker-keys.message.controller.js';
import { GetTouchstoneHandler } from './get-touchstone/get-touchstone.handler.js';
import { GetTouchstoneHttpController } from './get-touchstone/get-touchstone.http.controller.js';
import { GetTouchstoneMessageController } from './get-touchstone/get-touchstone.message.controller.js';
import { GetVendorKeysHandler } from './get-vendor-keys/get-vendor-keys.handler.js';
import { VendorCertificates } from './vendor/vendor-certificates.js';
import { VendorStandingHttpController } from './vendor/vendor-standing.http.controller.js';
import { VendorStandings } from './vendor/vendor-standings.js';
import { GetVendorKeysHttpController } from './get-vendor-keys/get-vendor-keys.http.controller.js';
import { GetVendorKeysMessageController } from './get-vendor-keys/get-vendor-keys.message.controller.js';
import { RegisterCustomerHandler } from './register-customer/register-customer.handler.js';
import { RegisterCustomerHttpController } from './register-customer/register-customer.http.controller.js';
import { RegisterVendorHandler } from './register-vendor/register-vendor.handler.js';
import { RegisterVendorHttpController } from './register-vendor/register-vendor.http.controller.js';
import { RotateVendorKeyHandler } from './rotate-vendor-key/rotate-vendor-key.handler.js';
import { ShopOriginsHandler } from './shop-origins/shop-origins.handler.js';
import { ShopOriginsHttpController } from './shop-origins/shop-origins.http.controller.js';
import { RotateVendorKeyHttpController } from './rotate-vendor-key/rotate-vendor-key.http.controller.js';
import { RetireVendorKeyHandler } from './retire-vendor-key/retire-vendor-key.handler.js';
import { RetireVendorKeyHttpController } from './retire-vendor-key/retire-vendor-key.http.controller.js';
import { ReissueChainHandler } from './reissue-chain/reissue-chain.handler.js';
import { ReissueChainHttpController } from './reissue-chain/reissue-chain.http.controller.js';
import { RevocationBroadcaster } from './revoke-chain/revocation.broadcaster.js';
import { KeyListPublisher } from './keys/key-list.publisher.js';
import { CashOutHandler } from './cash-out/cash-out.handler.js';
import { RefundPayment } from './cash-out/refund-payment.js';
import { RefundSweeper } from './cash-out/refund.sweeper.js';
import { CashOutHttpController } from './cash-out/cash-out.http.controller.js';
import { RevokeChainHandler } from './revoke-chain/revoke-chain.handler.js';
import { RevokeChainHttpController } from './revoke-chain/revoke-chain.http.controller.js';
import { mobileParts } from './operator/operator.parts.js';
import { BrokerMetrics } from './shared/broker-metrics.js';
import { SiteController } from './site/site.controller.js';
import {
  GetWalletHistoryHandler,
  GetWalletHistoryHttpController,
} from './wallet-history/wallet-history.http.controller.js';
import { GetWalletHandler } from './wallet-view/get-wallet.handler.js';
import { GetWalletHttpController } from './wallet-view/get-wallet.http.controller.js';
import { WalletProjection } from './wallet-view/wallet.projection.js';

export const BROKER_VERSION = '0.1.0';

export interface BrokerModuleOptions {
  readonly config: BrokerConfig;
  /** The system clock (ahead by DEMO_CLOCK_OFFSET, if set) when omitted. */
  readonly clock?: Clock;
  /** A store the caller owns (tests), or settings for one the module creates and closes. */
  readonly eventStore: EventStore | EventStoreSettings;
  /** A real bank; the simulated bank (and its admin endpoints) when omitted. */
  readonly paymentGateway?: PaymentGateway;
  /** Where Idempotency-Key records live: Redis (default, shared by replicas) or memory. */
  readonly idempotencyStore?: 'redis' | 'memory';
  /** Connect to NATS to broadcast revocations (default true; unit tests run without NATS). */
  readonly nats?: boolean;
}

@Module({})
export class BrokerModule {
  static forRoot(options: BrokerModuleOptions): DynamicModule {
    const { config } = options;
    const redis = (options.idempotencyStore ?? 'redis') === 'redis';
    const simulatedBank = options.paymentGateway === undefined;
    const nats = options.nats ?? true;
    // BROKER_NETWORKS=mobile: also a Mobile-NetPay Service Provider (apps/broker/src/operator).
    const mobile = mobileParts(config, options.paymentGateway);
    // DEMO_CLOCK_OFFSET (demos only, refused in production by BrokerConfig): the broker "days later".
    const clock =
      options.clock ?? (config.demoClockOffsetMs > 0 ? new OffsetClock(config.demoClockOffsetMs) : undefined);
    return {
      module: BrokerModule,
      imports: [
        PlatformModule.forRoot({
          name: 'broker',
          version: BROKER_VERSION,
          ...(clock ? { clock } : {}),
        }),
        ...(redis ? [RedisModule.forService(config)] : []),
        IdempotencyModule.forRoot({ store: redis ? 'redis' : 'memory', ttlMs: config.idempotencyTtlMs }),
        ...(nats
          ? [
              NatsModule.forRoot({
                servers: config.natsServers,
                name: `${config.brokerId}-publisher`,
                connection: natsIdentityOptions(config),
              }),
            ]
          : []),
      ],
      controllers: [
        RegisterCustomerHttpController,
        BuyCoinsHttpController,
        GetTouchstoneHttpController,
        GetTouchstoneMessageController,
        GetBrokerKeysHttpController,
        GetBrokerKeysMessageController,
        RegisterVendorHttpController,
        RotateVendorKeyHttpController,
        ShopOriginsHttpController,
        RetireVendorKeyHttpController,
        GetVendorKeysHttpController,
        GetVendorKeysMessageController,
        VendorStandingHttpController,
        CustomerStandingHttpController,
        AuthoriseVendorHttpController,
        CheckoutWalletMessageController,
        GetWalletHttpController,
        GetWalletHistoryHttpController,
        RevokeChainHttpController,
        ReissueChainHttpController,
        CashOutHttpController,
        ...(simulatedBank ? [BankAdminHttpController] : []),
        ...mobile.controllers,
        SiteController,
      ],
      providers: [
        { provide: BrokerConfig, useValue: config },
        ...storeProviders(options.eventStore),
        ...secretProviders(),
        ...bankProviders(options.paymentGateway, mobile.providers.length > 0),
        ...mobile.providers,
        ...(simulatedBank ? [BankAccountsBootstrap] : []),
        BrokerMetrics,
        CustomerIdentities,
        RegisterCustomerHandler,
        WalletSeeds,
        ChainIssuer,
        PurchaseSettlement,
        BuyCoinsHandler,
        PurchaseReconciler,
        GetTouchstoneHandler,
        RegisterVendorHandler,
        RotateVendorKeyHandler,
        ShopOriginsHandler,
        RetireVendorKeyHandler,
        GetVendorKeysHandler,
        VendorCertificates,
        VendorStandings,
        CustomerStandings,
        AuthoriseVendorHandler,
        SliceWithdrawals,
        CheckoutWalletHandler,
        CheckoutSignature,
        WalletProjection,
        GetWalletHandler,
        GetWalletHistoryHandler,
        RevokeChainHandler,
        ReissueChainHandler,
        ...(nats ? [RevocationBroadcaster] : []),
        KeyListPublisher,
        CashOutHandler,
        RefundPayment,
        RefundSweeper,
        ExpirySettlement,
        ExpirySweeper,
      ],
    };
  }
}
