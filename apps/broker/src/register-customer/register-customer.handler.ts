import { Inject, Injectable } from '@nestjs/common';
import type { EventStore } from '#event-store';
import { type CustomerRegistered, streams } from '#events';
import { CLOCK, type Clock } from '#platform';
import { CustomerIdentities } from '../customer/customer-identities.js';
import { CustomerStandings } from '../customer/customer-standings.js';
import { issueCustomerToken } from '../customer/customer-token.js';
import { absentCustomer, evolveCustomer } from '../customer/customer.state.js';
import { BROKER_ERROR, brokerError } from '../shared/broker-errors.js';
import { BrokerSecrets } from '../shared/broker-secrets.js';
import { contentEventId, runCommand } from '../shared/command.js';
import { customerMetadata } from '../shared/metadata.js';
import { EVENT_STORE, PAYMENT_GATEWAY } from '../shared/tokens.js';
import type { PaymentGateway } from '../bank/payment-gateway.port.js';
import { proveAccountControl } from '../bank/ask-bank.js';
import type { CustomerRegisteredAnswer, RegisterCustomer } from './register-customer.command.js';

@Injectable()
export class RegisterCustomerHandler {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly secrets: BrokerSecrets,
    private readonly identities: CustomerIdentities,
    @Inject(PAYMENT_GATEWAY) private readonly bank: PaymentGateway,
    private readonly standings: CustomerStandings,
  ) {}

  /**
   * The customer id derives from the Idempotency-Key and the request, so a retry that lost its
   * Redis record cannot register twice: it finds the stream and is refused (the token was
   * shown once and is not kept).
   */
  async execute(command: RegisterCustomer): Promise<CustomerRegisteredAnswer> {
    const { name, bankAccount, idempotencyKey } = command;
    await proveAccountControl(this.bank, bankAccount, command.bankMandate);
    // A revoked customer does not come back under a new id with the same account.
    await this.standings.assertAccountNotRevoked(bankAccount);
    const customerId = this.secrets.id('cus', 'register', idempotencyKey, name, bankAccount);
    const { token, tokenHash } = issueCustomerToken(customerId);
    await runCommand(this.store, {
      stream: streams.customer(customerId),
      initial: absentCustomer,
      evolve: evolveCustomer,
      decide: (state) => {
        if (state.status !== 'absent') {
          throw brokerError(
            BROKER_ERROR.CUSTOMER_ALREADY_REGISTERED,
            'This registration already happened; its token was shown once. Register again with a new Idempotency-Key.',
            409,
          );
        }
        const at = this.clock.now().toISOString();
        const event: CustomerRegistered = {
          type: 'CustomerRegistered',
          version: 1,
          data: { customerId, name, tokenHash, bankAccount, at },
        };
        return { events: [event], result: undefined };
      },
      metadata: customerMetadata(customerId),
      // A new customer id: append at once. Each attempt carries its own token's hash, so its
      // event id (derived from the event) differs from a stored registration's, and a retry or
      // a concurrent twin meets it as a conflict, then is refused as above.
      assumeNew: true,
      eventId: (event) => contentEventId('CustomerRegistered', customerId, event.data),
    });
    // Stored (an append that went through, or a duplicate of this very event, its id being
    // derived from it, token hash included): the customer's first request need not read it.
    this.identities.remember({ customerId, name, bankAccount, tokenHash });
    return { customerId, token, tokenType: 'Bearer' };
  }
}
