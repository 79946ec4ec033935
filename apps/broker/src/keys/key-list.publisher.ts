import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import pRetry from 'p-retry';
import type { EventStore } from '#event-store';
import { publishBrokerKeyList } from '#events';
import { CLOCK, type Clock } from '#platform';
import { createSigner, type Signer, type SignedBrokerKeyList } from '#protocol';
import { BrokerConfig } from '../broker.config.js';
import { brokerMetadata } from '../shared/metadata.js';
import { EVENT_STORE } from '../shared/tokens.js';
import { BrokerKeyRing } from './broker-key-ring.js';

/** Wait between attempts while the store is away (the broker heals by itself). */
const RETRY_MS = 5_000;

/**
 * Publishes the broker's root-signed key list (every working key, current first) to
 * `brokerkeys-list` at start, whenever it differs from the newest one there. Vendors and the
 * redemption worker pin only the root key and learn the working keys from this list, so a
 * rotation of BROKER_SIGNING_KEY needs no change of their configuration (deploy/README.md).
 */
@Injectable()
export class KeyListPublisher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('BrokerKeys');
  private readonly root: Signer | undefined;
  private readonly stopping = new AbortController();
  published: SignedBrokerKeyList | undefined;

  constructor(
    config: BrokerConfig,
    private readonly ring: BrokerKeyRing,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.root = config.rootSigningKey ? createSigner(config.rootKeyId, config.rootSigningKey) : undefined;
    this.brokerId = config.brokerId;
  }

  private readonly brokerId: string;

  async onApplicationBootstrap(): Promise<void> {
    if (this.root === undefined) {
      this.logger.warn(
        'BROKER_ROOT_SIGNING_KEY is not set: no broker key list is published; vendors and the ' +
          'redemption worker know only the keys pinned in their BROKER_PUBLIC_KEYS',
      );
      return;
    }
    await this.attempt();
  }

  onApplicationShutdown(): void {
    this.stopping.abort(new Error('shutting down'));
  }

  /** Publishes now; on a store error, again every few seconds (in the background) until it lands. */
  async attempt(): Promise<void> {
    if (this.root === undefined || this.stopping.signal.aborted) return;
    try {
      await this.publish(this.root);
    } catch (error) {
      this.logger.warn(`broker key list not published yet (${String(error)}); retrying`);
      void pRetry(() => this.publish(this.root!), {
        retries: Infinity,
        minTimeout: RETRY_MS,
        factor: 1,
        unref: true,
        signal: this.stopping.signal,
        shouldRetry: () => true,
        onFailedAttempt: ({ error }) =>
          this.logger.warn(`broker key list not published yet (${String(error)}); retrying`),
      }).catch(() => undefined);
    }
  }

  private async publish(root: Signer): Promise<void> {
    const { list, published } = await publishBrokerKeyList(this.store, {
      brokerId: this.brokerId,
      root,
      keys: this.ring.publicKeys(),
      at: this.clock.now().toISOString(),
      metadata: brokerMetadata(),
    });
    this.published = list;
    if (published)
      this.logger.log(
        `broker key list v${list.version} published: ${list.keys.map((k) => k.keyId).join(', ')}`,
      );
  }
}
