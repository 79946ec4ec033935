import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import pRetry from 'p-retry';
import { type RevocationNotice, subjects } from '#contracts';
import { type EventStore, resubscribing, type Subscription, WriteBehindCheckpoints } from '#event-store';
import { decode } from '#events';
import { NATS_CONNECTION } from '#platform';
import { signRevocationNotice, verifyRevocationNotice } from '#protocol';
import { BrokerKeyRing } from '../keys/broker-key-ring.js';
import { chainAdmission } from '../shared/chain-stream.js';
import { EVENT_STORE } from '../shared/tokens.js';

export const REVOCATION_SUBSCRIPTION = 'broker-revocation-broadcast';

/** How often the broadcaster's checkpoint is written at most (it moves past nearly every event). */
const CHECKPOINT_INTERVAL_MS = 1_000;

/**
 * Publishes every `ChainRevoked` as a broker-signed `RevocationNotice` on `subjects.revocation`,
 * and the signed notice of every `VendorSuspended` / `VendorReinstated` / `CustomerRevoked` /
 * `CustomerReinstated` (fraud response),
 * (plain JSON; vendors act only on notices a pinned broker key signed)
 * from a catch-up subscription with a durable checkpoint: a notice whose publish failed is sent
 * again after a restart, never lost. At least once (replicas each publish; vendors apply a
 * notice idempotently).
 *
 * Its filter drops nearly every event (every chain event reaches it: the server filters by
 * category only), and a subscription stores the position it passed at each idle spell — after
 * nearly every spend on a live feed. The checkpoint is therefore written behind, at most once
 * a second and on shutdown: after a crash up to a second's worth of events is read again and
 * its notices, if any, sent again, which vendors take in their stride.
 */
@Injectable()
export class RevocationBroadcaster implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Revocations');
  private subscription: Subscription | undefined;
  private checkpoints: WriteBehindCheckpoints | undefined;
  private readonly stopping = new AbortController();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly ring: BrokerKeyRing,
  ) {}

  onApplicationBootstrap(): void {
    this.checkpoints = new WriteBehindCheckpoints(this.store.checkpoints(), CHECKPOINT_INTERVAL_MS, (e) =>
      this.logger.warn(`cannot store the revocation checkpoint yet: ${String(e)}`),
    );
    const checkpoints = this.checkpoints;
    // Reopened from its checkpoint whenever it stops on an error (the store was away).
    this.subscription = resubscribing(
      () =>
        this.store.subscribeToAll({
          subscriptionId: REVOCATION_SUBSCRIPTION,
          filter: {
            categories: ['chain', 'vendor', 'customer'],
            eventTypes: [
              'ChainRevoked',
              'VendorSuspended',
              'VendorReinstated',
              'CustomerRevoked',
              'CustomerReinstated',
            ],
          },
          checkpoints,
          handler: async (recorded) => {
            if (recorded.type === 'VendorSuspended' || recorded.type === 'VendorReinstated') {
              // A vendor's suspension or its lift: the notice the broker signed when it decided.
              const event = decode(recorded);
              if (event?.type !== 'VendorSuspended' && event?.type !== 'VendorReinstated') return;
              const notice = event.data.notice;
              if (recorded.streamName !== `vendor-${notice.id}`) return;
              if (!verifyRevocationNotice(notice, this.ring.publicKeys()).ok) return;
              await this.publish(notice);
              return;
            }
            if (recorded.type === 'CustomerRevoked' || recorded.type === 'CustomerReinstated') {
              // A customer's revocation or its lift (the customer stream is the broker's alone).
              const event = decode(recorded);
              if (event?.type !== 'CustomerRevoked' && event?.type !== 'CustomerReinstated') return;
              const notice = event.data.notice;
              if (notice.kind !== 'customer' || recorded.streamName !== `customer-${notice.id}`) return;
              if (!verifyRevocationNotice(notice, this.ring.publicKeys()).ok) return;
              await this.publish(notice);
              return;
            }
            // Only the broker's own revocations: a vendor may append a ChainRevoked to any chain.
            if (!chainAdmission(this.ring, recorded.streamName)(recorded)) return;
            const event = decode(recorded);
            if (event?.type !== 'ChainRevoked') return;
            const { chainId, reason, at } = event.data;
            const body = {
              kind: 'chain' as const,
              id: chainId,
              reason,
              at,
              brokerKeyId: this.ring.currentKeyId,
            };
            await this.publish(signRevocationNotice(body, this.ring.signer));
          },
        }),
      { onError: (e) => this.logger.warn(`revocation broadcast stopped, reopening: ${String(e)}`) },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping.abort(new Error('shutting down before the revocation notice was sent'));
    await this.subscription?.stop();
    await this.checkpoints?.flush();
  }

  /** Retries until NATS takes it: the checkpoint must not move past an unsent notice. */
  private async publish(notice: RevocationNotice): Promise<void> {
    await pRetry(
      async () => {
        this.nc.publish(subjects.revocation, JSON.stringify(notice));
        await this.nc.flush();
      },
      {
        retries: Infinity,
        minTimeout: 100,
        factor: 2,
        maxTimeout: 5_000,
        signal: this.stopping.signal,
        shouldRetry: () => true,
        onFailedAttempt: ({ error, attemptNumber }) => {
          if (attemptNumber === 1)
            this.logger.warn(`cannot publish revocation of ${notice.id} yet: ${String(error)}`);
        },
      },
    );
  }
}
