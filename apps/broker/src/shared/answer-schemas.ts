import { PUBLIC_KEY_RECORD_SCHEMA, TOUCHSTONE_SCHEMA } from '#contracts';
import { apiSchema, arrayOf, int, isoTime, object, oneOfValues, str } from '#platform';

// The broker's HTTP answers (the interfaces next to each handler), described once for the
// OpenAPI document; test/openapi-answers.int-spec.ts validates real answers against them.

const id = () => str({ pattern: '^[A-Za-z0-9_]{1,64}$' });
const currency = () => str({ pattern: '^[A-Z]{3}$' });
const position = () => str({ pattern: '^[0-9]+$', description: 'global position in the event store' });
const withheld = (description: string) => arrayOf(str(), { description });
const recovery = () => str({ description: 'with `withheld`: how to get the coins back (re-issue)' });

const PURCHASED_CHAIN_OBJECT = object(
  {
    chainId: id(),
    alg: oneOfValues('sha256', 'md5'),
    length: int({ minimum: 1 }),
    touchstone: TOUCHSTONE_SCHEMA,
  },
  { seed: str({ pattern: '^[0-9a-f]+$', description: 'client-side wallets, first answer only: W[n+1]' }) },
);
const PURCHASED_CHAIN = apiSchema('PurchasedChain', PURCHASED_CHAIN_OBJECT);

export const CUSTOMER_REGISTERED = apiSchema(
  'CustomerRegistered',
  object(
    { customerId: id(), tokenType: oneOfValues('Bearer') },
    { token: str({ description: 'shown once' }), withheld: withheld('a replay: `["token"]`') },
  ),
);

export const COINS_PURCHASED = apiSchema(
  'CoinsPurchased',
  object(
    {
      purchaseId: str(),
      status: oneOfValues('completed'),
      coins: int({ minimum: 1 }),
      coinValue: int({ minimum: 1 }),
      amount: int({ minimum: 1, description: 'coins × coinValue, minor units' }),
      currency: currency(),
      wallet: oneOfValues('client', 'server'),
      paymentRef: str(),
      at: isoTime(),
      chains: arrayOf(PURCHASED_CHAIN),
      position: position(),
    },
    { withheld: withheld('a replay of a client-side purchase: `["chains[].seed"]`'), recovery: recovery() },
  ),
);

export const TOUCHSTONE_ANSWER = apiSchema('TouchstoneAnswer', object({ touchstone: TOUCHSTONE_SCHEMA }));

export const VENDOR_AUTHORISED = apiSchema(
  'VendorAuthorised',
  object(
    { vendorId: id(), expiresAt: isoTime() },
    {
      checkoutToken: str({ description: 'shown once' }),
      withheld: withheld('a replay: `["checkoutToken"]`'),
    },
  ),
);

export const VENDOR_DEAUTHORISED = apiSchema(
  'VendorDeauthorised',
  object({
    vendorId: id(),
    authorised: { type: 'boolean', enum: [false] },
    slicesWithdrawn: int({ minimum: 0 }),
  }),
);

/** The chains of a wallet as GET /wallet (and the operator's /mobile/account) show them. */
export const WALLET_CHAINS = arrayOf(
  object(
    {
      chainId: id(),
      wallet: oneOfValues('client', 'server'),
      status: oneOfValues('open', 'revoked', 'closed', 'expired'),
      coinValue: int({ minimum: 1 }),
      currency: currency(),
      length: int({ minimum: 1 }),
      spentIndex: int({ minimum: 0 }),
      remainingCoins: int({ minimum: 0 }),
      remainingValue: int({ minimum: 0 }),
      holder: { type: 'string', nullable: true },
      expiresAt: isoTime(),
    },
    { reissuedAs: id() },
  ),
);
export const WALLET_BALANCES = arrayOf(object({ currency: currency(), remainingValue: int({ minimum: 0 }) }));

export const WALLET = apiSchema(
  'Wallet',
  object({
    customerId: id(),
    chains: WALLET_CHAINS,
    balances: WALLET_BALANCES,
    position: position(),
  }),
);

const entry = (
  kind: string[],
  required: Parameters<typeof object>[0],
  optional: Parameters<typeof object>[1] = {},
) => object({ kind: oneOfValues(...kind), at: isoTime(), ...required }, optional);

export const WALLET_HISTORY = apiSchema(
  'WalletHistory',
  object({
    customerId: id(),
    entries: arrayOf({
      oneOf: [
        entry(['purchase'], {
          purchaseId: str(),
          wallet: oneOfValues('client', 'server'),
          coins: int(),
          coinValue: int(),
          amount: int(),
          currency: currency(),
          chainIds: arrayOf(id()),
        }),
        entry(
          ['spend'],
          {
            chainId: id(),
            vendorId: id(),
            fromIndex: int(),
            toIndex: int(),
            coins: int(),
            receiptId: str(),
          },
          { resource: str({ description: 'what it paid for, as the vendor recorded it' }) },
        ),
        entry(['hand-off'], {
          chainId: id(),
          fromVendor: id(),
          toVendor: id(),
          index: int(),
          via: oneOfValues('certificate', 'claim'),
        }),
        entry(['checkout'], { chainId: id(), vendorId: id(), index: int(), sliceEnd: int() }),
        entry(['slice-returned'], { chainId: id(), vendorId: id(), index: int() }),
        entry(['refund'], { chainId: id(), amount: int(), currency: currency(), paymentRef: str() }),
        entry(['refund-declined'], { chainId: id(), amount: int(), currency: currency(), reason: str() }),
        entry(['revoked'], { chainId: id(), reason: str() }),
        entry(['closed'], { chainId: id(), index: int(), reason: str() }),
        entry(['reissued'], { fromChainId: id(), toChainId: id(), coins: int() }),
        entry(['vendor-authorised', 'vendor-withdrawn'], { vendorId: id() }),
      ],
    }),
    total: int({ minimum: 0 }),
    vendors: arrayOf(
      object({
        vendorId: id(),
        purchases: int({ minimum: 1 }),
        coins: int({ minimum: 0 }),
        lastAt: isoTime(),
      }),
    ),
    authorisedVendors: arrayOf(id()),
    position: position(),
    at: isoTime(),
  }),
);

export const CHAIN_REVOKED = apiSchema(
  'ChainRevoked',
  object({ chainId: id(), status: oneOfValues('revoked'), reason: str() }, { position: position() }),
);

const REVOCATION_NOTICE = object(
  {
    kind: oneOfValues('chain', 'pseudonym', 'vendor', 'customer'),
    id: str(),
    reason: str(),
    at: isoTime(),
    brokerKeyId: str(),
    signature: str({ pattern: '^[0-9a-f]{128}$' }),
  },
  { lifted: { type: 'boolean', enum: [true], description: 'a lift of an earlier vendor/customer notice' } },
);

export const REVOCATIONS = apiSchema(
  'Revocations',
  object({
    revocations: arrayOf(object({ chainId: id(), reason: str(), at: isoTime(), notice: REVOCATION_NOTICE }), {
      description: 'oldest first',
    }),
    vendors: arrayOf(REVOCATION_NOTICE, {
      description:
        'the latest notice about each vendor ever suspended for fraud (a suspension, or its lift: `lifted`), oldest first',
    }),
    customers: arrayOf(REVOCATION_NOTICE, {
      description:
        'the latest notice about each customer ever revoked for fraud (a revocation, or its lift: `lifted`), oldest first',
    }),
  }),
);

export const VENDOR_STANDING = apiSchema(
  'VendorStanding',
  object(
    { vendorId: id(), status: oneOfValues('active', 'suspended'), strikes: int({ minimum: 0 }) },
    { reason: str(), since: isoTime(), notice: REVOCATION_NOTICE },
  ),
);

export const CUSTOMER_STANDING = apiSchema(
  'CustomerStanding',
  object(
    { customerId: id(), status: oneOfValues('active', 'revoked') },
    {
      reason: str(),
      since: isoTime(),
      chainsRevoked: arrayOf(id(), { description: 'chains this call revoked (reason `fraud`)' }),
      notice: REVOCATION_NOTICE,
      revokedThroughAccount: arrayOf(id(), {
        description:
          'other customers on the same bank account revoked now: this customer is refused as they are (CUSTOMER.REVOKED)',
      }),
    },
  ),
);

export const CHAIN_REISSUED = apiSchema(
  'ChainReissued',
  object(
    {
      closedChainId: id(),
      closedAtIndex: int({ minimum: 1 }),
      chain: { ...PURCHASED_CHAIN_OBJECT, nullable: true, description: 'null when nothing was left' },
    },
    { withheld: withheld('a retry: `["chain.seed"]`'), recovery: recovery() },
  ),
);

export const CASHED_OUT = apiSchema(
  'CashedOut',
  object(
    {
      chainId: id(),
      closedAtIndex: int({ minimum: 1 }),
      coins: int({ minimum: 0 }),
      amount: int({ minimum: 0, description: 'integer minor units' }),
      currency: currency(),
    },
    {
      paymentRef: str(),
      refundedTo: str({
        pattern: '^[A-Za-z0-9_]{1,64}$',
        description: 'the bank account the refund was paid to',
      }),
    },
  ),
);

const BANK_ACCOUNT_FIELDS = {
  accountId: id(),
  currency: currency(),
  balance: int(),
  maxCharge: int({ minimum: 0 }),
  status: oneOfValues('open', 'closed'),
  payments: int({ minimum: 0 }),
};
export const BANK_ACCOUNT = apiSchema('BankAccount', object(BANK_ACCOUNT_FIELDS));
export const BANK_ACCOUNT_OPENED = apiSchema(
  'BankAccountOpened',
  object({ ...BANK_ACCOUNT_FIELDS, mandate: str({ description: 'the proof of control, shown once' }) }),
);

export const BROKER_KEYS = apiSchema(
  'BrokerKeys',
  object({ currentKeyId: str(), keys: arrayOf(PUBLIC_KEY_RECORD_SCHEMA, { description: 'current first' }) }),
);
