import {
  parseIndexStatement,
  type PseudonymCertificate,
  statementDigest,
  statementPaywordValid,
  type SignedIndexStatement,
  type SignedRevocationNotice,
  type Touchstone,
  verifyIndexStatement,
} from '#protocol';
import { assertId } from './streams.js';

/**
 * P2P-NetPay events (seed 000 §4). Streams:
 * - `peer-<pseudonym>` (written by the CIS): registration, token grants (nominal mode), coin
 *   sales, revocation, redemption; `peer-id_<identityTag>`: the one pseudonym of an identity;
 * - `p2pcontent-<pseudonym>` (CIS): the content index of one peer (announce, withdraw);
 * - `p2pchain-<chainId>` (S-peers while they reach the store, or the CIS at redemption): the
 *   signed index statements spent, and the double-spend proofs.
 * They are a family of their own (not in `NetPayEvent`): the client-server code never sees them.
 */
export const P2P_CATEGORIES = ['peer', 'p2pcontent', 'p2pchain'] as const;

export const p2pStreams = {
  peer: (pseudonym: string): string => `peer-${assertId(pseudonym)}`,
  /** The pseudonym an identity is bound to (`PeerIdentityBound`), by the CIS's keyed tag of the identity. */
  identity: (identityTag: string): string => `peer-${assertId(`id_${identityTag}`)}`,
  content: (pseudonym: string): string => `p2pcontent-${assertId(pseudonym)}`,
  chain: (chainId: string): string => `p2pchain-${assertId(chainId)}`,
} as const;

export type CurrencyMode = 'money' | 'nominal';

export interface PeerRegistered {
  readonly type: 'PeerRegistered';
  readonly version: 1;
  readonly data: {
    readonly pseudonym: string;
    readonly certificate: PseudonymCertificate;
    /** The real identity, AES-256-GCM sealed with the CIS secret: only the CIS can open it. */
    readonly identitySealed: string;
    readonly at: string;
  };
}

/**
 * The one pseudonym of an identity, in `peer-id_<identityTag>` (appended once, `no_stream`): the
 * tag is the CIS's HMAC of the identity, so only the CIS can tell whose it is. A registration of
 * the same identity under another key is refused, and so is any after its pseudonym was revoked:
 * a double spend costs the identity, not only a key.
 */
export interface PeerIdentityBound {
  readonly type: 'PeerIdentityBound';
  readonly version: 1;
  readonly data: {
    readonly identityTag: string;
    readonly pseudonym: string;
    readonly at: string;
  };
}

/**
 * Nominal mode: the community tokens the CIS grants a peer, once per pseudonym and currency (at
 * registration, or before its first nominal purchase when it registered under money mode). The
 * only way tokens come into existence besides redemption: the auditor's conservation rests on it.
 */
export interface PeerTokensGranted {
  readonly type: 'PeerTokensGranted';
  readonly version: 1;
  readonly data: {
    readonly pseudonym: string;
    readonly tokens: number;
    /** The token code (`CIS_CURRENCY` in nominal mode, e.g. XCT). */
    readonly currency: string;
    readonly at: string;
  };
}

export interface PeerCoinsSold {
  readonly type: 'PeerCoinsSold';
  readonly version: 1;
  readonly data: {
    readonly pseudonym: string;
    readonly purchaseId: string;
    readonly touchstone: Touchstone;
    readonly coins: number;
    /** coins × coinValue, minor units (money) or community tokens (nominal). */
    readonly amount: number;
    readonly currency: string;
    readonly mode: CurrencyMode;
    /** The contribution policy at the sale: allowance = base + multiple × supplied. */
    readonly policy: {
      readonly periodStart: string;
      readonly base: number;
      readonly multiple: number;
      readonly supplied: number;
      readonly allowance: number;
      readonly boughtBefore: number;
    };
    readonly at: string;
  };
}

export interface ContentAnnounced {
  readonly type: 'ContentAnnounced';
  readonly version: 1;
  readonly data: {
    readonly pseudonym: string;
    readonly contentId: string;
    readonly title: string;
    readonly price: number;
    /** SHA-256 of the bytes served. */
    readonly sha256: string;
    readonly endpoint: string;
    readonly at: string;
  };
}

export interface ContentWithdrawn {
  readonly type: 'ContentWithdrawn';
  readonly version: 1;
  readonly data: {
    readonly pseudonym: string;
    readonly contentId: string;
    readonly reason: 'withdrawn' | 'offline' | 'revoked';
    readonly at: string;
  };
}

export interface CoinsSpentAtPeer {
  readonly type: 'CoinsSpentAtPeer';
  readonly version: 1;
  readonly data: {
    readonly chainId: string;
    readonly payee: string;
    readonly statement: SignedIndexStatement;
    readonly digest: string;
    /** `online`: the S-peer appended it when it accepted; `upload`: the CIS at redemption. */
    readonly via: 'online' | 'upload';
    readonly at: string;
  };
}

/** What a reader of `p2pchain-*` takes from a `CoinsSpentAtPeer`: the statement, its digest, its payee. */
export interface SpendAtPeer {
  readonly statement: SignedIndexStatement;
  readonly digest: string;
  readonly payee: string;
}

/**
 * The spend a `CoinsSpentAtPeer`'s data records, or undefined when it is not one. Every peer may
 * write `p2pchain-*` streams, so their data is parsed before anything reads it: a malformed event
 * there is skipped (it earns nothing and frames nobody), never a reason to refuse the chain's
 * next payment or fail a redemption. Whether the statement verifies is for the reader to check.
 */
export function spendAtPeerOf(data: unknown): SpendAtPeer | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { statement, digest, payee } = data as Record<string, unknown>;
  if (typeof digest !== 'string' || typeof payee !== 'string') return undefined;
  try {
    return { statement: parseIndexStatement(statement), digest, payee };
  } catch {
    return undefined;
  }
}

/**
 * Whether a recorded spend is the chain holder's own: a statement naming the holder's pseudonym,
 * under its key, that verifies and whose payword hashes to T, in an event whose digest and payee
 * are the statement's. Only such a spend counts as recorded, for the S-peer checking a payment
 * and for the CIS judging a redemption alike: the holder may sign a statement naming someone
 * else (or another key id), which proves no double spend of its own, and any peer may write it.
 */
export function isHolderSpend(
  spend: SpendAtPeer,
  holder: Pick<PseudonymCertificate, 'pseudonym' | 'keyId' | 'publicKey'>,
  touchstone: Touchstone,
): boolean {
  const s = spend.statement;
  return (
    spend.payee === s.payee &&
    s.pseudonym === holder.pseudonym &&
    s.keyId === holder.keyId &&
    s.chainId === touchstone.chainId &&
    verifyIndexStatement(s, holder.publicKey) &&
    statementPaywordValid(s, touchstone) &&
    statementDigest(s) === spend.digest
  );
}

export interface DoubleSpendProven {
  readonly type: 'DoubleSpendProven';
  readonly version: 1;
  readonly data: {
    readonly chainId: string;
    readonly pseudonym: string;
    readonly first: SignedIndexStatement;
    readonly second: SignedIndexStatement;
    readonly overlap: readonly [number, number];
    /** Where it was caught: at once by an S-peer that reached the store, or at redemption. */
    readonly detectedAt: 'spend' | 'redemption';
    /** The S-peer whose statement is not paid under the policy (`first-recorded`), if any accepted it. */
    readonly unpaidPayee: string;
    readonly policy: DoubleSpendPolicy;
    readonly at: string;
  };
}

/** `first-recorded`: the statement recorded first is paid, the other refused; `cover`: the CIS pays both. */
export type DoubleSpendPolicy = 'first-recorded' | 'cover';

export interface PseudonymRevoked {
  readonly type: 'PseudonymRevoked';
  readonly version: 1;
  readonly data: {
    readonly pseudonym: string;
    readonly notice: SignedRevocationNotice;
    readonly chainId: string;
    readonly at: string;
  };
}

export interface PeerRedeemedItem {
  readonly chainId: string;
  readonly digest: string;
  readonly fromIndex: number;
  readonly toIndex: number;
  readonly coins: number;
}

export interface PeerRedeemed {
  readonly type: 'PeerRedeemed';
  readonly version: 1;
  readonly data: {
    readonly pseudonym: string;
    readonly redemptionId: string;
    readonly items: readonly PeerRedeemedItem[];
    readonly refused: readonly { readonly digest: string; readonly code: string }[];
    readonly coins: number;
    readonly amount: number;
    readonly currency: string;
    readonly mode: CurrencyMode;
    readonly at: string;
  };
}

export type P2PEvent =
  | PeerRegistered
  | PeerIdentityBound
  | PeerTokensGranted
  | PeerCoinsSold
  | ContentAnnounced
  | ContentWithdrawn
  | CoinsSpentAtPeer
  | DoubleSpendProven
  | PseudonymRevoked
  | PeerRedeemed;
export type P2PEventType = P2PEvent['type'];

export const P2P_EVENT_TYPES: readonly P2PEventType[] = [
  'PeerRegistered',
  'PeerIdentityBound',
  'PeerTokensGranted',
  'PeerCoinsSold',
  'ContentAnnounced',
  'ContentWithdrawn',
  'CoinsSpentAtPeer',
  'DoubleSpendProven',
  'PseudonymRevoked',
  'PeerRedeemed',
];

export function isP2PEventType(type: string): type is P2PEventType {
  return (P2P_EVENT_TYPES as readonly string[]).includes(type);
}
