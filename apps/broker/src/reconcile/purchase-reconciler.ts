import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { StoredEvent } from '#events';
import { CLOCK, type Clock } from '#platform';
import type { PaymentGateway } from '../bank/payment-gateway.port.js';
import { BrokerConfig } from '../broker.config.js';
import { purchasePaymentKey, PurchaseSettlement } from '../buy-coins/purchase-settlement.js';
import { PeriodicSweeper } from '../shared/periodic-sweeper.js';
import { PAYMENT_GATEWAY } from '../shared/tokens.js';
import { WalletProjection } from '../wallet-view/wallet.projection.js';

/** What one reconciliation did to a purchase: its outcome now, or still pending. */
export type Reconciled = 'completed' | 'declined' | 'voided' | 'pending';

/**
 * Settles purchases whose bank answer is unknown: `PurchaseRequested` recorded, no outcome, older
 * than PURCHASE_RECONCILE_AFTER (the broker died between the charge and its record, or the bank
 * timed out and the customer never came back). Each is settled with the bank by its key:
 * `voidPayment` answers the charge it booked (→ the chains are issued and `CoinsPurchased`
 * recorded, `reconciled`) or its decline, or voids the key so the charge can never land later
 * (→ `PurchaseVoided`, nothing charged).
 *
 * Every replica runs it: it is idempotent by the purchase's key — the bank answers a key once,
 * chain ids derive from the purchase id, and the outcome is appended after the request's
 * revision, so two replicas (or a replica and the customer's retry) settle it once.
 */
@Injectable()
export class PurchaseReconciler extends PeriodicSweeper {
  protected readonly logger = new Logger('PurchaseReconciler');
  /** Purchase id → when it was requested (ms), for every purchase without an outcome yet. */
  private readonly pending = new Map<string, number>();

  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(PAYMENT_GATEWAY) private readonly bank: PaymentGateway,
    private readonly config: BrokerConfig,
    private readonly settlement: PurchaseSettlement,
    projection: WalletProjection,
  ) {
    super();
    // The wallet view's feed (every event, from the first): no subscription of its own.
    if (config.purchaseReconcileIntervalMs > 0) projection.follow((event) => this.track(event));
  }

  protected intervalMs(): number {
    return this.config.purchaseReconcileIntervalMs;
  }

  /** Purchases without an outcome, as this replica has seen them. */
  unsettled(): readonly string[] {
    return [...this.pending.keys()];
  }

  /** Settles one purchase with the bank, if it still has no outcome. */
  async reconcile(purchaseId: string): Promise<Reconciled> {
    const state = await this.settlement.load(purchaseId);
    if (state.status === 'absent') return 'pending';
    if (state.status !== 'requested') return state.status;
    const { bankAccount, amount, currency } = state.data;
    const answer = await this.bank.voidPayment({
      account: bankAccount,
      amount,
      currency,
      idempotencyKey: purchasePaymentKey(purchaseId),
      reference: purchaseId,
    });
    switch (answer.status) {
      case 'booked':
        // The seeds are drawn from a nonce nobody keeps: a client-side wallet re-issues the chains.
        return (
          await this.settlement.complete(state, answer.paymentRef, {
            walletNonce: randomBytes(32).toString('hex'),
            reconciled: true,
          })
        ).state.status;
      case 'declined':
        return (await this.settlement.decline(state, answer.reason, true)).state.status;
      case 'voided':
        return (await this.settlement.void(state, true)).state.status;
      case 'unsettled':
        this.logger.warn(`purchase ${purchaseId} stays unsettled: ${answer.message}`);
        return 'pending';
      default: {
        const unreachable: never = answer;
        return unreachable;
      }
    }
  }

  private track(event: StoredEvent): void {
    if (event.type === 'PurchaseRequested') {
      if (!this.pending.has(event.data.purchaseId))
        this.pending.set(event.data.purchaseId, Date.parse(event.data.at));
    } else if (
      event.type === 'CoinsPurchased' ||
      event.type === 'PurchaseDeclined' ||
      event.type === 'PurchaseVoided'
    ) {
      this.pending.delete(event.data.purchaseId);
    }
  }

  /** Settles every unsettled purchase old enough; answers how many it settled. */
  protected async sweepDue(): Promise<number> {
    const due = this.clock.now().getTime() - this.config.purchaseReconcileAfterMs;
    let settled = 0;
    for (const [purchaseId, requestedAt] of [...this.pending]) {
      if (requestedAt > due) continue;
      try {
        const outcome = await this.reconcile(purchaseId);
        if (outcome !== 'pending') {
          this.pending.delete(purchaseId);
          settled += 1;
          this.logger.log(`purchase ${purchaseId} reconciled: ${outcome}`);
        }
      } catch (error) {
        // The bank or the store is away, or the customer's retry is settling it: next sweep.
        this.logger.warn(`purchase ${purchaseId} not reconciled yet: ${String(error)}`);
      }
    }
    return settled;
  }
}
