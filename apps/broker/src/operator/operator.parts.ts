import type { Provider, Type } from '@nestjs/common';
import type { EventStore } from '#event-store';
import { CLOCK, type Clock, ConfigError } from '#platform';
import type { PaymentGateway } from '../bank/payment-gateway.port.js';
import { SimulatedBank } from '../bank/simulated-bank.js';
import type { BrokerConfig } from '../broker.config.js';
import { BrokerSecrets } from '../shared/broker-secrets.js';
import { EVENT_STORE, PAYMENT_GATEWAY } from '../shared/tokens.js';
import { OperatorBilling } from './operator-billing.js';
import { OperatorSubscribersBootstrap } from './operator-subscribers.bootstrap.js';
import { MobilePageController } from './mobile-page.controller.js';
import { MobileSubscriberHttpController, OperatorAdminHttpController } from './operator.http.controller.js';
import { SubscriberTokens } from './subscriber-tokens.js';
import { Subscribers } from './subscribers.js';

/** Whether this deployment is a Mobile-NetPay Service Provider (BROKER_NETWORKS has `mobile`). */
export function isMobileSp(config: BrokerConfig): boolean {
  return config.networks.includes('mobile');
}

/**
 * What BROKER_NETWORKS=mobile adds to the broker: operator billing as the payment gateway (in
 * front of the bank, which keeps web customers' accounts and payouts), subscribers, subscriber
 * tokens, and their HTTP endpoints. Nothing when the deployment is web only.
 */
export function mobileParts(
  config: BrokerConfig,
  gateway: PaymentGateway | undefined,
): { controllers: Type[]; providers: Provider[] } {
  if (!isMobileSp(config)) return { controllers: [], providers: [] };
  if (config.operatorGatewayToken === undefined) {
    throw new ConfigError('BrokerConfig', [
      {
        variable: 'OPERATOR_GATEWAY_TOKEN',
        message: "BROKER_NETWORKS=mobile needs the operator gateway's bearer token",
      },
    ]);
  }
  return {
    controllers: [OperatorAdminHttpController, MobileSubscriberHttpController, MobilePageController],
    providers: [
      {
        provide: OperatorBilling,
        inject: [EVENT_STORE, CLOCK, SimulatedBank, BrokerSecrets],
        useFactory: (store: EventStore, clock: Clock, bank: SimulatedBank, secrets: BrokerSecrets) =>
          new OperatorBilling(store, clock, gateway ?? bank, secrets.subkeyObject('operator-account/v1')),
      },
      { provide: PAYMENT_GATEWAY, useExisting: OperatorBilling },
      Subscribers,
      SubscriberTokens,
      OperatorSubscribersBootstrap,
    ],
  };
}
