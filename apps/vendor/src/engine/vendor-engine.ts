import type { EventStore } from '#event-store';
import { BrokerKeyBook, ChainEventTrust } from '#events';
import type { Clock } from '#platform';
import { DEFAULT_FRESHNESS_WINDOW_MS, ReplayGuard, type PublicKeyRecord, type Signer } from '#protocol';
import type { BrokerClient } from '../broker/broker-client.js';
import { DebitWalletHandler } from '../debit-wallet/debit-wallet.handler.js';
import type { WalletSliceStore } from '../debit-wallet/wallet-slice-store.js';
import { WalletSlices } from '../debit-wallet/wallet-slices.js';
import { GetChainQuery } from '../get-chain/get-chain.query.js';
import { HandOffHandler } from '../hand-off/hand-off.handler.js';
import { OwnCertificate } from '../hand-off/own-certificate.js';
import type { HandOffTransport } from '../hand-off/hand-off-transport.js';
import { TakeOver } from '../hand-off/take-over.js';
import { type AcceptedChains, SpendCoinsHandler } from '../spend-coins/spend-coins.handler.js';
import { ChainLocks } from './chain-locks.js';
import { ChainStates } from './chain-states.js';
import type { HotChainStore } from './hot-chain-store.js';
import { KeyDirectory } from './key-directory.js';
import { ReceiptBatcher } from './receipt-batcher.js';
import { PendingHandOffs } from './pending-hand-offs.js';
import { RevocationList } from './revocation-list.js';
import { TouchstoneBook } from './touchstone-book.js';
import { DEFAULT_REQUEST_MAX_AGE_MS, requestDeadline } from './request-deadline.js';
import type { VendorObserver } from './vendor-observer.js';

export interface VendorEngineOptions {
  readonly vendorId: string;
  readonly signer: Signer;
  readonly clock: Clock;
  readonly store: EventStore;
  readonly hot: HotChainStore;
  readonly slices: WalletSliceStore;
  readonly broker: BrokerClient;
  readonly transport: HandOffTransport;
  readonly accepted: AcceptedChains;
  /** How long to wait for the holder before claiming the chain from the store. */
  readonly handOffTimeoutMs: number;
  /** The broker's public keys, pinned from configuration: the only keys trusted for the broker. */
  readonly brokerKeys: readonly PublicKeyRecord[];
  /** BROKER_ROOT_PUBLIC_KEYS: the broker's key list they sign is read from the store. */
  readonly brokerRootKeys?: readonly PublicKeyRecord[];
  /** Owner id of the broker's keys (default `broker`). */
  readonly brokerId?: string;
  /** How far a signed request's time may be from this vendor's clock. Default 60 s. */
  readonly freshnessWindowMs?: number;
  readonly checkoutCoins?: number;
  /** Most time from a request's arrival to its spend's append (default 10 s). */
  readonly requestMaxAgeMs?: number;
  readonly observer?: VendorObserver;
}

/**
 * One vendor's payment engine as plain objects: what the Nest module
 * provides, what benchmarks and unit tests drive without HTTP.
 */
export class VendorEngine {
  readonly vendorId: string;
  readonly signer: Signer;
  /** Signs each turn's receipts with one signature. */
  readonly receipts: ReceiptBatcher;
  readonly locks = new ChainLocks();
  readonly revocations = new RevocationList();
  readonly keys: KeyDirectory;
  /** This vendor's broker-signed key certificate (hand-offs carry it). */
  readonly certificate: OwnCertificate;
  readonly touchstones: TouchstoneBook;
  readonly states: ChainStates;
  /** Chain events the broker must have signed are believed only when they verify. */
  readonly chainTrust: ChainEventTrust;
  readonly pending: PendingHandOffs;
  readonly slices: WalletSlices;
  readonly takeOver: TakeOver;
  readonly spendCoins: SpendCoinsHandler;
  readonly debitWallet: DebitWalletHandler;
  readonly handOff: HandOffHandler;
  readonly getChain: GetChainQuery;
  private readonly clock: Clock;
  private readonly requestMaxAgeMs: number;
  readonly observer: VendorObserver;

  constructor(options: VendorEngineOptions) {
    const { vendorId, signer, clock, store, hot, broker } = options;
    const observer = options.observer ?? {};
    this.observer = observer;
    this.vendorId = vendorId;
    this.clock = clock;
    this.requestMaxAgeMs = options.requestMaxAgeMs ?? DEFAULT_REQUEST_MAX_AGE_MS;
    this.signer = signer;
    this.receipts = new ReceiptBatcher(signer);
    this.keys = new KeyDirectory(
      options.brokerKeys,
      options.brokerRootKeys && options.brokerRootKeys.length > 0
        ? new BrokerKeyBook({
            store,
            rootKeys: options.brokerRootKeys,
            pinned: options.brokerKeys,
            brokerId: options.brokerId ?? 'broker',
          })
        : undefined,
      clock,
    );
    this.certificate = new OwnCertificate(vendorId, signer, broker, this.keys, clock);
    const windowMs = options.freshnessWindowMs ?? DEFAULT_FRESHNESS_WINDOW_MS;
    this.touchstones = new TouchstoneBook(this.keys, broker, hot);
    const keys = this.keys;
    this.chainTrust = new ChainEventTrust(
      (keyId) => keys.brokerKeyFresh(keyId),
      (forged) => observer.forgedChainEvent?.(forged),
    );
    this.states = new ChainStates(
      store,
      hot,
      this.touchstones,
      `vendor:${vendorId}`,
      this.chainTrust,
      (ignored) => observer.ignoredChainEvent?.(ignored),
    );
    // A pending mark outlives the wait a little, and expires by itself if this process dies.
    this.pending = new PendingHandOffs(hot, options.handOffTimeoutMs * 2 + 1_000);
    this.slices = new WalletSlices(options.slices);
    const { states, locks, slices } = this;
    this.takeOver = new TakeOver({
      vendorId,
      signer,
      certificate: this.certificate,
      clock,
      states,
      keys: this.keys,
      transport: options.transport,
      pending: this.pending,
      slices,
      timeoutMs: options.handOffTimeoutMs,
      observer,
      revocations: this.revocations,
    });
    this.spendCoins = new SpendCoinsHandler({
      vendorId,
      receipts: this.receipts,
      clock,
      states,
      locks,
      takeOver: this.takeOver,
      revocations: this.revocations,
      accepted: options.accepted,
      observer,
    });
    this.debitWallet = new DebitWalletHandler({
      vendorId,
      receipts: this.receipts,
      clock,
      states,
      locks,
      broker,
      touchstones: this.touchstones,
      slices,
      takeOver: this.takeOver,
      spends: this.spendCoins,
      signer,
      keys: this.keys,
      accepted: options.accepted,
      checkoutCoins: options.checkoutCoins ?? 100,
      observer,
    });
    this.handOff = new HandOffHandler({
      vendorId,
      signer,
      clock,
      states,
      locks,
      slices,
      revocations: this.revocations,
      observer,
      keys: this.keys,
      certificate: this.certificate,
      replays: new ReplayGuard(windowMs),
      windowMs,
    });
    this.getChain = new GetChainQuery(vendorId, states, this.pending, this.revocations);
  }

  /**
   * The deadline of a request arriving now, carrying `header` (`X-NetPay-Deadline`): pass it
   * with the spend or debit, which records nothing once it has passed.
   */
  /** The engine's clock (tests set it). */
  now(): Date {
    return this.clock.now();
  }

  deadlineOf(header: string | undefined): number {
    return requestDeadline({ header, arrivedAt: this.clock.now().getTime(), maxAgeMs: this.requestMaxAgeMs });
  }
}
