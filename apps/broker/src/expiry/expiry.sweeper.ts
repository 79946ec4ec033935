import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { CLOCK, type Clock } from '#platform';
import { BrokerConfig } from '../broker.config.js';
import { WalletProjection } from '../wallet-view/wallet.projection.js';
import { ExpirySettlement } from './expiry-settlement.js';

/**
 * Every EXPIRY_SWEEP_INTERVAL, settles the chains that expired more than EXPIRY_GRACE ago (the
 * grace covers vendors' clocks and spends in flight at the deadline). Every replica may run it:
 * each settlement is idempotent (see `ExpirySettlement`).
 */
@Injectable()
export class ExpirySweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ExpirySweeper');
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<number> | undefined;

  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly config: BrokerConfig,
    private readonly projection: WalletProjection,
    private readonly settlement: ExpirySettlement,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.expirySweepIntervalMs === 0) return;
    this.timer = setInterval(
      () => void this.sweep().catch(() => undefined),
      this.config.expirySweepIntervalMs,
    );
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping?.catch(() => undefined);
  }

  /** Settles every chain due; answers how many were settled. One sweep at a time. */
  sweep(): Promise<number> {
    this.sweeping ??= this.settleDue().finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  private async settleDue(): Promise<number> {
    await this.projection.waitFor();
    const before = new Date(this.clock.now().getTime() - this.config.expiryGraceMs);
    let settled = 0;
    for (const chain of this.projection.model.dueForExpiry(before)) {
      const owner = this.projection.model.ownerOf(chain.chainId);
      if (owner === undefined) continue;
      try {
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
