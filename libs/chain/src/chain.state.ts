import type { ChainEvent, CoinsSpent } from '#events';
import { type Hex, type Touchstone, verifyPaywordAgainst } from '#protocol';

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
  /**
   * Server-side wallets: per vendor, the broker's time of its latest withdrawal recorded on this
   * chain (`SliceWithdrawn`, `VendorWithdrawn`). A wallet grant issued at or before it is void.
   */
  readonly withdrawals?: Readonly<Record<string, string>>;
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

/** The vendor a chain-moving event names (a spend's, a hand-off's giver, a claim's claimant). */
function moverOf(event: ChainEvent): string | undefined {
  switch (event.type) {
    case 'CoinsSpent':
      return event.data.vendorId;
    case 'IndexHandedOff':
      return event.data.certificate.fromVendor;
    case 'ChainClaimed':
      return event.data.toVendor;
    default:
      return undefined;
  }
}

/**
 * A vendor-typed event the fold did not believe (any vendor may append to a chain stream): a spend
 * that does not hash down, a hand-off or claim not from the holder or not at the chain's state.
 */
export interface IgnoredChainEvent {
  readonly chainId: string;
  readonly revision: number;
  readonly type: ChainEvent['type'];
  /** The vendor the event names (a spend's, a hand-off's giver, a claim's claimant). */
  readonly vendorId: string;
  readonly reason: string;
}

export type OnIgnored = (ignored: IgnoredChainEvent) => void;

/**
 * Why a spend event does not continue the chain from (I, W[I-1]), or undefined when it does: its
 * payword W[toIndex] must hash down to W[I-1] (`toIndex - I + 1` hashes, what the vendor did at
 * spend time; no public-key operation), within the chain. Knowing that word proves positions
 * I..toIndex were given away, whatever `fromIndex` says (an ignored spend before it notwithstanding).
 */
export function spendMismatch(state: Known, spend: CoinsSpent['data']): string | undefined {
  const { toIndex, payword } = spend;
  if (!Number.isSafeInteger(toIndex) || toIndex < state.index || toIndex > state.touchstone.length) {
    return `ends at ${toIndex}, outside ${state.index}..${state.touchstone.length}`;
  }
  return linkMismatch(state, toIndex, payword);
}

/**
 * Why W[`position`] = `word` is not reachable from the state's (I, W[I-1]) by hashing down, or
 * undefined when it is (also for position = I-1 with the same word).
 */
export function linkMismatch(state: Known, position: number, word: unknown): string | undefined {
  if (typeof word !== 'string') return 'no payword';
  const { alg, chainId, length } = state.touchstone;
  if (!Number.isSafeInteger(position) || position > length)
    return `position ${position} is outside the chain`;
  try {
    const check = verifyPaywordAgainst(alg, chainId, state.index - 1, state.lastPayword, position, word);
    return check.ok ? undefined : `payword at ${position} does not hash to the chain (${check.code})`;
  } catch {
    return `payword at ${position} cannot be checked`;
  }
}

/**
 * Why a hand-off or claim from `from` to `to` does not continue the chain, or undefined when it
 * does: it must come from the holder, to another vendor, at the chain's true (I, W[I-1]) — what
 * the auditor's R2 rules require (`HANDOFF_BY_NON_HOLDER`, `HANDOFF_MISMATCH`,
 * `CLAIM_NOT_FROM_HOLDER`, `CLAIM_MISMATCH`). Its signature is checked before the fold, by the
 * reader's admission (`checkVendorSignedChainEvent` in `#events`).
 */
export function holderMoveMismatch(
  state: Known,
  from: string,
  to: string,
  index: number,
  lastPayword: string,
  chainId: string,
): string | undefined {
  if (chainId !== state.chainId) return `it is for chain ${chainId}`;
  if (from === to) return `${from} cannot take the chain from itself`;
  if (state.holder !== from) return `${from} does not hold the chain (${state.holder ?? 'nobody'} does)`;
  if (index !== state.index || lastPayword !== state.lastPayword)
    return `it names index ${index}, the chain is at ${state.index} (or another W[I-1])`;
  return undefined;
}

/** The per-vendor withdrawal times with `vendorId`'s set to `at` when that is later. */
function withWithdrawal(
  withdrawals: Readonly<Record<string, string>> | undefined,
  vendorId: string,
  at: string,
): Readonly<Record<string, string>> {
  const last = withdrawals?.[vendorId];
  if (last !== undefined && Date.parse(last) >= Date.parse(at)) return withdrawals!;
  return { ...withdrawals, [vendorId]: at };
}

/**
 * Why a wallet grant issued at `grantIssuedAt` cannot move this chain to `vendorId`, or undefined
 * when it can: the customer withdrew the vendor at or after the grant was issued (the broker's
 * clock for both). A grant without `issuedAt` is void once the vendor was ever withdrawn here.
 */
export function withdrawnGrant(
  state: Known,
  vendorId: string,
  grantIssuedAt: string | undefined,
): string | undefined {
  const withdrawnAt = state.withdrawals?.[vendorId];
  if (withdrawnAt === undefined) return undefined;
  if (grantIssuedAt !== undefined && Date.parse(grantIssuedAt) > Date.parse(withdrawnAt)) return undefined;
  return `the customer withdrew vendor ${vendorId} from wallet ${state.chainId} at ${withdrawnAt}, after its wallet grant was issued (${grantIssuedAt ?? 'unknown'})`;
}

/**
 * Pure fold of one chain event. Events this state does not care about (and any
 * event on an absent chain other than its issue) leave it unchanged. A spend whose payword does
 * not hash down to the last one (`spendMismatch`), or a hand-off or claim that does not move the
 * chain from its holder at its state (`holderMoveMismatch`), is not believed: only its revision is
 * taken, and `onIgnored` hears of it.
 */
export function evolve(
  state: ChainState,
  event: ChainEvent,
  revision: number,
  onIgnored?: OnIgnored,
): ChainState {
  if (event.type === 'ChainIssued') {
    // Issued once: a second ChainIssued in the stream (a copy) never resets the chain.
    if (state.status !== 'absent') return state;
    const { chainId, touchstone, wallet } = event.data;
    return { status: 'open', chainId, touchstone, wallet, index: 1, lastPayword: touchstone.root, revision };
  }
  if (state.status === 'absent') return state;
  // After the close or the revocation nothing moves the chain: a vendor's spend, hand-off or claim
  // appended after it is not believed (the redemption worker redeems none of them either), so a
  // forged or late one cannot lower a cash-out's refund.
  const mover = state.status === 'open' ? undefined : moverOf(event);
  if (mover !== undefined) {
    const reason = `the chain is ${state.status}`;
    onIgnored?.({ chainId: state.chainId, revision, type: event.type, vendorId: mover, reason });
    return { ...state, revision };
  }
  switch (event.type) {
    case 'WalletCheckedOut': {
      const { withdrawnFrom: _ended, ...rest } = state;
      return { ...rest, holder: event.data.vendorId, sliceEnd: event.data.sliceEnd, revision };
    }
    case 'SliceWithdrawn': {
      const { holder: _holder, sliceEnd: _sliceEnd, ...rest } = state;
      const withdrawals = withWithdrawal(state.withdrawals, event.data.vendorId, event.data.at);
      return { ...rest, withdrawnFrom: event.data.vendorId, withdrawals, revision };
    }
    case 'VendorWithdrawn': {
      const withdrawals = withWithdrawal(state.withdrawals, event.data.vendorId, event.data.at);
      return { ...state, withdrawals, revision };
    }
    case 'CoinsSpent': {
      const mismatch = spendMismatch(state, event.data);
      if (mismatch !== undefined) {
        const { chainId } = state;
        const { vendorId } = event.data;
        onIgnored?.({ chainId, revision, type: event.type, vendorId, reason: mismatch });
        return { ...state, revision };
      }
      return {
        ...state,
        index: event.data.toIndex + 1,
        lastPayword: event.data.payword,
        holder: event.data.vendorId,
        lastSpend: event.data,
        revision,
      };
    }
    case 'IndexHandedOff': {
      const c = event.data.certificate;
      const mismatch = holderMoveMismatch(state, c.fromVendor, c.toVendor, c.index, c.lastPayword, c.chainId);
      if (mismatch !== undefined) {
        onIgnored?.({
          chainId: state.chainId,
          revision,
          type: event.type,
          vendorId: c.fromVendor,
          reason: mismatch,
        });
        return { ...state, revision };
      }
      return { ...state, holder: c.toVendor, revision };
    }
    case 'ChainClaimed': {
      const d = event.data;
      const mismatch = holderMoveMismatch(state, d.fromVendor, d.toVendor, d.index, d.lastPayword, d.chainId);
      if (mismatch !== undefined) {
        onIgnored?.({
          chainId: state.chainId,
          revision,
          type: event.type,
          vendorId: d.toVendor,
          reason: mismatch,
        });
        return { ...state, revision };
      }
      return { ...state, holder: d.toVendor, revision };
    }
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
  onIgnored?: OnIgnored,
): ChainState {
  let state: ChainState = absentChain;
  for (const { event, revision } of history) state = evolve(state, event, revision, onIgnored);
  return lastRevision === undefined ? state : atRevision(state, lastRevision);
}

/** The same state, expecting the stream at `revision` (events after the fold were ignored). */
export function atRevision(state: ChainState, revision: number): ChainState {
  return state.status === 'absent' || state.revision >= revision ? state : { ...state, revision };
}
