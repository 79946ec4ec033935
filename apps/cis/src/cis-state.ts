import type { RecordedEvent } from '#event-store';
import type { CurrencyMode, P2PEvent, PeerCoinsSold, PeerRedeemed, PeerTokensGranted } from '#events';
import { isP2PEventType, spendAtPeerOf } from '#events';
import type { PseudonymCertificate, SignedIndexStatement, Touchstone } from '#protocol';

/** A P2P event as recorded (the family is not in `NetPayEvent`, so it has its own decoder). */
export type RecordedP2PEvent = P2PEvent & { readonly revision: number; readonly streamName: string };

export function decodeP2P(recorded: RecordedEvent): RecordedP2PEvent | undefined {
  if (!isP2PEventType(recorded.type) || recorded.version !== 1) return undefined;
  return {
    type: recorded.type,
    version: 1,
    data: recorded.data,
    revision: recorded.revision,
    streamName: recorded.streamName,
  } as RecordedP2PEvent;
}

/** What the CIS knows of one pseudonym, folded from `peer-<pseudonym>`. */
export interface PeerState {
  readonly revision: number | 'no_stream';
  readonly certificate?: PseudonymCertificate;
  readonly revoked: boolean;
  readonly sales: PeerCoinsSold['data'][];
  /** Nominal mode: the community tokens granted, one per currency. */
  readonly grants: PeerTokensGranted['data'][];
  readonly redemptions: PeerRedeemed['data'][];
  readonly redeemedDigests: Set<string>;
}

export function foldPeer(events: readonly RecordedEvent[]): PeerState {
  let revision: number | 'no_stream' = 'no_stream';
  let certificate: PseudonymCertificate | undefined;
  let revoked = false;
  const sales: PeerCoinsSold['data'][] = [];
  const grants: PeerTokensGranted['data'][] = [];
  const redemptions: PeerRedeemed['data'][] = [];
  const redeemedDigests = new Set<string>();
  for (const recorded of events) {
    revision = recorded.revision;
    const e = decodeP2P(recorded);
    if (!e) continue;
    if (e.type === 'PeerRegistered') certificate = e.data.certificate;
    else if (e.type === 'PeerCoinsSold') sales.push(e.data);
    else if (e.type === 'PeerTokensGranted') grants.push(e.data);
    else if (e.type === 'PseudonymRevoked') revoked = true;
    else if (e.type === 'PeerRedeemed') {
      redemptions.push(e.data);
      for (const item of e.data.items) redeemedDigests.add(item.digest);
    }
  }
  return {
    revision,
    ...(certificate ? { certificate } : {}),
    revoked,
    sales,
    grants,
    redemptions,
    redeemedDigests,
  };
}

/** Coins this peer supplied: what it was paid for at redemption (the contribution policy's measure). */
export function suppliedCoins(state: PeerState): number {
  return state.redemptions.reduce((sum, r) => sum + r.coins, 0);
}

/**
 * Nominal mode: community tokens of `currency` the peer holds = tokens granted (recorded
 * `PeerTokensGranted`) + tokens earned at redemption − tokens spent on coins. From events only,
 * so the auditor can recompute it.
 */
export function tokenBalance(state: PeerState, currency: string): number {
  const nominal = (x: { mode: CurrencyMode; currency: string }): boolean =>
    x.mode === 'nominal' && x.currency === currency;
  const granted = state.grants.filter((g) => g.currency === currency).reduce((s, g) => s + g.tokens, 0);
  const earned = state.redemptions.filter(nominal).reduce((s, r) => s + r.amount, 0);
  const spent = state.sales.filter(nominal).reduce((s, r) => s + r.amount, 0);
  return granted + earned - spent;
}

export function granted(state: PeerState, currency: string): boolean {
  return state.grants.some((g) => g.currency === currency);
}

export function touchstoneOf(state: PeerState, chainId: string): Touchstone | undefined {
  return state.sales.find((s) => s.touchstone.chainId === chainId)?.touchstone;
}

/** The spends recorded for one chain, in the order the store recorded them. */
export interface RecordedSpend {
  readonly statement: SignedIndexStatement;
  readonly digest: string;
  readonly payee: string;
}

export function foldChainSpends(events: readonly RecordedEvent[]): {
  revision: number | 'no_stream';
  spends: RecordedSpend[];
  proven: boolean;
} {
  let revision: number | 'no_stream' = 'no_stream';
  const spends: RecordedSpend[] = [];
  let proven = false;
  for (const recorded of events) {
    revision = recorded.revision;
    const e = decodeP2P(recorded);
    if (e?.type === 'CoinsSpentAtPeer') {
      const spend = spendAtPeerOf(e.data);
      if (spend) spends.push(spend);
    } else if (e?.type === 'DoubleSpendProven') proven = true;
  }
  return { revision, spends, proven };
}

export type { CurrencyMode };
