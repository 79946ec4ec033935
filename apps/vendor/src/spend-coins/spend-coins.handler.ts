import { CHAIN, decideSpend, type ChainState } from '#chain';
import { ConcurrencyError, InvalidEventStoreRequestError } from '#event-store';
import type { CoinsSpent } from '#events';
import { SPEND, verifySpend, type Touchstone } from '#protocol';
import { NetPayError, type Clock } from '#platform';
import type { ChainLocks } from '../engine/chain-locks.js';
import type { ChainStates } from '../engine/chain-states.js';
import type { ReceiptBatcher } from '../engine/receipt-batcher.js';
import { checkResource, receiptBodyFor, receiptIdFor } from '../engine/receipts.js';
import type { RevocationList } from '../engine/revocation-list.js';
import { notSpendable, refusal, VENDOR } from '../engine/vendor-errors.js';
import { codeOf, type VendorObserver } from '../engine/vendor-observer.js';
import { recordedDebit } from '../debit-wallet/debit-idempotency.js';
import { checkDeadline, pastDeadline } from '../engine/request-deadline.js';
import type { TakeOver } from '../hand-off/take-over.js';
import { outcomeUnknown } from './outcome-unknown.js';
import type { SpendCoinsCommand, SpendOutcome } from './spend-coins.command.js';

const MAX_ATTEMPTS = 6;

/** Most coins one spend may take: verifying k coins costs k hashes, so k is bounded. */
export const MAX_COINS_PER_SPEND = 10_000;

/**
 * Refusals a stale cached state can cause (another replica or vendor moved
 * the chain on): before giving them, look again. A replay needs no second
 * look: indexes only move forward.
 */
const STALE_SENSITIVE = new Set<string>([
  SPEND.PAYWORD_SKIPPED,
  SPEND.PAYWORD_FORGED,
  SPEND.CHAIN_EXHAUSTED,
  CHAIN.BEYOND_SLICE,
  // The customer may have authorised us again since, and the broker checked a new slice out.
  CHAIN.SLICE_WITHDRAWN,
  CHAIN.NOT_CHECKED_OUT,
]);

/**
 * A refusal as the payer gets it: `recorded: false` (this request appended nothing) and, when the
 * chain was read, its `index` then. Not for 5xx answers, whose outcome may be unknown.
 */
function unrecorded(error: unknown, state: ChainState | undefined): unknown {
  if (!(error instanceof NetPayError) || error.status >= 500) return error;
  const index = state !== undefined && state.status !== 'absent' ? { index: state.index } : {};
  return new NetPayError(error.code, error.message, {
    status: error.status,
    ...(error.title === undefined ? {} : { title: error.title }),
    details: { ...error.details, ...index, recorded: false },
    cause: error,
  });
}

/** Chains this vendor accepts: its prices are whole coins of this value and currency. */
export interface AcceptedChains {
  readonly currency: string;
  /** Minor units per coin; any coin value when undefined. */
  readonly coinValue?: number;
}

export interface SpendCoinsDeps {
  readonly vendorId: string;
  /** Signs the receipts of a turn together. */
  readonly receipts: ReceiptBatcher;
  readonly clock: Clock;
  readonly states: ChainStates;
  readonly locks: ChainLocks;
  readonly takeOver: TakeOver;
  readonly revocations: RevocationList;
  readonly accepted: AcceptedChains;
  readonly observer: VendorObserver;
}

/** A spend to record; server-side debits bring the receipt id their purchase derives. */
export interface RecordSpend extends SpendCoinsCommand {
  /** Set for debits: a state whose last spend carries it is this purchase, already recorded. */
  readonly receiptId?: string;
}

interface Recorded {
  readonly spend: CoinsSpent['data'];
  readonly touchstone: Touchstone;
  readonly duplicate: boolean;
}

/**
 * Records a spend, then answers with a receipt. Under the chain's lock:
 * 1. read the state (memory → Redis → stream), 2. decide (open, valid,
 * allowed, holder, payword hashes to W[I-1]), 3. append `CoinsSpent`
 * expecting the state's revision. Only after the append is the receipt
 * signed (with the other receipts of the turn, see `ReceiptBatcher`). A
 * conflict reloads and decides again; a chain held elsewhere is taken over
 * (hand-off or claim) first.
 */
export class SpendCoinsHandler {
  constructor(private readonly deps: SpendCoinsDeps) {}

  async execute(command: SpendCoinsCommand): Promise<SpendOutcome> {
    const { observer } = this.deps;
    try {
      if (command.count > MAX_COINS_PER_SPEND) {
        throw refusal(
          VENDOR.TOO_MANY_COINS,
          `at most ${MAX_COINS_PER_SPEND} coins per spend, ${command.count} asked`,
        );
      }
      checkResource(command.resource);
      const notice = this.deps.revocations.chain(command.chainId);
      if (notice) {
        throw refusal(CHAIN.REVOKED, `chain ${command.chainId} was revoked: ${notice.reason}`, {
          chainId: command.chainId,
        });
      }
      const recorded = await this.deps.locks.run(command.chainId, () => this.recordLocked(command));
      observer.spent?.('client', command.count, recorded.duplicate);
      const { receipts } = this.deps;
      return {
        receipt: await receipts.sign(
          receiptBodyFor(recorded.spend, recorded.touchstone, command.resource, receipts.keyId),
        ),
        spend: recorded.spend,
        duplicate: recorded.duplicate,
      };
    } catch (error) {
      observer.refused?.(codeOf(error));
      throw unrecorded(error, undefined);
    }
  }

  /**
   * The spend itself; the caller holds the chain's lock. A refusal (a 4xx: nothing appended by
   * this request) says so, `recorded: false`, with the chain's `index` as this vendor last read
   * it: a wallet releases paywords only on such an answer (`packages/wallet/README.md`).
   */
  async recordLocked(command: RecordSpend): Promise<Recorded> {
    const seen: { state?: ChainState } = {};
    try {
      return await this.decideAndRecord(command, seen);
    } catch (error) {
      throw unrecorded(error, seen.state);
    }
  }

  private async decideAndRecord(command: RecordSpend, seen: { state?: ChainState }): Promise<Recorded> {
    const { vendorId, clock, states } = this.deps;
    const { chainId, position, payword, count } = command;
    const proof = { chainId, position, payword };
    const receiptId =
      command.receiptId ?? receiptIdFor(vendorId, chainId, position, payword, command.resource);
    let state = await states.current(chainId, command.touchstone);
    seen.state = state;
    // Whether `state` was read from the stream during this spend (a refusal on it then stands).
    let fromStream = false;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      seen.state = state;
      // A debit's retry found on a state looked up again (another replica recorded it meanwhile).
      const earlier = command.receiptId && recordedDebit(state, vendorId, receiptId);
      if (earlier && state.status !== 'absent') {
        return { spend: earlier, touchstone: state.touchstone, duplicate: true };
      }
      if (state.status !== 'open') {
        throw notSpendable(chainId, state.status, state.status === 'absent' ? undefined : state.reason);
      }
      this.checkAccepted(state.touchstone);
      const decision = decideSpend(state, {
        vendorId,
        proof,
        count,
        receiptId,
        resource: command.resource,
        at: clock.now().toISOString(),
      });
      if (!decision.ok) {
        if (decision.code === CHAIN.NOT_HOLDER) {
          // The take-over first checks the payment against the state: only the stream's will do (a
          // Redis record written by the replica that served a hand-off misses the new holder's spends).
          const current = fromStream ? state : await states.catchUp(state);
          // A refusal the take-over gives (a replay) states the index it was decided on.
          seen.state = current;
          state = await this.takeOver(current, command);
          fromStream = true;
          continue;
        }
        if (STALE_SENSITIVE.has(decision.code) && !fromStream) {
          ({ state, fromStream } = await states.refresh(state));
          continue;
        }
        throw refusal(decision.code, decision.message, { chainId });
      }
      if ('duplicateOf' in decision) {
        // Memory or Redis may be behind the stream (another replica handed the chain off): a
        // retry is answered again only on the stream's word, one read of its last event.
        if (!fromStream) {
          [state, fromStream] = [await states.catchUp(state), true];
          continue;
        }
        // A retry is answered again only for the same purchase, and only while we still hold the
        // chain: once it moved on, the same payword is a replay whatever our memory says.
        if (decision.duplicateOf.receiptId !== receiptId || state.holder !== vendorId) {
          throw refusal(
            SPEND.PAYWORD_REPLAYED,
            `position ${position} of chain ${chainId} was already spent`,
            { chainId },
          );
        }
        return { spend: decision.duplicateOf, touchstone: state.touchstone, duplicate: true };
      }
      const event = decision.events[0]!;
      seen.state = state;
      // A payer that stopped waiting never sees the receipt: spend nothing for it. Past the
      // deadline on a state from memory or Redis, the stream is asked first: another replica may
      // have recorded this very spend (a retry whose answer was lost), which is answered with its
      // receipt, not told "nothing was spent".
      if (!fromStream && pastDeadline(clock, command.deadline)) {
        [state, fromStream] = [await states.catchUp(state), true];
        continue;
      }
      checkDeadline(clock, command.deadline, chainId);
      try {
        await states.append(state, event, { correlationId: command.correlationId, causationId: receiptId });
        return { spend: event.data, touchstone: state.touchstone, duplicate: false };
      } catch (error) {
        if (error instanceof InvalidEventStoreRequestError) throw error; // refused before writing
        if (!(error instanceof ConcurrencyError)) throw outcomeUnknown(error, chainId);
        if (attempt === 0) ({ state, fromStream } = await states.refresh(state));
        else [state, fromStream] = [await states.catchUp(state), true];
      }
    }
    throw refusal(VENDOR.CHAIN_CONTENDED, `chain ${chainId} kept changing while spending it`, { chainId });
  }

  /**
   * Another vendor holds the chain. Before moving it here, check on a state
   * looked up during this spend that the payment could pay at all: a forged
   * or replayed payword must not pull chains from vendor to vendor.
   */
  private async takeOver(state: ChainState, command: SpendCoinsCommand): Promise<ChainState> {
    if (state.status !== 'open' || state.holder === undefined || state.holder === this.deps.vendorId)
      return state;
    const check = verifySpend({
      chain: state.touchstone,
      state: { chainId: state.chainId, index: state.index, lastPayword: state.lastPayword },
      proof: { chainId: command.chainId, position: command.position, payword: command.payword },
      count: command.count,
    });
    if (!check.ok) throw refusal(check.code, check.message, { chainId: command.chainId });
    return this.deps.takeOver.from(state, command.correlationId);
  }

  private checkAccepted(touchstone: Touchstone): void {
    const refused = coinsRefusal(this.deps.accepted, touchstone);
    if (refused) throw refused;
  }
}

/** Why a vendor accepting `accepted` refuses the chain's coins (currency, then coin value), or undefined. */
export function coinsRefusal(
  accepted: AcceptedChains,
  touchstone: Pick<Touchstone, 'chainId' | 'currency' | 'coinValue'>,
): NetPayError | undefined {
  const { currency, coinValue } = accepted;
  if (touchstone.currency !== currency) {
    return refusal(
      VENDOR.CURRENCY_NOT_ACCEPTED,
      `this vendor accepts ${currency} chains, not ${touchstone.currency}`,
      {
        chainId: touchstone.chainId,
      },
    );
  }
  if (coinValue !== undefined && touchstone.coinValue !== coinValue) {
    return refusal(
      VENDOR.COIN_VALUE_NOT_ACCEPTED,
      `prices here are in coins of ${coinValue} ${currency} minor units, the chain's coins are worth ${touchstone.coinValue}`,
      { chainId: touchstone.chainId },
    );
  }
  return undefined;
}
