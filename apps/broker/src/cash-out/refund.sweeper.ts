import { Inject, Injectable, Logger } from '@nestjs/common';
import { CLOCK, type Clock } from '#platform';
import { BrokerConfig } from '../broker.config.js';
import { CustomerStandings } from '../customer/customer-standings.js';
import { PeriodicSweeper } from '../shared/periodic-sweeper.js';
import { WalletProjection } from '../wallet-view/wallet.projection.js';
import { RefundPayment } from './refund-payment.js';

/**
 * Every REFUND_SWEEP_INTERVAL, pays the refunds of cash-outs that stopped after the chain's close
 * (the broker died before the payout or before `CoinsRefunded`, the bank or the store was away, or
 * the bank declined for a reason that may pass) and that the customer did not retry: closed more
 * than REFUND_SWEEP_AFTER ago, no refund recorded. Without it a customer the bank had paid had no
 * reason to come back, and the value stayed a liability in the audit. Not swept: a refund the bank
 * declined for good where it goes (the customer names another account), and a revoked customer's
 * (kept for the operator's review; swept again once the revocation is lifted). Every replica may
 * run it: a refund is paid under the chain's one key and recorded under a deterministic id.
 */
@Injectable()
export class RefundSweeper extends PeriodicSweeper {
  protected readonly logger = new Logger('RefundSweeper');

  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly config: BrokerConfig,
    private readonly projection: WalletProjection,
    private readonly customers: CustomerStandings,
    private readonly refunds: RefundPayment,
  ) {
    super();
  }

  protected intervalMs(): number {
    return this.config.refundSweepIntervalMs;
  }

  /** Pays every refund due; answers how many were paid. */
  protected async sweepDue(): Promise<number> {
    await this.projection.waitFor();
    const before = new Date(this.clock.now().getTime() - this.config.refundSweepAfterMs);
    let paid = 0;
    for (const chain of this.projection.model.dueForRefund(before)) {
      const owner = this.projection.model.ownerOf(chain.chainId);
      if (owner === undefined) continue;
      try {
        if (await this.customers.refusalOf(owner)) continue;
        const outcome = await this.refunds.finish(owner, chain.chainId);
        if (outcome.status !== 'paid') continue;
        paid += 1;
        this.logger.log(
          `chain ${chain.chainId} cashed out: refund paid to ${outcome.account} (${outcome.paymentRef})`,
        );
      } catch (error) {
        // Declined (recorded, owed), or the bank or the store is away: the next sweep tries again.
        this.logger.warn(`chain ${chain.chainId}: cash-out refund not paid yet: ${String(error)}`);
      }
    }
    return paid;
  }
}
