import type {
  BrokerEventSignature,
  ChainIndex,
  HandOffCertificate,
  Hex,
  Touchstone,
  VendorKeyCertificate,
  WalletGrant,
} from '#protocol';
import type { RevocationReason } from './revocation-reasons.js';

/**
 * Events of one chain's stream (`chain-<id>`). Appends carry the expected
 * revision: the stream is the arbiter of who may spend. No customer identity
 * ever appears here.
 */

/** The broker issued a chain. `wallet` says who keeps the paywords. */
export interface ChainIssued {
  readonly type: 'ChainIssued';
  readonly version: 1;
  readonly data: {
    readonly chainId: string;
    readonly touchstone: Touchstone;
    readonly wallet: 'client' | 'server';
    readonly at: string;
    /** The broker's signature over (stream, revision, type, data): see `broker-chain-events.ts`. */
    readonly brokerSignature?: BrokerEventSignature;
  };
}

/**
 * A server-side wallet (or a slice of it) was checked out by a vendor the
 * customer authorised; that vendor becomes the holder.
 */
export interface WalletCheckedOut {
  readonly type: 'WalletCheckedOut';
  readonly version: 1;
  readonly data: {
    readonly chainId: string;
    readonly vendorId: string;
    /** I and W[I-1] at checkout. */
    readonly index: number;
    readonly lastPayword: Hex;
    /** Last position the vendor may spend (inclusive). */
    readonly sliceEnd: number;
    readonly at: string;
    /** The broker's signature over (stream, revision, type, data): see `broker-chain-events.ts`. */
    readonly brokerSignature?: BrokerEventSignature;
  };
}

/**
 * The holder spent `count` coins at positions [fromIndex, toIndex]; the proof
 * is W[toIndex]. The first spend of a client-side chain makes its vendor holder.
 */
export interface CoinsSpent {
  readonly type: 'CoinsSpent';
  readonly version: 1;
  readonly data: {
    readonly chainId: string;
    readonly vendorId: string;
    readonly fromIndex: number;
    readonly toIndex: number;
    readonly payword: Hex;
    readonly receiptId: string;
    /**
     * What was bought (`GET /articles/a1`, as the receipt names it): the customer's history shows
     * it for both wallet kinds. Absent on spends recorded before it was kept.
     */
    readonly resource?: string;
    readonly at: string;
  };
}

/**
 * The holder handed the chain to another vendor with a certificate it signed, and its own key
 * certificate (signed by the broker) that vouches for the key: every reader verifies both before
 * it believes the hand-off (`broker-chain-events.ts`). A hand-off written without
 * `holderCertificate` (before it was carried) is believed by no fold.
 */
export interface IndexHandedOff {
  readonly type: 'IndexHandedOff';
  readonly version: 1;
  readonly data: {
    readonly certificate: HandOffCertificate;
    readonly holderCertificate?: VendorKeyCertificate;
    readonly at: string;
  };
}

/**
 * A vendor took the chain from the store's state because the holder did not
 * answer in time (the papers' backup server). The store's optimistic
 * concurrency arbitrates: the old holder's late appends fail.
 */
export interface ChainClaimed {
  readonly type: 'ChainClaimed';
  readonly version: 1;
  readonly data: {
    readonly chainId: string;
    readonly fromVendor: string;
    readonly toVendor: string;
    readonly index: ChainIndex['index'];
    readonly lastPayword: Hex;
    readonly reason: 'holder-timeout';
    readonly at: string;
    /**
     * Of a server-side wallet: the broker's grant the claimant asked the silent holder with
     * (signed along with the claim). The redemption replay takes a claim by a vendor the
     * customer withdrew on this chain only with a grant issued after that withdrawal.
     */
    readonly walletGrant?: WalletGrant;
    /** The claimant's (`toVendor`) key certificate, signed by the broker. */
    readonly vendorCertificate?: VendorKeyCertificate;
    /**
     * The claimant's signature over (stream, revision, type, data without it), by the key
     * `vendorCertificate` vouches for. A claim without it (written before claims were signed) is
     * believed by no fold.
     */
    readonly vendorSignature?: BrokerEventSignature;
  };
}

/**
 * The customer withdrew `vendorId`'s authority over their server-side wallet: the slice it
 * checked out ends here, at I, and nobody holds the chain (its unspent paywords are back in the
 * wallet). Appended by the broker with the chain's expected revision, so the vendor's next spend
 * fails its own and, decided again, is refused; redemption never pays a spend after it. Names
 * the vendor and the chain, never the customer.
 */
export interface SliceWithdrawn {
  readonly type: 'SliceWithdrawn';
  readonly version: 1;
  readonly data: {
    readonly chainId: string;
    readonly vendorId: string;
    /** I and W[I-1] when the slice ended. */
    readonly index: number;
    readonly lastPayword: Hex;
    readonly at: string;
    /** The broker's signature over (stream, revision, type, data): see `broker-chain-events.ts`. */
    readonly brokerSignature?: BrokerEventSignature;
  };
}

/**
 * The customer withdrew `vendorId`'s authority over their server-side wallet while the vendor did
 * not hold this chain (when it holds it, `SliceWithdrawn` says so). It changes no holder: it
 * records, on every open server-side chain of the customer, that any wallet grant the vendor got
 * at or before `at` is void, so no holder hands the chain to it with one and no fold believes such
 * a move. Re-authorising the vendor yields grants issued later. Broker-signed; names the vendor and
 * the chain, never the customer.
 */
export interface VendorWithdrawn {
  readonly type: 'VendorWithdrawn';
  readonly version: 1;
  readonly data: {
    readonly chainId: string;
    readonly vendorId: string;
    readonly at: string;
    /** The broker's signature over (stream, revision, type, data): see `broker-chain-events.ts`. */
    readonly brokerSignature?: BrokerEventSignature;
  };
}

/** v2: `reason` is a code of `REVOCATION_REASONS` (v1's free text is upcast, `chain.events.v1.ts`). */
export interface ChainRevoked {
  readonly type: 'ChainRevoked';
  readonly version: 2;
  readonly data: {
    readonly chainId: string;
    readonly reason: RevocationReason;
    readonly at: string;
    /** The broker's signature over (stream, revision, type, data): see `broker-chain-events.ts`. */
    readonly brokerSignature?: BrokerEventSignature;
  };
}

/**
 * No further spends; the unspent remainder may be re-issued. `reissuedAs` is only in histories
 * written before the link moved to the customer's stream (`ChainReissued`): vendors read chain
 * streams, and must not learn that two chains belong to one customer.
 */
export interface ChainClosed {
  readonly type: 'ChainClosed';
  readonly version: 1;
  readonly data: {
    readonly chainId: string;
    readonly index: number;
    readonly reason: 'lost-wallet' | 'expired' | 'exhausted' | 'revoked' | 'cashed-out';
    readonly reissuedAs?: string;
    readonly at: string;
    /** The broker's signature over (stream, revision, type, data): see `broker-chain-events.ts`. */
    readonly brokerSignature?: BrokerEventSignature;
  };
}

export type ChainEvent =
  | ChainIssued
  | WalletCheckedOut
  | CoinsSpent
  | IndexHandedOff
  | ChainClaimed
  | SliceWithdrawn
  | VendorWithdrawn
  | ChainRevoked
  | ChainClosed;

export type ChainEventType = ChainEvent['type'];

// A record, so that adding a chain event type without listing it here does not compile.
const CHAIN_EVENT_TYPE_NAMES: Record<ChainEventType, true> = {
  ChainIssued: true,
  WalletCheckedOut: true,
  CoinsSpent: true,
  IndexHandedOff: true,
  ChainClaimed: true,
  SliceWithdrawn: true,
  VendorWithdrawn: true,
  ChainRevoked: true,
  ChainClosed: true,
};

/** Every type a `chain-<id>` stream holds: what a fold of a chain reads, everything else skipped. */
export const CHAIN_EVENT_TYPES: ReadonlySet<string> = new Set(Object.keys(CHAIN_EVENT_TYPE_NAMES));
