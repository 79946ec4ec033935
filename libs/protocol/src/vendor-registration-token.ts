import { createHmac, timingSafeEqual } from 'node:crypto';

/** Domain tag of a vendor's registration token (HMAC input: the tag, a NUL, the vendor id). */
export const VENDOR_REGISTRATION_TAG = 'netpay/vendor-registration/v1';
const PREFIX = 'nvr1.';

/**
 * The token with which vendor `vendorId`, and only it, registers itself at the broker
 * (`POST /vendors`, `VENDOR_REGISTRATION_TOKEN`): HMAC-SHA256 under BROKER_SECRET of the tag and
 * the vendor id. It registers that vendor id once (or repeats the same registration); it is not
 * the admin token, so a vendor holding it cannot add keys to another vendor, reinstate itself,
 * revoke customers or run the night. The operator derives it with
 * `scripts/vendor-registration-token.mjs`; the broker recomputes it, so nothing is stored.
 */
export function vendorRegistrationToken(brokerSecretHex: string, vendorId: string): string {
  const mac = createHmac('sha256', Buffer.from(brokerSecretHex, 'hex'))
    .update(`${VENDOR_REGISTRATION_TAG}\u0000${vendorId}`, 'utf8')
    .digest('hex');
  return PREFIX + mac;
}

/** Whether `token` is `vendorId`'s registration token (constant time in the token). */
export function isVendorRegistrationToken(brokerSecretHex: string, vendorId: string, token: string): boolean {
  const expected = Buffer.from(vendorRegistrationToken(brokerSecretHex, vendorId), 'utf8');
  const given = Buffer.from(token, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
