import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
  Optional,
  type Provider,
} from '@nestjs/common';
import { createEventStore, type EventStore, type EventStoreSettings } from '#event-store';
import { CLOCK, type Clock, HealthRegistry } from '#platform';
import type { PaymentGateway } from './bank/payment-gateway.port.js';
import { SimulatedBank } from './bank/simulated-bank.js';
import { BrokerConfig } from './broker.config.js';
import { CheckoutTokens } from './authorise-vendor/checkout-tokens.js';
import { BrokerKeyRing, EPHEMERAL_KEY_WARNING } from './keys/broker-key-ring.js';
import { BrokerSecrets } from './shared/broker-secrets.js';
import { SeedCipher } from './shared/seed-cipher.js';
import { EVENT_STORE, PAYMENT_GATEWAY } from './shared/tokens.js';
import { TrackingEventStore } from './shared/tracking-event-store.js';

const OWNS_STORE = Symbol.for('netpay.broker.owns-event-store');

/** Closes the event store the module created (not one a test handed in) and reports readiness. */
@Injectable()
class EventStoreLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly store: TrackingEventStore,
    @Inject(OWNS_STORE) private readonly owned: boolean,
    @Optional() private readonly health?: HealthRegistry,
  ) {}

  onModuleInit(): void {
    this.health?.register('event-store', () => this.store.readStream('probe-broker', { maxCount: 1 }));
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.owned) await this.store.close();
  }
}

export function storeProviders(eventStore: EventStore | EventStoreSettings): Provider[] {
  const given = 'appendToStream' in eventStore;
  return [
    { provide: OWNS_STORE, useValue: !given },
    {
      provide: EVENT_STORE,
      useFactory: async (): Promise<TrackingEventStore> =>
        new TrackingEventStore(given ? eventStore : await createEventStore(eventStore)),
    },
    EventStoreLifecycle,
  ];
}

export function secretProviders(): Provider[] {
  return [
    {
      provide: BrokerSecrets,
      inject: [BrokerConfig],
      useFactory: (c: BrokerConfig) => new BrokerSecrets(c.brokerSecret),
    },
    {
      provide: SeedCipher,
      inject: [BrokerConfig],
      useFactory: (c: BrokerConfig) => new SeedCipher(c.walletEncryptionKey, c.walletEncryptionKeyId),
    },
    {
      provide: CheckoutTokens,
      inject: [BrokerSecrets],
      useFactory: (s: BrokerSecrets) => new CheckoutTokens(s),
    },
    {
      provide: BrokerKeyRing,
      inject: [BrokerConfig],
      useFactory: (c: BrokerConfig): BrokerKeyRing => {
        const ring = new BrokerKeyRing(c);
        if (ring.ephemeral) new Logger('BrokerKeys').warn(`!!! ${EPHEMERAL_KEY_WARNING}`);
        return ring;
      },
    },
  ];
}

/**
 * The simulated bank, and the payment gateway port bound to it unless a real one is given (or
 * `portElsewhere`: the Mobile-NetPay operator billing binds the port, in front of the bank).
 */
export function bankProviders(gateway?: PaymentGateway, portElsewhere = false): Provider[] {
  return [
    {
      provide: SimulatedBank,
      inject: [EVENT_STORE, CLOCK, BrokerConfig],
      useFactory: (store: EventStore, clock: Clock, c: BrokerConfig) =>
        new SimulatedBank(store, clock, c.bankMaxCharge),
    },
    ...(portElsewhere
      ? []
      : [
          gateway
            ? { provide: PAYMENT_GATEWAY, useValue: gateway }
            : { provide: PAYMENT_GATEWAY, useExisting: SimulatedBank },
        ]),
  ];
}
