import { LRUCache } from 'lru-cache';
import type { ChainState } from '#chain';
import { CHAIN, withdrawnGrant } from '#chain';
import type { Clock } from '#platform';
import { idempotencyKeyReused, NetPayError } from '#platform';
import {
  checkWalletGrant,
  SPEND,
  newNonce,
  parseWalletGrant,
  signCheckoutRequest,
  type Signer,
  type WalletGrant,
} from '#protocol';
import type { KeyDirectory } from '../engine/key-directory.js';
import type { BrokerClient } from '../broker/broker-client.js';
import type { ChainLocks } from '../engine/chain-locks.js';
import type { ChainStates } from '../engine/chain-states.js';
import type { TouchstoneBook } from '../engine/touchstone-book.js';
import { checkDeadline } from '../engine/request-deadline.js';
import { notSpendable, refusal, VENDOR } from '../engine/vendor-errors.js';
import type { ReceiptBatcher } from '../engine/receipt-batcher.js';
import { checkResource, receiptBodyFor } from '../engine/receipts.js';
import type { TakeOver } from '../hand-off/take-over.js';
import {
  type AcceptedChains,
  coinsRefusal,
  type SpendCoinsHandler,
} from '../spend-coins/spend-coins.handler.js';
import type { SpendOutcome } from '../spend-coins/spend-coins.command.js';
import type { DebitWalletCommand } from './debit-wallet.command.js';
import { codeOf, type VendorObserver } from '../engine/vendor-observer.js';
import {
  debitReceiptIdFor,
  debitScopeFor,
  recordedDebit,
  requireIdempotencyKey,
} from './debit-idempotency.js';
import { tokenHash, type WalletSlices } from './wallet-slices.js';
import { isSubscriberToken, openSubscriberToken } from '../mobile/subscriber-token.js';

export interface DebitWalletDeps {
  readonly vendorId: string;
  /** Signs the receipts of a turn together. */
  readonly receipts: ReceiptBatcher;
  readonly clock: Clock;
  readonly states: ChainStates;
  readonly locks: ChainLocks;
  readonly broker: BrokerClient;
  readonly touchstones: TouchstoneBook;
  readonly slices: WalletSlices;
  readonly takeOver: TakeOver;
  readonly spends: SpendCoinsHandler;
  /** Paywords asked for per checkout: more than one purchase, so the broker is not asked every time. */
  readonly checkoutCoins: number;
  readonly observer: VendorObserver;
  /** Signs checkout requests: the broker gives a token's wallet only to the vendor it names. */
  readonly signer: Signer;
  /** Pinned broker keys: a wallet grant is kept only when they verify it. */
  readonly keys: KeyDirectory;
  /** The coins this vendor accepts: its checkouts ask for those only. */
  readonly accepted?: AcceptedChains;
}

/**
 * Server-side e-wallet: the vendor pays itself from paywords the broker
 * released to it (or the previous vendor passed on), recording each purchase
 * as a `CoinsSpent` whose proof is the released payword. 1. find the chain
 * the token stands for (a checkout from the broker the first time), 2. under
 * the chain's lock, take the chain over if another vendor holds it (its
 * unspent paywords come with the hand-off), 3. pick W[I+k-1] from the slice
 * (checking out more when the slice ends), 4. spend it like a payer would.
 */
export class DebitWalletHandler {
  /** The broker's latest grant per chain held elsewhere: shown to the holder with the hand-off request. */
  private readonly grants = new LRUCache<string, WalletGrant>({ max: 10_000 });
  /** First uses of an Idempotency-Key (by scope) being debited now in this process. */
  private readonly inFlight = new Map<string, Promise<{ receiptId: string; outcome: SpendOutcome }>>();

  constructor(private readonly deps: DebitWalletDeps) {}

  async execute(given: DebitWalletCommand): Promise<SpendOutcome> {
    const { observer } = this.deps;
    try {
      checkResource(given.resource);
      const command = isSubscriberToken(given.checkoutToken) ? await this.fromSubscriber(given) : given;
      const key = requireIdempotencyKey(command.idempotencyKey);
      const checkoutTokenHash = tokenHash(command.checkoutToken);
      const receiptId = debitReceiptIdFor({
        vendorId: this.deps.vendorId,
        checkoutTokenHash,
        idempotencyKey: key,
        resource: command.resource,
        count: command.count,
      });
      const scope = debitScopeFor({ vendorId: this.deps.vendorId, checkoutTokenHash, idempotencyKey: key });
      const kept = await this.deps.slices.keptDebit(scope);
      if (kept !== undefined) {
        if (kept.receiptId !== receiptId) {
          throw keyReusedForAnotherPurchase();
        }
        observer.spent?.('server', command.count, true);
        return { receipt: kept.receipt, spend: kept.spend, duplicate: true };
      }
      // A first use of this key already running in this process: its answer is ours (no second
      // spend, even when another purchase is spent between the two; the kept answer is written
      // only after the chain's lock is released).
      const running = this.inFlight.get(scope);
      if (running !== undefined) {
        const earlier = await running.catch(() => undefined);
        if (earlier !== undefined) {
          if (earlier.receiptId !== receiptId) {
            throw keyReusedForAnotherPurchase();
          }
          observer.spent?.('server', command.count, true);
          return { receipt: earlier.outcome.receipt, spend: earlier.outcome.spend, duplicate: true };
        }
      }
      const first = this.firstUse(command, scope, receiptId).then((outcome) => ({ receiptId, outcome }));
      this.inFlight.set(scope, first);
      try {
        return (await first).outcome;
      } finally {
        if (this.inFlight.get(scope) === first) this.inFlight.delete(scope);
      }
    } catch (error) {
      observer.refused?.(codeOf(error));
      throw error;
    }
  }

  /** The debit itself, the first time its key is seen (see `execute`). */
  private async firstUse(
    command: DebitWalletCommand,
    scope: string,
    receiptId: string,
  ): Promise<SpendOutcome> {
    const { observer } = this.deps;
    let chainId =
      (await this.deps.slices.chainForToken(command.checkoutToken)) ?? (await this.checkout(command));
    // At most once the broker moves the wallet to another chain (the one we had ran out).
    for (let attempt = 0; ; attempt++) {
      const current = chainId;
      const result = await this.deps.locks.run(current, () =>
        this.debitLocked(current, command, receiptId, attempt === 0),
      );
      if ('moved' in result) {
        chainId = result.moved;
        continue;
      }
      observer.spent?.('server', command.count, result.duplicate);
      const { receipts } = this.deps;
      const receipt = await receipts.sign(
        receiptBodyFor(result.spend, result.touchstone, command.resource, receipts.keyId),
      );
      // Recorded already: a failure to keep the answer must not turn the purchase into an error
      // (a retry then still meets the spend as the chain's last one, as before).
      await this.deps.slices
        .keepDebit(scope, { receiptId, receipt, spend: result.spend })
        .catch(() => undefined);
      return { receipt, spend: result.spend, duplicate: result.duplicate };
    }
  }

  /**
   * Mobile-NetPay: the operator's gateway brought a subscriber token. Verified (SUBSCRIBER_TOKEN.*
   * otherwise), it stands for its wallet handle from here on. When another vendor holds one of
   * the wallet's chains, the token's grants let us take it over from that vendor by hand-off:
   * the SP is not asked (checkout only when no vendor holds the wallet, or our slice runs out).
   */
  private async fromSubscriber(command: DebitWalletCommand): Promise<DebitWalletCommand> {
    const { vendorId, keys, clock, slices, states } = this.deps;
    const token = openSubscriberToken(command.checkoutToken, vendorId, keys.broker, clock.now());
    const handle = token.wallet;
    // Verified grants for this vendor: kept, so a later take-over need not ask the SP for one.
    for (const grant of token.grants) this.keepGrant(grant.chainId, grant);
    if ((await slices.chainForToken(handle)) === undefined) {
      for (const grant of token.grants) {
        const state = await states.current(grant.chainId);
        if (state.status !== 'open' || state.holder === undefined) continue;
        // Not a chain of coins we accept: taken over, it would be held here with every payword refused.
        if (this.deps.accepted && coinsRefusal(this.deps.accepted, state.touchstone)) continue;
        await slices.bindToken(handle, grant.chainId);
        break;
      }
    }
    return { ...command, checkoutToken: handle };
  }

  private async debitLocked(
    chainId: string,
    command: DebitWalletCommand,
    receiptId: string,
    mayMove: boolean,
  ): Promise<Awaited<ReturnType<SpendCoinsHandler['recordLocked']>> | { moved: string }> {
    try {
      return await this.debitOn(
        await this.deps.states.current(chainId),
        chainId,
        command,
        receiptId,
        mayMove,
      );
    } catch (error) {
      // The customer withdrew our authority: the slice is theirs again, never to be spent here.
      if (error instanceof NetPayError && error.code === CHAIN.SLICE_WITHDRAWN) {
        await this.deps.slices.drop(chainId);
        throw error;
      }
      // The payword was picked on a cached state that missed spends made elsewhere (another
      // vendor claimed the wallet while we were down): pick again on the stream's state.
      if (!(error instanceof NetPayError) || !STALE_PICK.has(error.code)) throw error;
      const fresh = await this.deps.states.reload(chainId);
      return this.debitOn(fresh, chainId, command, receiptId, mayMove);
    }
  }

  private async debitOn(
    current: ChainState,
    chainId: string,
    command: DebitWalletCommand,
    receiptId: string,
    mayMove: boolean,
    reloaded = false,
  ): Promise<Awaited<ReturnType<SpendCoinsHandler['recordLocked']>> | { moved: string }> {
    const { vendorId, slices } = this.deps;
    let state = current;
    // A retry of the purchase recorded last: answered again, whoever holds the chain now.
    const earlier = recordedDebit(state, vendorId, receiptId);
    if (earlier && state.status !== 'absent') {
      return { spend: earlier, touchstone: state.touchstone, duplicate: true };
    }
    // Past its deadline (it waited for the chain's lock behind slow work, or the client gave up)
    // a debit asks nobody anything: no hand-off, no checkout. Otherwise each late task in the
    // chain's queue still cost broker round trips before its append was refused, and under load
    // the queue grew faster than it drained.
    checkDeadline(this.deps.clock, command.deadline, chainId);
    // Another vendor holds the wallet: take it over (a stale view may name the wrong holder: look again).
    for (
      let attempt = 0;
      attempt < 3 && state.status === 'open' && state.holder !== undefined && state.holder !== vendorId;
      attempt++
    ) {
      const { grant, moved } = await this.grantFor(state, command);
      // The broker released another chain of the wallet to us (one nobody holds) rather than a
      // grant for this one: pay from it. Asking the holder without a grant is refused (403).
      if (moved !== undefined && mayMove) return { moved };
      state = await this.deps.takeOver.from(state, command.correlationId, grant);
    }
    if (state.status !== 'open') {
      throw notSpendable(chainId, state.status, state.status === 'absent' ? undefined : state.reason);
    }
    const position = state.index + command.count - 1;
    let payword = await slices.payword(chainId, position);
    if (payword === undefined) {
      // Our slice ends (or was lost with Redis): the broker releases more, maybe of another chain.
      checkDeadline(this.deps.clock, command.deadline, chainId);
      const next = await this.checkout(command);
      if (next !== chainId && mayMove) return { moved: next };
      payword = await slices.payword(chainId, position);
      // The broker named this very chain as held by another vendor, where our state said nobody
      // (or we) held it: that state is stale (the chain was checked out and moved on elsewhere
      // since we read it; a vendor folds only the chains it touches). Read the stream and take the
      // wallet over from the vendor it names, once.
      if (payword === undefined && next === chainId && !reloaded) {
        const fresh = await this.deps.states.reload(chainId);
        if (fresh.status === 'open' && fresh.holder !== undefined && fresh.holder !== state.holder)
          return this.debitOn(fresh, chainId, command, receiptId, mayMove, true);
      }
    }
    if (payword === undefined) {
      throw refusal(
        VENDOR.WALLET_NO_PAYWORDS,
        `no released paywords cover ${command.count} coins of chain ${chainId}`,
        { chainId },
      );
    }
    return this.deps.spends.recordLocked({
      chainId,
      position,
      payword,
      count: command.count,
      resource: command.resource,
      receiptId,
      correlationId: command.correlationId,
      ...(command.deadline === undefined ? {} : { deadline: command.deadline }),
    });
  }

  /**
   * The broker's grant to take `chainId` over: the one kept from the last refusal while it is
   * valid, else asked again (a checkout the broker refuses with HELD_ELSEWHERE and a new grant,
   * issued only while the customer still authorises this vendor). Without one, the holder refuses.
   * `moved`: the broker checked another chain of the wallet out to us instead. Any other answer
   * of the broker is passed on as it is: asking the holder without a grant turned every one into
   * 403 HANDOFF.WALLET_NOT_AUTHORISED, final for the wallet SDK — for a broker away (503, retry)
   * or a chain with too few coins left (CHECKOUT.NO_COINS, buy more) alike.
   */
  private async grantFor(
    state: ChainState,
    command: DebitWalletCommand,
  ): Promise<{ readonly grant?: WalletGrant; readonly moved?: string }> {
    if (state.status === 'absent') return {};
    const { chainId } = state;
    if (this.usableGrant(state)) return { grant: this.grants.get(chainId) };
    const checkedOut = await this.checkout(command);
    // The broker preferred a chain nobody holds, and released a slice of it to us.
    if (checkedOut !== chainId) return { moved: checkedOut };
    return this.usableGrant(state) ? { grant: this.grants.get(chainId) } : {};
  }

  /**
   * A kept grant for the chain that is broker-signed, unexpired, and issued after our latest
   * withdrawal recorded on the chain (one from before it is void, and dropped).
   */
  private usableGrant(state: Exclude<ChainState, { status: 'absent' }>): boolean {
    const { chainId } = state;
    const grant = this.grants.get(chainId);
    if (!grant) return false;
    const { vendorId } = this.deps;
    if (withdrawnGrant(state, vendorId, grant.issuedAt) !== undefined) {
      this.grants.delete(chainId);
      return false;
    }
    const use = { chainId, vendorId, now: this.deps.clock.now() };
    return checkWalletGrant(grant, this.deps.keys.broker, use).ok;
  }

  private keepGrant(chainId: string, value: unknown): void {
    if (value === undefined) return;
    try {
      const grant = parseWalletGrant(value);
      this.grants.set(chainId, grant);
    } catch {
      // A malformed grant is as good as none: the holder will refuse.
    }
  }

  /** Checks a slice out from the broker (a signed request) and keeps it; answers the chain's id. */
  private async checkout(command: DebitWalletCommand): Promise<string> {
    const { vendorId, broker, touchstones, slices, states } = this.deps;
    const coins = Math.max(command.count, this.deps.checkoutCoins);
    let reply;
    try {
      const { signer, clock, accepted } = this.deps;
      const request = signCheckoutRequest(
        {
          vendorId,
          checkoutToken: command.checkoutToken,
          coins,
          // The slice must pay this purchase: the broker passes over a chain with fewer coins left.
          minCoins: command.count,
          // Only coins we accept: a chain of others would be held here, every payword refused.
          ...(accepted?.coinValue === undefined
            ? {}
            : { currency: accepted.currency, coinValue: accepted.coinValue }),
          at: clock.now().toISOString(),
          nonce: newNonce(),
          vendorKeyId: signer.keyId,
        },
        signer,
      );
      reply = await broker.checkoutWallet(request);
    } catch (error) {
      // Another vendor holds the wallet: it comes to us by hand-off, with its unspent paywords.
      const held = heldElsewhere(error);
      if (held === undefined) throw error;
      this.keepGrant(held.chainId, held.grant);
      await slices.bindToken(command.checkoutToken, held.chainId);
      return held.chainId;
    }
    const touchstone = await touchstones.accept(reply.touchstone);
    await slices.add(touchstone, reply.index, reply.lastPayword, reply.paywords);
    await slices.bindToken(command.checkoutToken, reply.chainId);
    // The broker recorded the checkout in the chain's stream: our cached state is behind it.
    states.forget(reply.chainId);
    return reply.chainId;
  }
}

/** Refusals of a payword picked at a stale index: the chain moved on without us knowing. */
const STALE_PICK = new Set<string>([SPEND.PAYWORD_REPLAYED, SPEND.PAYWORD_SKIPPED]);

/** Broker refusals saying another vendor holds the wallet (their details name the chain and carry a grant). */
const HELD_ELSEWHERE = new Set<string>(['CHECKOUT.HELD_ELSEWHERE', CHAIN.NOT_HOLDER]);

/** The chain (and the broker's grant to take it over) of a refusal saying another vendor holds the wallet. */
function heldElsewhere(error: unknown): { chainId: string; grant: unknown } | undefined {
  if (!(error instanceof NetPayError) || !HELD_ELSEWHERE.has(error.code)) return undefined;
  const chainId = error.details?.chainId;
  return typeof chainId === 'string' ? { chainId, grant: error.details?.walletGrant } : undefined;
}

function keyReusedForAnotherPurchase(): NetPayError {
  return idempotencyKeyReused(
    'this Idempotency-Key was already used for another purchase (resource or count); use a new key for a new purchase',
  );
}
