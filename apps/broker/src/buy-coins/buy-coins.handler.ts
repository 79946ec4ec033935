import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConcurrencyError, type EventStore } from '#event-store';
import { type CoinsPurchased, decode, type PurchaseDeclined, streams, toNewEvent } from '#events';
import { CLOCK, type Clock, NetPayError, PLATFORM_ERROR } from '#platform';
import { paywordAt } from '#protocol';
import type { PaymentGateway, PaymentResult } from '../bank/payment-gateway.port.js';
import { BrokerConfig } from '../broker.config.js';
import { BROKER_ERROR, brokerError } from '../shared/broker-errors.js';
import { BrokerMetrics } from '../shared/broker-metrics.js';
import { BrokerSecrets } from '../shared/broker-secrets.js';
import { loadChain } from '../shared/chain-stream.js';
import { contentEventId } from '../shared/command.js';
import { customerMetadata } from '../shared/metadata.js';
import { EVENT_STORE, PAYMENT_GATEWAY } from '../shared/tokens.js';
import type { BuyCoins, CoinsPurchasedAnswer, PurchasedChain } from './buy-coins.command.js';
import { ChainIssuer, type IssuedChain } from './chain-issuer.js';
import { absentPurchase, evolvePurchase, planChainLengths, type PurchaseState } from './purchase.state.js';
import { WalletSeeds } from './wallet-seeds.js';

/** What a replayed client-side purchase leaves out: each chain's seed (W[n+1]). */
export const SEEDS_WITHHELD = 'chains[].seed';
export const SEEDS_RECOVERY =
  'The seeds were shown once, in the first answer to this purchase. A wallet that lost them re-issues ' +
  'each chain: POST /chains/{chainId}/reissue closes it at its index and issues its unspent coins as a ' +
  'new chain with a new seed, shown once; nothing is charged again.';

/**
 * 1. derive the purchase id from (customer, Idempotency-Key): a retry finds the same purchase;
 * 2. a purchase already decided answers as before;
 * 3. charge ONE macro-payment with a bank idempotency key derived from the purchase id;
 * 4. declined → `PurchaseDeclined`, no chain; paid → issue the chains (deterministic ids), then
 *    `CoinsPurchased` closes the purchase. A crash anywhere is repaired by retrying.
 * Client-side seeds are a secret shown once: only the call that appends `CoinsPurchased` answers
 * them (a retry of a purchase interrupted before that point still does: no answer went out yet).
 * A retry of a closed purchase answers the same chains without seeds, `withheld` and `recovery`
 * saying how to get the coins back (re-issue), so no record, log or replay holds them twice.
 */
@Injectable()
export class BuyCoinsHandler {
  private readonly logger = new Logger('BuyCoins');

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(PAYMENT_GATEWAY) private readonly bank: PaymentGateway,
    private readonly config: BrokerConfig,
    private readonly secrets: BrokerSecrets,
    private readonly issuer: ChainIssuer,
    private readonly seeds: WalletSeeds,
    private readonly metrics: BrokerMetrics,
  ) {}

  async execute(command: BuyCoins): Promise<CoinsPurchasedAnswer> {
    const amount = this.checkLimits(command);
    const purchaseId = this.secrets.id('pur', 'purchase', command.customerId, command.idempotencyKey);
    const before = await this.load(purchaseId);
    if (before.status !== 'absent') return this.answer(before, command);

    const payment = await this.charge(command, purchaseId, amount);
    if (!payment.ok && payment.reason === 'idempotency-key-reused') {
      // The bank holds another charge under this purchase's key (an earlier request whose answer
      // was lost): recording a decline would make that charge unrecoverable. Refuse, record nothing.
      throw new NetPayError(
        PLATFORM_ERROR.IDEMPOTENCY_KEY_REUSED,
        'This Idempotency-Key was used for another purchase; use a new key.',
        { status: 422 },
      );
    }
    if (!payment.ok) {
      const declined = await this.record(purchaseId, command, {
        type: 'PurchaseDeclined',
        version: 1,
        data: {
          purchaseId,
          customerId: command.customerId,
          amount,
          currency: command.currency,
          reason: payment.reason,
          at: this.clock.now().toISOString(),
        },
      });
      this.metrics.purchases.inc({ outcome: 'declined', wallet: command.wallet });
      return this.answer(declined.state, command);
    }

    const chains = await this.issueChains(command, purchaseId);
    const recorded = await this.record(purchaseId, command, {
      type: 'CoinsPurchased',
      version: 1,
      data: {
        purchaseId,
        customerId: command.customerId,
        chainIds: chains.map((c) => c.chainId),
        coins: command.coins,
        coinValue: command.coinValue,
        amount,
        currency: command.currency,
        wallet: command.wallet,
        paymentRef: payment.paymentRef,
        at: this.clock.now().toISOString(),
      },
    });
    this.metrics.purchases.inc({ outcome: 'completed', wallet: command.wallet });
    this.metrics.valueIssued.inc({ currency: command.currency }, amount);
    // Seeds go out once: in the answer of the call whose `CoinsPurchased` closed the purchase.
    return this.answer(recorded.state, command, recorded.ours ? chains : undefined);
  }

  private checkLimits(command: BuyCoins): number {
    if (!this.config.currencies.includes(command.currency)) {
      throw brokerError(
        BROKER_ERROR.PURCHASE_CURRENCY_NOT_SOLD,
        `The broker sells coins in ${this.config.currencies.join(', ')}, not ${command.currency}.`,
        422,
      );
    }
    const amount = command.coins * command.coinValue;
    if (
      command.coins > this.config.purchaseMaxCoins ||
      !Number.isSafeInteger(amount) ||
      amount > this.config.purchaseMaxAmount
    ) {
      throw brokerError(
        BROKER_ERROR.PURCHASE_TOO_LARGE,
        `One purchase buys at most ${this.config.purchaseMaxCoins} coins worth at most ${this.config.purchaseMaxAmount} minor units.`,
        422,
      );
    }
    return amount;
  }

  private async charge(command: BuyCoins, purchaseId: string, amount: number): Promise<PaymentResult> {
    try {
      return await this.bank.charge({
        account: command.bankAccount,
        amount,
        currency: command.currency,
        idempotencyKey: `netpay-${purchaseId}`,
        reference: purchaseId,
      });
    } catch (error) {
      this.logger.warn(`bank unavailable for ${purchaseId}: ${String(error)}`);
      throw brokerError(
        BROKER_ERROR.PAYMENT_UNAVAILABLE,
        // The bank may have charged before its answer was lost: say so, and how the retry settles it.
        'The bank did not answer. Retry later with the same Idempotency-Key and body: you are charged at most once.',
        503,
      );
    }
  }

  private async issueChains(command: BuyCoins, purchaseId: string): Promise<IssuedChain[]> {
    const lengths = planChainLengths(command.coins, this.config.chainMaxLength);
    const issued: IssuedChain[] = [];
    for (const [i, length] of lengths.entries()) {
      issued.push(
        await this.issuer.issue({
          chainId: this.secrets.id('ch', 'chain', purchaseId, String(i)),
          wallet: command.wallet,
          alg: this.config.chainAlg,
          length,
          coinValue: command.coinValue,
          currency: command.currency,
          expiresInDays: command.expiresInDays ?? this.config.chainExpiryDays,
          ...(command.vendors ? { vendorRestriction: command.vendors } : {}),
          customerId: command.customerId,
          purchaseId,
          ...(command.walletNonce ? { walletNonce: command.walletNonce } : {}),
        }),
      );
    }
    return issued;
  }

  private async load(purchaseId: string): Promise<PurchaseState> {
    const recorded = await this.store.readStream(streams.purchase(purchaseId));
    return recorded.reduce<PurchaseState>((state, r) => {
      const event = decode(r);
      return event ? evolvePurchase(state, event) : state;
    }, absentPurchase);
  }

  /**
   * Appends the purchase's outcome with `no_stream` and answers with the outcome stored: a
   * concurrent twin's, when it recorded first. The stream was absent when this purchase was
   * loaded, so it is not read before the append; the outcome's event id is derived from the
   * outcome itself, so a twin's (its own time) makes this append a conflict, after which the
   * stored outcome is read, while a duplicate id can only be this very outcome, already stored.
   */
  private async record(
    purchaseId: string,
    command: BuyCoins,
    event: CoinsPurchased | PurchaseDeclined,
  ): Promise<{ state: PurchaseState; ours: boolean }> {
    const outcome = toNewEvent(
      event,
      customerMetadata(command.customerId, purchaseId),
      contentEventId('PurchaseOutcome', purchaseId, event.data),
    );
    let position: bigint;
    try {
      ({ position } = await this.store.appendToStream(streams.purchase(purchaseId), [outcome], {
        expectedRevision: 'no_stream',
      }));
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) throw error;
      return { state: await this.load(purchaseId), ours: false };
    }
    return {
      state:
        event.type === 'CoinsPurchased'
          ? { status: 'completed', data: event.data, position }
          : { status: 'declined', data: event.data },
      ours: true,
    };
  }

  private async answer(
    state: PurchaseState,
    command: BuyCoins,
    issued?: readonly IssuedChain[],
  ): Promise<CoinsPurchasedAnswer> {
    if (state.status === 'absent') throw new Error('purchase outcome missing after append');
    const sameRequest =
      state.data.amount === command.coins * command.coinValue &&
      state.data.currency === command.currency &&
      (state.status === 'declined' ||
        (state.data.coins === command.coins && state.data.wallet === command.wallet));
    if (!sameRequest) {
      throw new NetPayError(
        PLATFORM_ERROR.IDEMPOTENCY_KEY_REUSED,
        'This Idempotency-Key was used for another purchase; use a new key.',
        { status: 422 },
      );
    }
    if (state.status === 'declined') {
      const { purchaseId, reason } = state.data;
      throw brokerError(
        BROKER_ERROR.PURCHASE_DECLINED,
        `The bank declined the payment: ${reason}. Nothing was charged.`,
        402,
        { purchaseId, reason },
      );
    }
    const { data } = state;
    const chains = await Promise.all(data.chainIds.map((chainId) => this.chainOf(chainId, command, issued)));
    const { purchaseId, coins, coinValue, amount, currency, wallet, paymentRef, at } = data;
    const withheld = wallet === 'client' && !issued;
    return {
      purchaseId,
      status: 'completed',
      coins,
      coinValue,
      amount,
      currency,
      wallet,
      paymentRef,
      at,
      chains,
      position: state.position.toString(),
      ...(withheld ? { withheld: [SEEDS_WITHHELD], recovery: SEEDS_RECOVERY } : {}),
    };
  }

  private async chainOf(
    chainId: string,
    command: BuyCoins,
    issued?: readonly IssuedChain[],
  ): Promise<PurchasedChain> {
    const known = issued?.find((c) => c.chainId === chainId);
    let touchstone = known?.touchstone;
    let wallet = known?.wallet;
    if (!touchstone) {
      const state = await loadChain(this.store, this.issuer.keys, chainId);
      if (state.status === 'absent') throw new Error(`chain ${chainId} of a completed purchase is missing`);
      touchstone = state.touchstone;
      wallet = state.wallet;
    }
    const seed = wallet === 'client' ? this.seeds.clientSeed(chainId, command.walletNonce) : undefined;
    // A retry that lost its Redis record but sends another nonce is another request: refused.
    if (
      seed !== undefined &&
      !known &&
      paywordAt(seed, chainId, touchstone.alg, touchstone.length, 0) !== touchstone.root
    ) {
      throw new NetPayError(
        PLATFORM_ERROR.IDEMPOTENCY_KEY_REUSED,
        'This Idempotency-Key was used with another walletNonce; retry with the same request.',
        { status: 422 },
      );
    }
    // Only chains issued by this very call show their seed (see `answer`).
    const shown = known && seed !== undefined;
    return {
      chainId,
      alg: touchstone.alg,
      length: touchstone.length,
      touchstone,
      ...(shown ? { seed } : {}),
    };
  }
}
