import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
  Optional,
} from '@nestjs/common';
import type { NatsConnection } from '@nats-io/nats-core';
import type { EventStore } from '#event-store';
import { HealthRegistry, NATS_CONNECTION } from '#platform';
import type { BrokerClient } from '../broker/broker-client.js';
import { NatsBrokerClient } from '../broker/nats-broker-client.js';
import { VendorEngine } from '../engine/vendor-engine.js';
import { handOffResponder } from '../hand-off/hand-off.responder.js';
import { NatsHandOffServer } from '../hand-off/nats-hand-off.js';
import { RevocationListener } from '../revocation/revocation.listener.js';
import {
  BROKER_CLIENT,
  NETPAY_VENDOR_OPTIONS,
  type NetPayVendorOptions,
  VENDOR_EVENT_STORE,
} from './netpay-vendor.options.js';

/**
 * Starts what a vendor serves on NATS (hand-offs in its queue group, the CRL
 * on every replica) once the app is built, and stops it on shutdown.
 */
@Injectable()
export class VendorRuntime implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Vendor');
  private readonly handOffs: NatsHandOffServer;
  private readonly revocations: RevocationListener;

  constructor(
    readonly engine: VendorEngine,
    @Inject(NATS_CONNECTION) nc: NatsConnection,
    @Inject(NETPAY_VENDOR_OPTIONS) private readonly options: NetPayVendorOptions,
    @Inject(VENDOR_EVENT_STORE) private readonly store: EventStore,
    @Inject(BROKER_CLIENT) private readonly broker: BrokerClient,
    @Optional() private readonly health?: HealthRegistry,
  ) {
    const unexpected = (error: unknown): void => this.logger.error(`hand-off failed: ${String(error)}`);
    const refused = (code: string): void => engine.observer.messageRefused?.('hand-off', code);
    this.handOffs = new NatsHandOffServer(
      nc,
      engine.vendorId,
      handOffResponder(engine.handOff, unexpected, refused),
    );
    this.revocations = new RevocationListener(
      nc,
      engine.revocations,
      engine.keys,
      (n) =>
        n.lifted
          ? this.logger.log(`lifted the revocation of ${n.kind} ${n.id}: ${n.reason}`)
          : this.logger.warn(`revoked ${n.kind} ${n.id}: ${n.reason}`),
      (dropped) => {
        engine.observer.messageRefused?.('revocation', dropped.reason);
        this.logger.warn(`dropped a revocation notice (${dropped.reason}): ${dropped.message}`);
      },
    );
  }

  onModuleInit(): void {
    this.handOffs.start();
    this.revocations.start();
    // Best effort: the first hand-off then needs no broker call (fetched again when needed).
    this.engine.certificate.get().catch((error: unknown) => {
      this.logger.debug?.(`no key certificate yet (fetched on first hand-off): ${String(error)}`);
    });
    // The broker's key list (when a root key is pinned): read now, again on an unknown key id.
    this.engine.keys.refresh(true).catch((error: unknown) => {
      this.logger.warn(`broker key list not read yet (read again on first use): ${String(error)}`);
    });
    this.health?.register('event-store', async () => {
      await this.store.readStream('chain-health', { direction: 'backwards', maxCount: 1 });
    });
  }

  /** Stops answering hand-offs, as a holder that went away (tests of the claim path). */
  stopHandOffs(): Promise<void> {
    return this.handOffs.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.handOffs.stop();
    this.revocations.stop();
    if (this.broker instanceof NatsBrokerClient && !this.options.brokerClient) await this.broker.close();
    // Only a store this module connected is closed here.
    if (!('appendToStream' in this.options.eventStore)) await this.store.close();
  }
}
