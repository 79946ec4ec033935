// One redemption world: a store (in-memory unless given), the simulated bank behind the payment
// gateway port, a read model, the worker, and a chain world to make histories with.
import { InMemoryEventStore, type EventStore } from '#event-store';
import { JsonLogger, ManualClock, MetricsService } from '#platform';
import type { BrokerKeyBook } from '#events';
import { createSigner, signingKeyFromPrivate, type PublicKeyRecord, type Signer } from '#protocol';
import type { PaymentGateway } from '../../broker/src/bank/payment-gateway.port.js';
import { SimulatedBank } from '../../broker/src/bank/simulated-bank.js';
import { InMemoryRedemptionView } from '../src/projection/in-memory-redemption-view.js';
import type { RedemptionView } from '../src/projection/redemption-view.js';
import { createRedemptionWorker, type RedemptionWorker } from '../src/redemption-worker.js';
import { ChainWorld } from './chain-world.js';

export const TIME_ZONE = 'Pacific/Auckland';

/** The redemption worker's record-signing key in tests (fixed, like the chain world's broker key). */
export const WORKER_SIGNER: Signer = createSigner(signingKeyFromPrivate('redemption_1', '2a'.repeat(32)));

export interface NightFixture {
  readonly store: EventStore;
  readonly bank: SimulatedBank;
  readonly clock: ManualClock;
  readonly world: ChainWorld;
  readonly metrics: MetricsService;
  readonly logLines: string[];
  worker: RedemptionWorker;
  /** A new worker over the same store (as after a restart), optionally with another gateway or view. */
  restart(options?: {
    gateway?: PaymentGateway;
    view?: RedemptionView;
    subscriptionId?: string;
  }): Promise<RedemptionWorker>;
  /** Opens bank accounts for vendors and registers them with the broker. */
  vendors(...vendorIds: string[]): Promise<void>;
  balance(vendorId: string): Promise<number>;
  dispose(): Promise<void>;
}

export interface FixtureOptions {
  readonly store?: EventStore;
  readonly view?: RedemptionView;
  readonly subscriptionId?: string;
  readonly gateway?: (bank: SimulatedBank) => PaymentGateway;
  /** Broker keys pinned in the worker's configuration (default: the chain world's key). */
  readonly brokerKeys?: readonly PublicKeyRecord[];
  /** The broker key list the worker learns keys from (BROKER_ROOT_PUBLIC_KEYS). */
  readonly keyBook?: (store: EventStore) => BrokerKeyBook;
}

export async function nightFixture(options: FixtureOptions = {}): Promise<NightFixture> {
  const store = options.store ?? new InMemoryEventStore();
  // The cut-off of 2026-03-10 (Auckland) is at 02:30 on the 11th, i.e. 13:30 UTC on the 10th.
  const clock = new ManualClock('2026-03-10T13:30:00.000Z');
  const bank = new SimulatedBank(store, clock, 1_000_000);
  const world = new ChainWorld(store);
  const metrics = new MetricsService();
  const logLines: string[] = [];
  const logger = new JsonLogger({
    service: 'redemption-test',
    level: 'debug',
    write: (l) => void logLines.push(l),
  });
  const keyBook = options.keyBook?.(store);
  const make = (gateway: PaymentGateway, view: RedemptionView, subscriptionId: string): RedemptionWorker => {
    const worker = createRedemptionWorker({
      store,
      view,
      gateway,
      clock,
      brokerKeys: options.brokerKeys ?? world.brokerKeys,
      keyBook,
      signer: WORKER_SIGNER,
      timeZone: TIME_ZONE,
      subscriptionId,
      logger,
      metrics,
      catchUpTimeoutMs: 20_000,
    });
    worker.projection.start();
    return worker;
  };
  const initialView = options.view ?? new InMemoryRedemptionView();
  const fixture: NightFixture = {
    store,
    bank,
    clock,
    world,
    metrics,
    logLines,
    worker: make(options.gateway?.(bank) ?? bank, initialView, options.subscriptionId ?? 'redemption-test'),
    async restart(o = {}) {
      await fixture.worker.projection.stop();
      fixture.worker = make(
        o.gateway ?? bank,
        o.view ?? initialView,
        o.subscriptionId ?? options.subscriptionId ?? 'redemption-test',
      );
      return fixture.worker;
    },
    async vendors(...vendorIds) {
      for (const v of vendorIds) {
        await bank.openAccount({ accountId: `acct_${v}`, currency: 'NZD', balance: 0 });
        await world.registerVendor(v);
      }
    },
    async balance(vendorId) {
      return (await bank.account(`acct_${vendorId}`))?.balance ?? 0;
    },
    async dispose() {
      await fixture.worker.projection.stop();
    },
  };
  return fixture;
}
