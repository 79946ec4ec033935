import { ApiBody } from '@nestjs/swagger';
import {
  contentId,
  INDEX_ENTRY_SCHEMA,
  P2P_PAYMENT_SCHEMA,
  P2P_REDEMPTION_SCHEMA,
  pseudonym,
} from '#contracts';
import { ApiRefusalCodes, apiSchema, arrayOf, bool, int, object, oneOfValues, str } from '#platform';
import { P2P } from '#protocol';
import { PASSED_ON, PURCHASE_CODES, purchaseStatusOf } from './purchase-refusals.js';

// The peer's HTTP requests, answers and refusals for its OpenAPI document; the answers are checked
// against real ones in test/openapi-p2p-answers.int-spec.ts.

const hex32 = () => str({ pattern: '^[0-9a-f]{64}$' });
type Codes = Record<number, string[]>;

function merge(...all: Readonly<Record<number, readonly string[]>>[]): Codes {
  const out: Codes = {};
  for (const codes of all)
    for (const [status, list] of Object.entries(codes)) (out[Number(status)] ??= []).push(...list);
  return out;
}

/** What an S-peer refuses a payment with (`PeerCore.sell`: off-line checks, then double spending). */
export const PURCHASE_REFUSALS: Codes = merge(
  ...PURCHASE_CODES.map((code) => ({ [purchaseStatusOf(code)]: [code] })),
);

/**
 * The CIS's refusals of a signed call, which the control API passes on with their code: with their
 * status when it speaks of the owner's request, else 502 (a 401 about the peer's own signed call
 * is no wrong bearer token of the owner's); an answer that is no NetPay one is PEER.CIS_BAD_ANSWER.
 */
const CIS_CALL_REFUSALS: Codes = {
  502: ['P2P.CALL_SIGNATURE_INVALID', 'P2P.CALL_STALE', 'P2P.CALL_REPLAYED', 'PEER.CIS_BAD_ANSWER'],
  403: [P2P.PSEUDONYM_REVOKED],
  404: ['CIS.PEER_NOT_REGISTERED'],
  409: ['CIS.BUSY'],
};
const CONTROL: Codes = { 401: ['AUTH.UNAUTHORISED'] };
const CIS_AWAY: Codes = {
  502: ['PEER.CIS_BAD_ANSWER'],
  503: ['PEER.CIS_UNREACHABLE', 'PEER.NOT_REGISTERED'],
};
/** The codes of another peer's refusals that reach the owner, at this peer's status for each. */
const passed = (codes: readonly string[]): Codes =>
  merge(...codes.map((code) => ({ [purchaseStatusOf(code)]: [code] })));
/**
 * Another peer is untrusted: only its refusals that speak of the owner's request are passed on
 * (`PASSED_ON`), at our status; any other refusal is `502 PEER.REFUSED`, its failure or an
 * answer that is not what a peer answers `502 PEER.BAD_ANSWER`, its absence (or its 503) `503`.
 */
const OTHER_PEER: Codes = {
  502: ['PEER.REFUSED', 'PEER.BAD_ANSWER'],
  503: ['PEER.UNREACHABLE'],
};
/** A control body that is not an object of the route's fields (`readObject`). */
const BODY_SHAPE: Codes = { 400: ['PROTOCOL.BAD_TYPE', 'PROTOCOL.MISSING_FIELD', 'PROTOCOL.UNKNOWN_FIELD'] };

export const ApiPurchaseRefusals = (): MethodDecorator => ApiRefusalCodes(PURCHASE_REFUSALS);
export const ApiControlRefusals = (...more: Codes[]): MethodDecorator =>
  ApiRefusalCodes(merge(CONTROL, ...more));
export const BUY_REFUSALS = merge(BODY_SHAPE, CIS_CALL_REFUSALS, CIS_AWAY, {
  400: ['CIS.COINS_INVALID'],
  403: ['CIS.PURCHASE_CAPPED', 'CIS.TOKENS_INSUFFICIENT'],
  502: [P2P.TOUCHSTONE_INVALID],
});
export const FETCH_REFUSALS = merge(
  BODY_SHAPE,
  OTHER_PEER,
  passed([...PASSED_ON.offer, ...PASSED_ON.payment]),
  {
    400: ['REQUEST.INVALID'],
    409: ['PEER.PRICE_ABOVE_MAX'],
    422: ['WALLET.INSUFFICIENT_COINS', P2P.SELF_PAYMENT],
    502: ['PEER.CONTENT_CORRUPT', 'PEER.OFFER_UNLISTED'],
    503: ['PEER.PRICE_UNKNOWN', 'PEER.NOT_REGISTERED'],
  },
);
/** The owner's payment: refused here when it is no payment, else every S-peer refusal of it is passed on. */
export const SEND_REFUSALS = merge(BODY_SHAPE, OTHER_PEER, passed(PASSED_ON.send), {
  400: ['REQUEST.INVALID'],
});
/** `cis` and `store` are optional: no field is missing, a body that is not an object is refused. */
export const LINKS_REFUSALS: Codes = { 400: ['PROTOCOL.BAD_TYPE', 'PROTOCOL.UNKNOWN_FIELD'] };
export const REDEEM_REFUSALS = merge(CIS_CALL_REFUSALS, CIS_AWAY);
export const SEARCH_REFUSALS = CIS_AWAY;

export const OFFER = apiSchema(
  'PeerOffer',
  object({
    payee: pseudonym(),
    contentId: contentId(),
    title: str(),
    price: int({ minimum: 1, description: 'coins' }),
    sha256: hex32(),
  }),
);
export const OFFERS = arrayOf(OFFER);

const RECEIPT_FIELDS = {
  digest: hex32(),
  payee: pseudonym(),
  chainId: str(),
  fromIndex: int({ minimum: 1 }),
  toIndex: int({ minimum: 1 }),
};

export const SALE = apiSchema(
  'PeerSale',
  object({
    receipt: object({
      ...RECEIPT_FIELDS,
      recorded: oneOfValues('store', 'journal'),
    }),
    contentId: contentId(),
    sha256: hex32(),
    data: str({ format: 'byte', description: 'the content, base64' }),
  }),
);

export const PurchaseBody = (): MethodDecorator =>
  ApiBody({ schema: object({ payment: P2P_PAYMENT_SCHEMA }) });

export const LINKS = object({ cis: bool(), store: bool() });

export const PEER_STATUS = apiSchema(
  'PeerStatus',
  object({
    pseudonym: { ...pseudonym(), nullable: true },
    walletCoins: int({ minimum: 0 }),
    links: LINKS,
    store: bool(),
    stats: object({
      sold: int({ minimum: 0 }),
      coinsEarned: int({ minimum: 0 }),
      bought: int({ minimum: 0 }),
      coinsSpent: int({ minimum: 0 }),
      refused: int({ minimum: 0 }),
      recordedOnline: int({ minimum: 0 }),
      journalled: int({ minimum: 0 }),
    }),
    unredeemed: int({ minimum: 0 }),
  }),
);

export const BOUGHT = object({ chainId: str(), coins: int({ minimum: 1 }) });
export const INDEX_ENTRIES = arrayOf(INDEX_ENTRY_SCHEMA);
export const FETCHED = apiSchema(
  'PeerFetched',
  object({
    receipt: object({ ...RECEIPT_FIELDS, recorded: oneOfValues('store', 'journal') }),
    bytes: int({ minimum: 0 }),
    sha256: hex32(),
    payment: P2P_PAYMENT_SCHEMA,
  }),
);
export const REDEEMED = P2P_REDEMPTION_SCHEMA;

const endpoint = () => str({ pattern: '^https?://', maxLength: 300, description: "another peer's base URL" });
export const BuyBody = (): MethodDecorator => ApiBody({ schema: object({ coins: int({ minimum: 1 }) }) });
export const FetchBody = (): MethodDecorator =>
  ApiBody({
    schema: object(
      { endpoint: endpoint(), contentId: contentId() },
      {
        maxPrice: int({
          minimum: 1,
          description:
            'coins: the most this fetch pays; without it, the price the CIS index lists for the payee and content',
        }),
      },
    ),
  });
export const SendBody = (): MethodDecorator =>
  ApiBody({ schema: object({ endpoint: endpoint(), contentId: contentId(), payment: P2P_PAYMENT_SCHEMA }) });
export const LinksBody = (): MethodDecorator =>
  ApiBody({ schema: object({}, { cis: bool(), store: bool() }) });
