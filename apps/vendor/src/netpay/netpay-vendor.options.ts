import type { EventStore, EventStoreSettings } from '#event-store';
import type { NatsIdentityOptions } from '#platform';
import type { PublicKeyRecord, SigningKey } from '#protocol';
import type { BrokerClient } from '../broker/broker-client.js';
import type { AcceptedChains } from '../spend-coins/spend-coins.handler.js';

/** Everything the payment engine of one vendor needs. */
export interface NetPayVendorOptions {
  readonly vendorId: string;
  /** The vendor's Ed25519 key: signs receipts and hand-off certificates. */
  readonly signingKey: SigningKey;
  /** Chains this vendor takes: its prices are whole coins of this currency and coin value. */
  readonly accepted: AcceptedChains;
  /** How long to wait for a holder before claiming the chain from the store. */
  readonly handOffTimeoutMs: number;
  /** NATS servers for the broker client (hand-offs use the shared NATS connection). */
  readonly natsServers: string | string[];
  /** The vendor's NATS identity for the broker client. */
  readonly natsIdentity?: NatsIdentityOptions;
  /** Time-out of every request to the broker. Default 2 s. */
  readonly brokerTimeoutMs?: number;
  /** An event store instance (the caller closes it) or settings (the module connects and closes it). */
  readonly eventStore: EventStore | EventStoreSettings;
  /** `redis` (default; the `REDIS` client must be provided) or `memory` (one process, demos and tests). */
  readonly hotStore?: 'redis' | 'memory';
  /** How long an idle chain stays in Redis. Default 7 days. */
  readonly hotTtlMs?: number;
  /**
   * The broker's public keys (current and retired), pinned from configuration: touchstones,
   * vendor key certificates, wallet grants and revocation notices are checked against these
   * only; the broker is never asked for them.
   */
  readonly brokerKeys: readonly PublicKeyRecord[];
  /**
   * The broker's root keys, pinned (BROKER_ROOT_PUBLIC_KEYS): the vendor also trusts every key of
   * the newest broker key list in the store they signed, read at start and on an unknown key id.
   */
  readonly brokerRootKeys?: readonly PublicKeyRecord[];
  /** Paywords asked per server-side wallet checkout. Default 100. */
  readonly checkoutCoins?: number;
  /** Most time from a request's arrival to its spend's append; later, nothing is spent. Default 10 s. */
  readonly requestMaxAgeMs?: number;
  /** Replaces the NATS broker client (tests). */
  readonly brokerClient?: BrokerClient;
}

/** Nest injection token of the `NetPayVendorOptions`. */
export const NETPAY_VENDOR_OPTIONS = Symbol.for('netpay.vendor.options');
/** Nest injection token of the vendor's `EventStore`. */
export const VENDOR_EVENT_STORE = Symbol.for('netpay.vendor.event-store');
/** Nest injection token of the `BrokerClient`. */
export const BROKER_CLIENT = Symbol.for('netpay.vendor.broker-client');
