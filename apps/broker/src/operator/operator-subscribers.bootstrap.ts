import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { BrokerConfig } from '../broker.config.js';
import { Subscribers } from './subscribers.js';

/** Opens the OPERATOR_SUBSCRIBERS of the config (accounts that exist stay as they are). */
@Injectable()
export class OperatorSubscribersBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger('OperatorBilling');

  constructor(
    private readonly config: BrokerConfig,
    private readonly subscribers: Subscribers,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const entry of this.config.operatorSubscribers) {
      const [msisdn = '', plan = '', currency = '', amount = '0'] = entry.split(':');
      const postpaid = plan === 'postpaid';
      const opened = await this.subscribers.provision({
        msisdn,
        plan: postpaid ? 'postpaid' : 'prepaid',
        currency,
        ...(postpaid ? { spendingCap: Number(amount) } : { balance: Number(amount) }),
      });
      if (opened)
        this.logger.log(`opened ${plan} subscriber account ${opened.accountId} (${currency} ${amount})`);
    }
  }
}
