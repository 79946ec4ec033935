import {
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  Inject,
  Injectable,
} from '@nestjs/common';
import type { EventStore } from '#event-store';
import type { FastifyRequest } from 'fastify';
import { BROKER_ERROR, brokerError } from '../shared/broker-errors.js';
import { EVENT_STORE } from '../shared/tokens.js';
import { bearerOf, customerIdOf, tokenMatches } from './customer-token.js';
import { type CustomerState, loadCustomer } from './customer.state.js';

export type AuthenticatedCustomer = Extract<CustomerState, { status: 'registered' }>;

type WithCustomer = FastifyRequest & { customer?: AuthenticatedCustomer };

/**
 * Admits requests carrying a registered customer's bearer token (CUSTOMER.UNAUTHORISED
 * otherwise). Reads the customer's stream, so a freshly registered customer is known at once
 * on every replica.
 */
@Injectable()
export class CustomerAuthGuard implements CanActivate {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<WithCustomer>();
    const token = bearerOf(request.headers.authorization);
    const customerId = token === undefined ? undefined : customerIdOf(token);
    if (token === undefined || customerId === undefined) throw unauthorised();
    const customer = await loadCustomer(this.store, customerId);
    if (customer.status !== 'registered' || !tokenMatches(token, customer.tokenHash)) throw unauthorised();
    request.customer = customer;
    return true;
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
