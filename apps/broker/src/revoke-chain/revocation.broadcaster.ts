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
import {
  type CheckpointStore,
  type EventStore,
  type GlobalPosition,
  type RecordedEvent,
  resubscribing,
  type Subscription,
  WriteBehindCheckpoints,
} from '#event-store';
import { decode } from '#events';
import { NATS_CONNECTION } from '#platform';
import { signRevocationNotice, verifyRevocationNotice } from '#protocol';
import { BrokerKeyRing } from '../keys/broker-key-ring.js';
import { chainAdmission } from '../shared/chain-stream.js';
import { EVENT_STORE } from '../shared/tokens.js';

export const REVOCATION_SUBSCRIPTION = 'broker-revocation-broadcast';

/** How often the broadcaster's checkpoints are written at most (they move past nearly every event). */
const CHECKPOINT_INTERVAL_MS = 1_000;

/** The event types each category's feed hands on; the server sends that category's events alone. */
const FEEDS = {
  chain: ['ChainRevoked'],
  vendor: ['VendorSuspended', 'VendorReinstated'],
  customer: ['CustomerRevoked', 'CustomerReinstated'],
} as const;
type FeedCategory = keyof typeof FEEDS;

/**
 * The checkpoint of one category's feed; before it has one, the position the single feed of
 * earlier releases (`REVOCATION_SUBSCRIPTION`, all three categories) had passed: every event up
 * to it was handled, so each category's feed goes on from there instead of sending every notice
 * of the log again.
 */
export class CategoryCheckpoints implements CheckpointStore {
  constructor(private readonly inner: CheckpointStore) {}

  async load(subscriptionId: string): Promise<GlobalPosition | undefined> {
    return (await this.inner.load(subscriptionId)) ?? this.inner.load(REVOCATION_SUBSCRIPTION);
  }

  store(subscriptionId: string, position: GlobalPosition): Promise<void> {
    return this.inner.store(subscriptionId, position);
  }
}

/**
 * Publishes every `ChainRevoked` as a broker-signed `RevocationNotice` on `subjects.revocation`,
 * and the signed notice of every `VendorSuspended` / `VendorReinstated` / `CustomerRevoked` /
 * `CustomerReinstated` (fraud response),
 * (plain JSON; vendors act only on notices a pinned broker key signed)
 * from catch-up subscriptions with durable checkpoints: a notice whose publish failed is sent
 * again after a restart, never lost. At least once (replicas each publish; vendors apply a
 * notice idempotently).
 *
 * One subscription per category, so that the server filters each (nats-server before 2.10 takes
 * one filter subject per consumer): a single one over three categories was sent every event of
 * the log, purchases and bank records included. Notices of different categories need no order
 * between them; within a category the log's order is kept. The chain feed still gets every chain
 * event (spends too), dropped by type before its body is read; a subscription stores the position
 * it passed at each idle spell — after nearly every spend on a live feed. The checkpoints are
 * therefore written behind, at most once a second and on shutdown: after a crash up to a
 * second's worth of events is read again and its notices, if any, sent again, which vendors
 * take in their stride.
 */
@Injectable()
export class RevocationBroadcaster implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Revocations');
  private subscriptions: Subscription[] = [];
  private checkpoints: WriteBehindCheckpoints | undefined;
  private readonly stopping = new AbortController();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly ring: BrokerKeyRing,
  ) {}

  onApplicationBootstrap(): void {
    this.checkpoints = new WriteBehindCheckpoints(
      new CategoryCheckpoints(this.store.checkpoints()),
      CHECKPOINT_INTERVAL_MS,
      (e) => this.logger.warn(`cannot store the revocation checkpoint yet: ${String(e)}`),
    );
    const checkpoints = this.checkpoints;
    this.subscriptions = (Object.keys(FEEDS) as FeedCategory[]).map((category) =>
      // Reopened from its checkpoint whenever it stops on an error (the store was away).
      resubscribing(
        () =>
          this.store.subscribeToAll({
            subscriptionId: `${REVOCATION_SUBSCRIPTION}-${category}`,
            filter: { categories: [category], eventTypes: [...FEEDS[category]] },
            checkpoints,
            handler: (recorded) => this.handle(recorded),
          }),
        {
          onError: (e) =>
            this.logger.warn(`revocation broadcast (${category}) stopped, reopening: ${String(e)}`),
        },
      ),
    );
  }

  private async handle(recorded: RecordedEvent): Promise<void> {
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
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping.abort(new Error('shutting down before the revocation notice was sent'));
    await Promise.all(this.subscriptions.map((subscription) => subscription.stop()));
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
