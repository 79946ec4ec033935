import { apiSchema, int, isoTime, object, oneOfValues, str } from '#platform';
import { WALLET_BALANCES, WALLET_CHAINS } from '../shared/answer-schemas.js';
import { MAX_SUBSCRIBER_AMOUNT } from './operator-billing.js';

// The Mobile-NetPay SP's HTTP answers for the broker's OpenAPI document when BROKER_NETWORKS has
// `mobile` (docs/openapi/broker-mobile.json); test/openapi-answers.int-spec.ts checks real ones.

const amount = (description: string) => int({ minimum: 0, maximum: MAX_SUBSCRIBER_AMOUNT, description });

/** `SubscriberAccountView`: a prepaid balance or a postpaid bill. */
export const SUBSCRIBER_ACCOUNT = apiSchema(
  'SubscriberAccount',
  object(
    {
      accountId: str({ pattern: '^sub_[0-9a-f]{24}$' }),
      plan: oneOfValues('prepaid', 'postpaid'),
      currency: str({ pattern: '^[A-Z]{3}$' }),
      status: oneOfValues('active', 'barred'),
      toppedUp: amount('top-ups so far, minor units'),
      charged: amount('charges so far, minor units'),
    },
    {
      balance: amount('prepaid: what is left, minor units'),
      bill: object({
        period: str({ pattern: '^\\d{4}-\\d{2}$', description: 'the bill’s month (UTC)' }),
        charged: amount('charged on this bill, minor units'),
        spendingCap: amount('most one bill may collect, minor units'),
        capLeft: amount('what the cap still allows this period, minor units'),
      }),
    },
  ),
);

/** `MobileAccountAnswer`: the account and the coins left in the subscriber's e-wallet. */
export const MOBILE_ACCOUNT = apiSchema(
  'MobileAccount',
  object({
    account: SUBSCRIBER_ACCOUNT,
    wallet: object({ balances: WALLET_BALANCES, chains: WALLET_CHAINS }),
  }),
);

/** `SubscriberTokenAnswer`. */
export const SUBSCRIBER_TOKEN = apiSchema(
  'SubscriberToken',
  object({
    vendorId: str({ pattern: '^[A-Za-z0-9_]{1,64}$' }),
    subscriberToken: str({
      pattern: '^nst1\\.',
      description: 'what the gateway injects (X-NetPay-Checkout)',
    }),
    subscriber: str({ description: 'the subscriber as that vendor knows them (a pseudonym)' }),
    expiresAt: isoTime(),
  }),
);
