import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { BrokerConfig } from '../broker.config.js';
import { SimulatedBank } from './simulated-bank.js';

/** Opens the BANK_ACCOUNTS of the config in the simulated bank (accounts that exist stay as they are). */
@Injectable()
export class BankAccountsBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger('SimulatedBank');

  constructor(
    private readonly config: BrokerConfig,
    private readonly bank: SimulatedBank,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const entry of this.config.bankAccounts) {
      const [accountId = '', currency = '', balance = '0'] = entry.split(':');
      if (await this.bank.openAccount({ accountId, currency, balance: Number(balance) })) {
        this.logger.log(`opened simulated bank account ${accountId} (${currency} ${balance})`);
      }
    }
  }
}
