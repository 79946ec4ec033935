import { P2P } from '#protocol';

/** The status an S-peer gives a refused payment's code; any other P2P code is a 402. */
export const PURCHASE_STATUS: Readonly<Record<string, number>> = {
  'P2P.MALFORMED': 400,
  'PEER.CONTENT_UNKNOWN': 404,
  [P2P.DOUBLE_SPEND]: 409,
  [P2P.PSEUDONYM_REVOKED]: 403,
  [P2P.NOT_PAYEE]: 422,
  [P2P.SELF_PAYMENT]: 422,
  [P2P.WRONG_CONTENT]: 422,
  [P2P.WRONG_PRICE]: 422,
};

/** Every code an S-peer refuses a payment with (`PeerCore.sell`: off-line checks, then double spending). */
export const PURCHASE_CODES: readonly string[] = [
  'P2P.MALFORMED',
  'PEER.CONTENT_UNKNOWN',
  P2P.TOUCHSTONE_INVALID,
  P2P.TOUCHSTONE_UNUSABLE,
  P2P.CERTIFICATE_INVALID,
  P2P.CERTIFICATE_EXPIRED,
  P2P.HOLDER_MISMATCH,
  P2P.STATEMENT_SIGNATURE_INVALID,
  P2P.NOT_PAYEE,
  P2P.SELF_PAYMENT,
  P2P.WRONG_CONTENT,
  P2P.WRONG_PRICE,
  P2P.OUT_OF_RANGE,
  P2P.PAYWORD_FORGED,
  P2P.DOUBLE_SPEND,
  P2P.PSEUDONYM_REVOKED,
];

export function purchaseStatusOf(code: string): number {
  return PURCHASE_STATUS[code] ?? 402;
}

/**
 * Another peer's refusals passed on to the owner, by what the owner asked. Only a refusal that
 * speaks of the owner's request is: of the offer, that the content is not shared there; of a
 * payment this peer made from the endpoint's own offer, what is about the owner's coins (shown
 * before, revoked, out of date) — a payment refused for its price, content or form contradicts
 * the endpoint's own offer, so it is the endpoint's failure (502). A payment the owner sends as
 * is (`send`) is the owner's: every purchase refusal speaks of it.
 */
export const PASSED_ON = {
  offer: ['PEER.CONTENT_UNKNOWN'],
  payment: [
    'PEER.CONTENT_UNKNOWN',
    P2P.DOUBLE_SPEND,
    P2P.PSEUDONYM_REVOKED,
    P2P.TOUCHSTONE_UNUSABLE,
    P2P.CERTIFICATE_EXPIRED,
  ],
  send: PURCHASE_CODES,
} as const satisfies Record<string, readonly string[]>;
