import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
  Optional,
} from '@nestjs/common';
import {
  type GlobalPosition,
  InMemoryCheckpointStore,
  type RecordedEvent,
  resubscribing,
  type Subscription,
} from '#event-store';
import { decode, type StoredEvent } from '#events';
import { HealthRegistry, MetricsService, traceProjected } from '#platform';
import { BrokerKeyRing } from '../keys/broker-key-ring.js';
import { BROKER_ERROR, brokerError } from '../shared/broker-errors.js';
import { chainAdmission, isChainStream } from '../shared/chain-stream.js';
import { EVENT_STORE } from '../shared/tokens.js';
import type { TrackingEventStore } from '../shared/tracking-event-store.js';
import { WalletHistoryReadModel } from '../wallet-history/wallet-history.read-model.js';
import { WalletReadModel } from './wallet.read-model.js';

/**
 * Keeps `WalletReadModel` up to date through a catch-up subscription over every event. The
 * model lives in memory and is rebuilt from the store at each start (an in-memory checkpoint),
 * so it can never disagree with the stream it was built from. `waitFor(position)` gives reads
 * after writes: the answer includes everything up to that position.
 */
@Injectable()
export class WalletProjection implements OnModuleInit, OnApplicationShutdown {
  readonly model = new WalletReadModel();
  /** Customers' transaction histories, folded from the same events (`GET /wallet/history`). */
  readonly history = new WalletHistoryReadModel();
  private readonly logger = new Logger('WalletProjection');
  private subscription: Subscription | undefined;
  private position: GlobalPosition = 0n;
  private caughtUp = false;
  private readonly waiters = new Set<() => void>();
  private readonly followers: ((event: StoredEvent) => void)[] = [];

  constructor(
    @Inject(EVENT_STORE) private readonly store: TrackingEventStore,
    private readonly ring: BrokerKeyRing,
    @Optional() private readonly health?: HealthRegistry,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  onModuleInit(): void {
    // One checkpoint store across reopenings: after the store was away the view goes on from
    // where it was instead of stopping for good.
    const checkpoints = new InMemoryCheckpointStore();
    const subscriptionId = `broker-wallet-view-${randomUUID()}`;
    this.subscription = resubscribing(
      () =>
        this.store.subscribeToAll({
          subscriptionId,
          checkpoints,
          handler: (recorded) => this.apply(recorded),
          onCaughtUp: () => {
            this.caughtUp = true;
            this.notify();
          },
        }),
      { onError: (e) => this.logger.warn(`wallet projection stopped, reopening: ${String(e)}`) },
    );
    this.health?.register('wallet-projection', () => {
      if (!this.caughtUp) throw new Error('still replaying the event store');
    });
    const caughtUp = this.metrics?.gauge(
      'netpay_projection_caught_up',
      'The projection has folded the log up to its head (1) or not (0).',
      ['projection'],
    );
    if (caughtUp)
      caughtUp.collect = () => caughtUp.set(this.caughtUp ? 1 : 0, { projection: 'broker-wallet' });
  }

  private async apply(recorded: RecordedEvent): Promise<void> {
    const startedAt = Date.now();
    // A broker-typed chain event is believed only with the broker's signature (vendors may append).
    const admitted =
      !isChainStream(recorded.streamName) || chainAdmission(this.ring, recorded.streamName)(recorded);
    const event = admitted ? decode(recorded) : undefined;
    if (event) {
      this.model.apply(event);
      this.history.apply(event);
      for (const follow of this.followers) follow(event);
    }
    traceProjected('broker-wallet-projection', [recorded], startedAt);
    this.position = recorded.position;
    this.notify();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.stop();
  }

  /**
   * `follow` sees every event the model folds, in the log's order, from the first (register it
   * before the module starts: in a constructor). One feed for the broker's in-memory views: a
   * second subscription would have nats-server deliver the same events again (the purchase
   * reconciler had its own: two more deliveries and decodes per purchase).
   */
  follow(follow: (event: StoredEvent) => void): void {
    this.followers.push(follow);
  }

  /** The last position folded into the model. */
  currentPosition(): GlobalPosition {
    return this.position;
  }

  /**
   * Resolves once the model includes `position` (by default: everything this process wrote).
   * PROJECTION.BEHIND (503) after `timeoutMs`.
   */
  async waitFor(position: GlobalPosition = this.store.lastAppended(), timeoutMs = 5_000): Promise<void> {
    if (this.position >= position && this.caughtUp) return;
    await this.wait(position, timeoutMs);
  }

  /**
   * `waitFor` for a position a client names (`GET /wallet?minPosition=`): one that no event in
   * the store has reached is refused at once (PROJECTION.POSITION_AHEAD, 400) instead of holding
   * the request until the time-out; only a position the store holds is waited for.
   */
  async waitForClientPosition(position: GlobalPosition): Promise<void> {
    if (this.position >= position && this.caughtUp) return;
    if (position > this.position) {
      const [atOrAfter] = await this.store.readAll({ after: position - 1n, maxCount: 1 });
      if (!atOrAfter) {
        throw brokerError(
          BROKER_ERROR.PROJECTION_POSITION_AHEAD,
          `no event has reached position ${position} yet: pass a position from an answer of this broker`,
          400,
          { minPosition: position.toString() },
        );
      }
    }
    await this.wait(position, 5_000);
  }

  private async wait(position: GlobalPosition, timeoutMs: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (this.position >= position && this.caughtUp) {
          clearTimeout(timer);
          this.waiters.delete(check);
          resolve();
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(
          brokerError(
            BROKER_ERROR.PROJECTION_BEHIND,
            `the wallet view has not reached position ${position} yet; retry`,
            503,
          ),
        );
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
