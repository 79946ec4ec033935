import {
  checkSubscriberToken,
  decodeSubscriberToken,
  isSubscriberToken,
  ProtocolError,
  type KeyRing,
  type SubscriberToken,
} from '#protocol';
import { NetPayError } from '#platform';

/** Refusals of a subscriber token at a vendor (all 403: the caller must get a fresh one from the SP). */
export const MOBILE_REFUSAL_STATUS: Readonly<Record<string, number>> = {
  'SUBSCRIBER_TOKEN.INVALID': 403,
  'SUBSCRIBER_TOKEN.EXPIRED': 403,
  'SUBSCRIBER_TOKEN.NOT_YET_VALID': 403,
  'SUBSCRIBER_TOKEN.WRONG_VENDOR': 403,
  'SUBSCRIBER_TOKEN.GRANT_INVALID': 403,
};

export { isSubscriberToken };

/**
 * A Mobile-NetPay subscriber token this vendor may act on: it parses, the operator (the broker,
 * whose keys are pinned in BROKER_PUBLIC_KEYS) signed it, it is valid now and bound to this
 * vendor, and its wallet grants are the operator's for this vendor. Anything else is refused
 * before the wallet is touched, with a stable code (SUBSCRIBER_TOKEN.*, 403).
 */
export function openSubscriberToken(
  compact: string,
  vendorId: string,
  operatorKeys: KeyRing,
  now: Date,
): SubscriberToken {
  let token: SubscriberToken;
  try {
    token = decodeSubscriberToken(compact);
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    throw refused('SUBSCRIBER_TOKEN.INVALID', `not a subscriber token: ${error.message}`);
  }
  const check = checkSubscriberToken(token, operatorKeys, { vendorId, now });
  if (!check.ok) throw refused(check.code, check.message);
  return token;
}

function refused(code: string, message: string): NetPayError {
  return new NetPayError(code, message, { status: MOBILE_REFUSAL_STATUS[code] ?? 403 });
}
