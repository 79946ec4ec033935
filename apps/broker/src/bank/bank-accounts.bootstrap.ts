import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { BrokerConfig } from '../broker.config.js';
import { SimulatedBank } from './simulated-bank.js';

/**
 * Opens the BANK_ACCOUNTS of the config in the simulated bank (accounts that exist stay as they
 * are). An entry names its mandate (`id:CUR:balance:mandate`), which its owner shows to register:
 * the operator gave it to them. Without one the bank draws a mandate nobody learns, and nobody
 * can register with the account; open it through `POST /bank/accounts` instead.
 */
@Injectable()
export class BankAccountsBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger('SimulatedBank');

  constructor(
    private readonly config: BrokerConfig,
    private readonly bank: SimulatedBank,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const entry of this.config.bankAccounts) {
      const [accountId = '', currency = '', balance = '0', mandate] = entry.split(':');
      const open = { accountId, currency, balance: Number(balance), ...(mandate ? { mandate } : {}) };
      if (await this.bank.openAccount(open)) {
        this.logger.log(`opened simulated bank account ${accountId} (${currency} ${balance})`);
      }
    }
  }
}
