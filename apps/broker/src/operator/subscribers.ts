import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { EventStore } from '#event-store';
import { type CustomerRegistered, streams } from '#events';
import { CLOCK, type Clock } from '#platform';
import { hashToken } from '../customer/customer-token.js';
import { absentCustomer, evolveCustomer, loadCustomer } from '../customer/customer.state.js';
import { BrokerSecrets } from '../shared/broker-secrets.js';
import { runCommand } from '../shared/command.js';
import { customerMetadata } from '../shared/metadata.js';
import { EVENT_STORE } from '../shared/tokens.js';
import { type OpenSubscriberAccount, OperatorBilling } from './operator-billing.js';
import { LRUCache } from 'lru-cache';

/** A subscriber of the SP: its number, its NetPay customer (wallet owner) and its billing account. */
export interface Subscriber {
  readonly msisdn: string;
  readonly customerId: string;
  readonly accountId: string;
}

/** Subscribers kept once seen (least recently used out first). */
const KEPT = 50_000;

/**
 * Mobile-NetPay subscribers. The SP knows a user by MSISDN; NetPay knows them as a customer
 * whose id is an HMAC of the number (so the number is in no NetPay stream name or event) and
 * whose "bank account" is their operator account. They get no bearer token: the operator's
 * gateway vouches for them (`OperatorGatewayGuard`), and vendors see only pseudonyms.
 */
@Injectable()
export class Subscribers {
  private readonly kept = new LRUCache<string, Subscriber>({ max: KEPT });

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly secrets: BrokerSecrets,
    private readonly billing: OperatorBilling,
  ) {}

  customerIdOf(msisdn: string): string {
    return this.secrets.id('cus', 'subscriber', msisdn);
  }

  /** The subscriber as `vendorId` knows them: a pseudonym of that vendor only. */
  pseudonymAt(customerId: string, vendorId: string): string {
    return this.secrets.id('ps', 'pseudonym', customerId, vendorId);
  }

  /**
   * Opens the billing account and the wallet owner; `false` when both exist already. A retry
   * after a crash between the two completes the second.
   */
  async provision(open: OpenSubscriberAccount): Promise<Subscriber | false> {
    const opened = await this.billing.open(open);
    const accountId = this.billing.accountIdOf(open.msisdn);
    const customerId = this.customerIdOf(open.msisdn);
    const registered = await runCommand(this.store, {
      stream: streams.customer(customerId),
      initial: absentCustomer,
      evolve: evolveCustomer,
      decide: (state) => {
        if (state.status !== 'absent') return { events: [], result: false };
        const event: CustomerRegistered = {
          type: 'CustomerRegistered',
          version: 1,
          // No bearer token exists for a subscriber: the hash of one nobody ever sees.
          data: {
            customerId,
            name: 'mobile subscriber',
            tokenHash: hashToken(`unusable.${randomBytes(32).toString('hex')}`),
            bankAccount: accountId,
            at: this.clock.now().toISOString(),
          },
        };
        return { events: [event], result: true };
      },
      metadata: customerMetadata(customerId),
    });
    if (!opened && !registered.result) return false;
    return { msisdn: open.msisdn, customerId, accountId };
  }

  /** The subscriber of a number, when the SP serves it. */
  async find(msisdn: string): Promise<Subscriber | undefined> {
    const kept = this.kept.get(msisdn);
    if (kept) return kept;
    const customerId = this.customerIdOf(msisdn);
    const customer = await loadCustomer(this.store, customerId);
    if (customer.status !== 'registered') return undefined;
    const subscriber = { msisdn, customerId, accountId: customer.bankAccount };
    this.kept.set(msisdn, subscriber);
    return subscriber;
  }
}
