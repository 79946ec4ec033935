import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EventStore } from '#event-store';
import type { PurchaseRequested } from '#events';
import { CLOCK, type Clock, idempotencyKeyReused } from '#platform';
import { paywordAt } from '#protocol';
import type { PaymentGateway, PaymentResult } from '../bank/payment-gateway.port.js';
import { BrokerConfig } from '../broker.config.js';
import { BROKER_ERROR, brokerError } from '../shared/broker-errors.js';
import { BrokerMetrics } from '../shared/broker-metrics.js';
import { BrokerSecrets } from '../shared/broker-secrets.js';
import { loadChain } from '../shared/chain-stream.js';
import { loadVendor } from '../vendor/vendor.state.js';
import { CustomerStandings } from '../customer/customer-standings.js';
import { EVENT_STORE, PAYMENT_GATEWAY } from '../shared/tokens.js';
import type { BuyCoins, CoinsPurchasedAnswer, PurchasedChain } from './buy-coins.command.js';
import { BrokerKeyRing } from '../keys/broker-key-ring.js';
import type { IssuedChain } from './chain-issuer.js';
import { purchasePaymentKey, PurchaseSettlement } from './purchase-settlement.js';
import type { SettledPurchase } from './purchase.state.js';
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
 * 3. record `PurchaseRequested` BEFORE the charge, so that a lost bank answer can be found;
 * 4. charge ONE macro-payment with a bank idempotency key derived from the purchase id;
 * 5. declined → `PurchaseDeclined`, no chain; paid → issue the chains (deterministic ids), then
 *    `CoinsPurchased` closes the purchase. A crash anywhere is repaired by retrying, or without
 *    the customer by reconciliation (`PurchaseReconciler`: completes or voids it with the bank).
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
    private readonly customers: CustomerStandings,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(PAYMENT_GATEWAY) private readonly bank: PaymentGateway,
    private readonly config: BrokerConfig,
    private readonly secrets: BrokerSecrets,
    private readonly settlement: PurchaseSettlement,
    private readonly seeds: WalletSeeds,
    private readonly metrics: BrokerMetrics,
    private readonly ring: BrokerKeyRing,
  ) {}

  async execute(command: BuyCoins): Promise<CoinsPurchasedAnswer> {
    const amount = this.checkLimits(command);
    const purchaseId = this.secrets.id('pur', 'purchase', command.customerId, command.idempotencyKey);
    await this.checkVendors(command.vendors, purchaseId);
    // A new purchase of a revoked customer is refused; a retry of one made before is answered.
    const refusal = await this.customers.refusalOf(command.customerId);
    // A new Idempotency-Key is the common case: its request is recorded at once, with no read of
    // the purchase's stream first (one store round trip less per purchase); a retry meets the
    // stored purchase as a conflict and goes on from what is stored.
    const state = refusal
      ? await this.settlement.load(purchaseId)
      : await this.settlement.request(this.requestOf(command, purchaseId, amount));
    // Only a read answers `absent`: the customer is revoked and this purchase was never made.
    if (state.status === 'absent')
      throw refusal ?? new Error(`purchase ${purchaseId} absent after its request`);
    if (state.status !== 'requested') return this.answer(state, command);
    this.checkSameRequest(state.data, command);

    const payment = await this.charge(command, purchaseId, amount);
    if (!payment.ok && payment.reason === 'idempotency-key-reused') {
      // The bank holds another charge under this purchase's key (an earlier request whose answer
      // was lost): recording a decline would make that charge unrecoverable. Refuse, record nothing.
      throw idempotencyKeyReused('This Idempotency-Key was used for another purchase; use a new key.');
    }
    if (!payment.ok) {
      // Reconciliation voided the key before this charge reached the bank: record it as voided.
      const settled =
        payment.reason === 'payment-voided'
          ? await this.settlement.void(state)
          : await this.settlement.decline(state, payment.reason);
      if (settled.ours) this.metrics.purchases.inc({ outcome: settled.state.status, wallet: command.wallet });
      return this.answer(settled.state, command);
    }

    const settled = await this.settlement.complete(state, payment.paymentRef, {
      ...(command.walletNonce ? { walletNonce: command.walletNonce } : {}),
    });
    if (settled.ours) {
      this.metrics.purchases.inc({ outcome: 'completed', wallet: command.wallet });
      this.metrics.valueIssued.inc({ currency: command.currency }, amount);
    }
    // Seeds go out once: in the answer of the call whose `CoinsPurchased` closed the purchase.
    return this.answer(settled.state, command, settled.ours ? settled.chains : undefined);
  }

  /**
   * Chains only unknown vendors may accept could never be spent: a new purchase naming one is
   * refused before anything is recorded or charged. A retry of a purchase settled before this
   * check existed (its stored answer gone) goes on to its answer instead.
   */
  private async checkVendors(vendors: readonly string[] | undefined, purchaseId: string): Promise<void> {
    for (const vendorId of vendors ?? []) {
      if ((await loadVendor(this.store, vendorId)).status === 'registered') continue;
      // Settled (charged, declined or voided): its answer stands. Recorded but never charged: a
      // charge now would buy coins no vendor can take, so it is refused like a new one.
      const earlier = (await this.settlement.load(purchaseId)).status;
      if (earlier !== 'absent' && earlier !== 'requested') return;
      throw brokerError(BROKER_ERROR.VENDOR_NOT_FOUND, `no vendor ${vendorId}`, 404);
    }
  }

  private requestOf(command: BuyCoins, purchaseId: string, amount: number): PurchaseRequested['data'] {
    return {
      purchaseId,
      customerId: command.customerId,
      bankAccount: command.bankAccount,
      coins: command.coins,
      coinValue: command.coinValue,
      amount,
      currency: command.currency,
      wallet: command.wallet,
      expiresInDays: command.expiresInDays ?? this.config.chainExpiryDays,
      ...(command.vendors ? { vendors: command.vendors } : {}),
      at: this.clock.now().toISOString(),
    };
  }

  /** A retry under the key of a purchase recorded but not settled must be the same purchase. */
  private checkSameRequest(requested: PurchaseRequested['data'], command: BuyCoins): void {
    if (
      requested.coins !== command.coins ||
      requested.coinValue !== command.coinValue ||
      requested.currency !== command.currency ||
      requested.wallet !== command.wallet
    ) {
      throw idempotencyKeyReused('This Idempotency-Key was used for another purchase; use a new key.');
    }
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
        idempotencyKey: purchasePaymentKey(purchaseId),
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

  private async answer(
    state: SettledPurchase,
    command: BuyCoins,
    issued?: readonly IssuedChain[],
  ): Promise<CoinsPurchasedAnswer> {
    const sameRequest =
      state.data.amount === command.coins * command.coinValue &&
      state.data.currency === command.currency &&
      (state.status !== 'completed' ||
        (state.data.coins === command.coins && state.data.wallet === command.wallet));
    if (!sameRequest) {
      throw idempotencyKeyReused('This Idempotency-Key was used for another purchase; use a new key.');
    }
    if (state.status === 'voided') {
      throw brokerError(
        BROKER_ERROR.PURCHASE_VOIDED,
        'The bank did not charge this purchase and it was voided by reconciliation. Nothing was charged; buy again with a new Idempotency-Key.',
        409,
        { purchaseId: state.data.purchaseId },
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
    // Completed by reconciliation: no answer showed the seeds, and none will (the wallet re-issues).
    const chains = await Promise.all(
      data.chainIds.map((chainId) =>
        this.chainOf(chainId, command, data.reconciled ? [] : issued, data.reconciled),
      ),
    );
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
    reconciled?: true,
  ): Promise<PurchasedChain> {
    const known = issued?.find((c) => c.chainId === chainId);
    let touchstone = known?.touchstone;
    let wallet = known?.wallet;
    if (!touchstone) {
      const state = await loadChain(this.store, this.ring, chainId);
      if (state.status === 'absent') throw new Error(`chain ${chainId} of a completed purchase is missing`);
      touchstone = state.touchstone;
      wallet = state.wallet;
    }
    // The chain this call issued carries its seed; only a stored one derives it again.
    const seed =
      wallet === 'client' && !reconciled
        ? (known?.seed ?? this.seeds.clientSeed(chainId, command.walletNonce))
        : undefined;
    // A retry that lost its Redis record but sends another nonce is another request: refused.
    if (
      seed !== undefined &&
      !known &&
      paywordAt(seed, chainId, touchstone.alg, touchstone.length, 0) !== touchstone.root
    ) {
      throw idempotencyKeyReused(
        'This Idempotency-Key was used with another walletNonce; retry with the same request.',
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
