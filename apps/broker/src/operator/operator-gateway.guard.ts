import { type CanActivate, createParamDecorator, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { BearerSecret, GuardProblems } from '#platform';
import { BrokerConfig } from '../broker.config.js';
import { brokerError } from '../shared/broker-errors.js';
import { OPERATOR_ERROR } from './operator-errors.js';
import { type Subscriber, Subscribers } from './subscribers.js';

/** The header the operator's gateway sets to the subscriber's number (header enrichment). */
export const MSISDN_HEADER = 'x-msisdn';
export const MSISDN = /^\+[1-9][0-9]{6,14}$/;

type WithSubscriber = FastifyRequest & { subscriber?: Subscriber };

/**
 * Admits requests that came through the operator's gateway: it authenticates the handset on the
 * operator's network and tells the SP who it is (`X-MSISDN`), proving itself with
 * OPERATOR_GATEWAY_TOKEN. The subscriber never has a password (OPERATOR.GATEWAY_UNAUTHORISED
 * without the gateway, OPERATOR.SUBSCRIBER_UNKNOWN for a number the SP does not serve).
 */
@Injectable()
@GuardProblems({
  401: [OPERATOR_ERROR.GATEWAY_UNAUTHORISED],
  403: [OPERATOR_ERROR.SUBSCRIBER_UNKNOWN],
})
export class OperatorGatewayGuard implements CanActivate {
  private readonly gateway: BearerSecret | undefined;

  constructor(
    config: BrokerConfig,
    private readonly subscribers: Subscribers,
  ) {
    this.gateway = config.operatorGatewayToken ? new BearerSecret(config.operatorGatewayToken) : undefined;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<WithSubscriber>();
    if (!this.gateway?.admits(request.headers.authorization)) {
      throw brokerError(
        OPERATOR_ERROR.GATEWAY_UNAUTHORISED,
        "Subscriber calls come through the operator's gateway (its bearer token and X-MSISDN).",
        401,
      );
    }
    const msisdn = request.headers[MSISDN_HEADER];
    const subscriber =
      typeof msisdn === 'string' && MSISDN.test(msisdn) ? await this.subscribers.find(msisdn) : undefined;
    if (subscriber === undefined) {
      throw brokerError(
        OPERATOR_ERROR.SUBSCRIBER_UNKNOWN,
        'The gateway named no subscriber of this SP.',
        403,
      );
    }
    request.subscriber = subscriber;
    return true;
  }
}

export const CurrentSubscriber = createParamDecorator((_: unknown, context: ExecutionContext): Subscriber => {
  const subscriber = context.switchToHttp().getRequest<WithSubscriber>().subscriber;
  if (!subscriber) throw brokerError(OPERATOR_ERROR.SUBSCRIBER_UNKNOWN, 'no subscriber', 403);
  return subscriber;
});
