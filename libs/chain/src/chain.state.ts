import type { ChainEvent, CoinsSpent } from '#events';
import type { Hex, Touchstone } from '#protocol';

/** The most recent spend, so a retried spend is answered with its original receipt. */
export type LastSpend = CoinsSpent['data'];

interface Known {
  readonly chainId: string;
  readonly touchstone: Touchstone;
  readonly wallet: 'client' | 'server';
  /** I: the next unspent position. */
  readonly index: number;
  /** W[I-1]. */
  readonly lastPayword: Hex;
  /** The vendor allowed to spend it now; none until the first spend or checkout. */
  readonly holder?: string;
  /** Server-side wallets: last position the holder's slice covers. */
  readonly sliceEnd?: number;
  /** Server-side wallets: the vendor whose slice the customer withdrew last (until a new checkout). */
  readonly withdrawnFrom?: string;
  readonly lastSpend?: LastSpend;
  /** Revision of the last event folded in: the expected revision of the next append. */
  readonly revision: number;
}

export type ChainState =
  | { readonly status: 'absent' }
  | (Known & { readonly status: 'open' })
  | (Known & { readonly status: 'revoked'; readonly reason: string })
  | (Known & { readonly status: 'closed'; readonly reason: string; readonly reissuedAs?: string });

export const absentChain: ChainState = { status: 'absent' };

/**
 * Pure fold of one chain event. Events this state does not care about (and any
 * event on an absent chain other than its issue) leave it unchanged.
 */
export function evolve(state: ChainState, event: ChainEvent, revision: number): ChainState {
  if (event.type === 'ChainIssued') {
    // Issued once: a second ChainIssued in the stream (a copy) never resets the chain.
    if (state.status !== 'absent') return state;
    const { chainId, touchstone, wallet } = event.data;
    return { status: 'open', chainId, touchstone, wallet, index: 1, lastPayword: touchstone.root, revision };
  }
  if (state.status === 'absent') return state;
  switch (event.type) {
    case 'WalletCheckedOut': {
      const { withdrawnFrom: _ended, ...rest } = state;
      return { ...rest, holder: event.data.vendorId, sliceEnd: event.data.sliceEnd, revision };
    }
    case 'SliceWithdrawn': {
      const { holder: _holder, sliceEnd: _sliceEnd, ...rest } = state;
      return { ...rest, withdrawnFrom: event.data.vendorId, revision };
    }
    case 'CoinsSpent':
      return {
        ...state,
        index: event.data.toIndex + 1,
        lastPayword: event.data.payword,
        holder: event.data.vendorId,
        lastSpend: event.data,
        revision,
      };
    case 'IndexHandedOff':
      return { ...state, holder: event.data.certificate.toVendor, revision };
    case 'ChainClaimed':
      return { ...state, holder: event.data.toVendor, revision };
    case 'ChainRevoked':
      return { ...state, status: 'revoked', reason: event.data.reason, revision };
    case 'ChainClosed': {
      const { reason, reissuedAs } = event.data;
      return { ...state, status: 'closed', reason, ...(reissuedAs ? { reissuedAs } : {}), revision };
    }
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
}

/**
 * Fold a chain's history, given as (event, revision) pairs in stream order. Readers pass only the
 * events they believe (a broker-typed event must carry the broker's valid signature:
 * `ChainEventTrust` in `#events`); `lastRevision`, the stream's true last revision, keeps the
 * next append's expected revision right when the last events were ignored.
 */
export function foldChain(
  history: Iterable<{ event: ChainEvent; revision: number }>,
  lastRevision?: number,
): ChainState {
  let state: ChainState = absentChain;
  for (const { event, revision } of history) state = evolve(state, event, revision);
  return lastRevision === undefined ? state : atRevision(state, lastRevision);
}

/** The same state, expecting the stream at `revision` (events after the fold were ignored). */
export function atRevision(state: ChainState, revision: number): ChainState {
  return state.status === 'absent' || state.revision >= revision ? state : { ...state, revision };
}
