import {
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  Inject,
  Injectable,
} from '@nestjs/common';
import type { EventStore } from '#event-store';
import { GuardProblems } from '#platform';
import type { FastifyRequest } from 'fastify';
import { BROKER_ERROR, brokerError } from '../shared/broker-errors.js';
import { EVENT_STORE } from '../shared/tokens.js';
import { CustomerIdentities, type CustomerIdentity } from './customer-identities.js';
import { bearerOf, customerIdOf, tokenMatches } from './customer-token.js';
import { loadCustomer } from './customer.state.js';

/**
 * Who the request is from. Only the identity: what changes in the customer's stream (authorised
 * vendors, re-issued chains) is read by the handlers that need it, from the stream.
 */
export type AuthenticatedCustomer = Pick<CustomerIdentity, 'customerId' | 'name' | 'bankAccount'>;

type WithCustomer = FastifyRequest & { customer?: AuthenticatedCustomer };

/**
 * Admits requests carrying a registered customer's bearer token (CUSTOMER.UNAUTHORISED
 * otherwise). A customer this process has not seen yet is read from its stream, so a freshly
 * registered customer is known at once on every replica; once seen, its identity (which never
 * changes) is kept and the token is checked against the kept hash.
 */
@Injectable()
@GuardProblems({ 401: [BROKER_ERROR.CUSTOMER_UNAUTHORISED] })
export class CustomerAuthGuard implements CanActivate {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly identities: CustomerIdentities,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<WithCustomer>();
    const token = bearerOf(request.headers.authorization);
    const customerId = token === undefined ? undefined : customerIdOf(token);
    if (token === undefined || customerId === undefined) throw unauthorised();
    const identity = this.identities.get(customerId) ?? (await this.load(customerId));
    if (identity === undefined || !tokenMatches(token, identity.tokenHash)) throw unauthorised();
    request.customer = {
      customerId: identity.customerId,
      name: identity.name,
      bankAccount: identity.bankAccount,
    };
    return true;
  }

  private async load(customerId: string): Promise<CustomerIdentity | undefined> {
    const customer = await loadCustomer(this.store, customerId);
    if (customer.status !== 'registered') return undefined;
    const { name, bankAccount, tokenHash } = customer;
    const identity: CustomerIdentity = { customerId, name, bankAccount, tokenHash };
    this.identities.remember(identity);
    return identity;
  }
}

function unauthorised(): Error {
  return brokerError(
    BROKER_ERROR.CUSTOMER_UNAUTHORISED,
    'A valid customer bearer token is required (Authorization: Bearer npc.…).',
    401,
  );
}

/** The customer the guard admitted. */
export const CurrentCustomer = createParamDecorator(
  (_: unknown, context: ExecutionContext): AuthenticatedCustomer => {
    const customer = context.switchToHttp().getRequest<WithCustomer>().customer;
    if (!customer) throw unauthorised();
    return customer;
  },
);
