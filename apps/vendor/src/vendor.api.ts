import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { RECEIPT_SCHEMA } from '#contracts';
import { apiSchema, arrayOf, int, isoTime, object, oneOfValues, str } from '#platform';
import { SPEND } from '#protocol';
import { statusOf } from './engine/vendor-errors.js';
import { MOBILE_REFUSAL_STATUS } from './mobile/subscriber-token.js';

// The vendor's HTTP answers and refusals for the OpenAPI document; test/openapi-answers.int-spec.ts
// checks real answers against them.

const id = () => str({ pattern: '^[A-Za-z0-9_]{1,64}$' });

/**
 * What the vendor's own requests over NATS fail with, passed on: to the broker (a touchstone, its
 * key certificate, a checkout) and to the vendor holding a chain (a hand-off).
 */
const REMOTE_FAILURES = ['NATS.UNAVAILABLE', 'RPC.TIMEOUT', 'RPC.NO_RESPONDERS', 'RPC.FAILED'] as const;

/**
 * A chain another vendor holds is taken over first (`TakeOver`): our key certificate from the
 * broker (CERTIFICATE.MISSING), and the holder's refusal of our hand-off request passed on (its
 * clock judges our request and certificate; a reply that is not a hand-off reply).
 */
const TAKE_OVER_REFUSALS = [
  'HANDOFF.CERTIFICATE_INVALID',
  'HANDOFF.CERTIFICATE_MISMATCH',
  'HANDOFF.STALE',
  'HANDOFF.BAD_REPLY',
  'HANDOFF.VENDOR_REVOKED',
  'HANDOFF.VENDOR_SUSPENDED',
  'CERTIFICATE.INVALID',
  'CERTIFICATE.EXPIRED',
  'CERTIFICATE.NOT_YET_VALID',
  'CERTIFICATE.MISSING',
  'CLAIM.HOLDER_CHANGED',
  'CHAIN.CONTENDED',
] as const;

/** What a spend of a client-side chain can be refused with (the payment itself, its chain, its touchstone). */
export const SPEND_REFUSALS = [
  ...Object.values(SPEND),
  'SPEND.CURRENCY_NOT_ACCEPTED',
  'SPEND.COIN_VALUE_NOT_ACCEPTED',
  'SPEND.TOO_MANY_COINS',
  'SPEND.RESOURCE_INVALID',
  'TOUCHSTONE.EXPIRED',
  'TOUCHSTONE.NOT_YET_VALID',
  'TOUCHSTONE.VENDOR_NOT_ALLOWED',
  'TOUCHSTONE.SIGNATURE_INVALID',
  'TOUCHSTONE.MISMATCH',
  'TOUCHSTONE.UNAVAILABLE',
  'CHAIN.NOT_FOUND',
  'CHAIN.REVOKED',
  'CHAIN.CLOSED',
  'CHAIN.WRONG_WALLET_KIND',
  // A payword of a server-side wallet: spent only through a checkout, within its slice.
  'CHAIN.NOT_CHECKED_OUT',
  'CHAIN.SLICE_WITHDRAWN',
  'CHAIN.BEYOND_SLICE',
  // The chain is held by another vendor: the hand-off that moves it here can fail.
  ...TAKE_OVER_REFUSALS,
  // This vendor is suspended for fraud: the broker certifies none of its keys.
  'VENDOR.SUSPENDED',
  'REQUEST.DEADLINE_INVALID',
  'REQUEST.DEADLINE_EXCEEDED',
  ...REMOTE_FAILURES,
] as const;

/** What a debit of a server-side wallet (checkout token) can be refused with. */
export const DEBIT_REFUSALS = [
  'CHECKOUT.TOKEN_INVALID',
  'CHECKOUT.TOKEN_EXPIRED',
  'CHECKOUT.VENDOR_NOT_AUTHORISED',
  'CHECKOUT.HELD_ELSEWHERE',
  'CHECKOUT.NO_COINS',
  'CHAIN.SLICE_WITHDRAWN',
  'CHAIN.BEYOND_SLICE',
  'CHAIN.NOT_CHECKED_OUT',
  'CHAIN.NOT_HOLDER',
  'CHAIN.REVOKED',
  'CHAIN.CLOSED',
  'CHAIN.CONTENDED',
  'WALLET.NO_PAYWORDS',
  'SPEND.TOO_MANY_COINS',
  'SPEND.RESOURCE_INVALID',
  // This vendor is suspended for fraud: the broker checks out no wallet to it.
  'VENDOR.SUSPENDED',
  // The broker's refusals of the checkout, passed on: the customer is revoked, its wallet view is
  // behind, the signed checkout request is out of the broker's window or its key unknown there.
  'CUSTOMER.REVOKED',
  'PROJECTION.BEHIND',
  'CHECKOUT.STALE',
  'CHECKOUT.SIGNATURE_INVALID',
  // A checkout token the signed checkout request cannot carry (over 1024 UTF-8 bytes, control characters).
  'PROTOCOL.BAD_LENGTH',
  'PROTOCOL.BAD_VALUE',
  // A Mobile-NetPay subscriber token in place of the checkout token.
  ...Object.keys(MOBILE_REFUSAL_STATUS),
  // The Idempotency-Key names another purchase (resource or count).
  'IDEMPOTENCY.KEY_REUSED',
  // The spend of the released paywords (as POST /spends records it).
  'CHAIN.NOT_FOUND',
  'SPEND.PAYWORD_FORGED',
  'SPEND.PAYWORD_REPLAYED',
  'SPEND.PAYWORD_SKIPPED',
  'SPEND.CHAIN_EXHAUSTED',
  'SPEND.CURRENCY_NOT_ACCEPTED',
  'SPEND.COIN_VALUE_NOT_ACCEPTED',
  'TOUCHSTONE.EXPIRED',
  'TOUCHSTONE.NOT_YET_VALID',
  'TOUCHSTONE.VENDOR_NOT_ALLOWED',
  'TOUCHSTONE.SIGNATURE_INVALID',
  // Another vendor holds the wallet: it is taken over with the broker's grant.
  'HANDOFF.WALLET_NOT_AUTHORISED',
  ...TAKE_OVER_REFUSALS,
  'REQUEST.DEADLINE_INVALID',
  'REQUEST.DEADLINE_EXCEEDED',
  ...REMOTE_FAILURES,
] as const;

/**
 * Codes raised with a status of their own rather than through `refusal` (whose status is
 * `statusOf`): the NATS request client's failures and the subscriber token's refusals.
 */
const RAISED_STATUS: Readonly<Record<string, number>> = {
  'RPC.TIMEOUT': 503,
  'RPC.NO_RESPONDERS': 503,
  'RPC.FAILED': 502,
  'SUBSCRIBER_TOKEN.MISSING': 401,
  ...MOBILE_REFUSAL_STATUS,
};

/** One documented response per status, naming every code of `codes` the vendor answers with it. */
export function ApiRefusals(
  codes: readonly string[],
  extra: Readonly<Record<number, string>> = {},
): MethodDecorator {
  const byStatus = new Map<number, Set<string>>();
  for (const code of codes) {
    const status = RAISED_STATUS[code] ?? statusOf(code);
    byStatus.set(status, (byStatus.get(status) ?? new Set()).add(code));
  }
  return applyDecorators(
    ...[...byStatus].map(([status, set]) =>
      ApiResponse({
        status,
        description: [extra[status], [...set].sort().join(', ')].filter(Boolean).join(' '),
      }),
    ),
  );
}

export const SPEND_ANSWER = apiSchema(
  'SpendAnswer',
  object({
    receipt: RECEIPT_SCHEMA,
    duplicate: { type: 'boolean', description: 'true: this payment was recorded before (a retry)' },
  }),
);

export const CHAIN_VIEW = apiSchema(
  'VendorChainView',
  object(
    {
      chainId: id(),
      status: oneOfValues('open', 'handoff-pending', 'revoked', 'closed'),
      holder: { type: 'string', nullable: true },
      heldHere: { type: 'boolean' },
      index: int({ minimum: 1, description: 'I: the next unspent position' }),
      revision: int(),
      wallet: oneOfValues('client', 'server'),
      length: int({ minimum: 1 }),
      coinValue: int({ minimum: 1 }),
      currency: str({ pattern: '^[A-Z]{3}$' }),
      expiresAt: isoTime(),
    },
    { handOff: object({ fromVendor: id(), since: isoTime() }) },
  ),
);

export const VENDOR_IDENTITY = apiSchema(
  'VendorIdentity',
  object({
    vendorId: id(),
    keys: arrayOf(
      object({ keyId: str(), publicKey: str({ pattern: '^[0-9a-f]{64}$' }) }, { ownerId: str() }),
    ),
  }),
);

const ITEM_FIELDS = { id: str(), title: str(), teaser: str() };
export const PRICED_LIST = apiSchema(
  'PricedItems',
  arrayOf(object({ ...ITEM_FIELDS, coins: int({ minimum: 1 }) })),
);
export const SOLD_ITEM = apiSchema(
  'SoldItem',
  object(
    { item: object({ ...ITEM_FIELDS, body: str({ description: 'what was paid for' }) }) },
    { receiptId: str({ description: 'the receipt of this payment (also in X-NetPay-Receipt-Id)' }) },
  ),
);

export const SHOP_CATALOG = apiSchema(
  'ShopCatalog',
  object({
    vendorId: id(),
    name: str(),
    brokerUrl: str(),
    accept: object({ currency: str({ pattern: '^[A-Z]{3}$' }), coinValue: int({ minimum: 1 }) }),
    sections: arrayOf(
      object({
        key: str(),
        title: str(),
        path: str(),
        action: str(),
        items: arrayOf(object({ ...ITEM_FIELDS, coins: int({ minimum: 1 }) })),
      }),
    ),
  }),
);

export const MOBILE_WALLET = apiSchema(
  'MobileWallet',
  object({
    subscriber: str({ description: "the operator's pseudonym of the subscriber, for this vendor only" }),
    coinsLeft: int({ minimum: 0 }),
    until: isoTime(),
  }),
);
