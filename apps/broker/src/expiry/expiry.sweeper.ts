import { Inject, Injectable, Logger } from '@nestjs/common';
import { CLOCK, type Clock } from '#platform';
import { BrokerConfig } from '../broker.config.js';
import { CustomerStandings } from '../customer/customer-standings.js';
import { PeriodicSweeper } from '../shared/periodic-sweeper.js';
import { WalletProjection } from '../wallet-view/wallet.projection.js';
import { ExpirySettlement } from './expiry-settlement.js';

/**
 * Every EXPIRY_SWEEP_INTERVAL, settles the chains that expired more than EXPIRY_GRACE ago (the
 * grace covers vendors' clocks and spends in flight at the deadline). Every replica may run it:
 * each settlement is idempotent (see `ExpirySettlement`). Under EXPIRY_POLICY=refund, a chain
 * whose owner is revoked, or is refused through a revoked bank account, waits for the lift: its
 * refund would pay the account the revocation covers (as the refund sweep holds a revoked
 * customer's cash-out refund). Kept value pays no account, so `keep` settles it as usual.
 */
@Injectable()
export class ExpirySweeper extends PeriodicSweeper {
  protected readonly logger = new Logger('ExpirySweeper');

  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly config: BrokerConfig,
    private readonly projection: WalletProjection,
    private readonly settlement: ExpirySettlement,
    private readonly customers: CustomerStandings,
  ) {
    super();
  }

  protected intervalMs(): number {
    return this.config.expirySweepIntervalMs;
  }

  /** Settles every chain due; answers how many were settled. */
  protected async sweepDue(): Promise<number> {
    await this.projection.waitFor();
    const before = new Date(this.clock.now().getTime() - this.config.expiryGraceMs);
    let settled = 0;
    for (const chain of this.projection.model.dueForExpiry(before)) {
      const owner = this.projection.model.ownerOf(chain.chainId);
      if (owner === undefined) continue;
      try {
        // Only a refund would pay the revoked account; kept value is settled as usual.
        if (this.config.expiryPolicy === 'refund' && (await this.customers.refusalOf(owner))) continue;
        const outcome = await this.settlement.settle(chain.chainId, owner);
        if (outcome.status === 'settled') {
          settled += 1;
          this.logger.log(
            `chain ${chain.chainId} expired: ${outcome.data.amount} ${outcome.data.currency} ${outcome.data.policy}`,
          );
        }
      } catch (error) {
        this.logger.warn(`chain ${chain.chainId} not settled at expiry yet: ${String(error)}`);
      }
    }
    return settled;
  }
}
