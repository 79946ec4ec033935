import { createCipheriv, createDecipheriv, type KeyObject, randomBytes } from 'node:crypto';
import { type BrokerSecrets } from '../shared/broker-secrets.js';

export interface CheckoutClaims {
  readonly customerId: string;
  readonly vendorId: string;
  /** Milliseconds since the epoch. */
  readonly expiresAt: number;
}

const PREFIX = 'nct.';
const AAD = Buffer.from('netpay/checkout-token/v1', 'utf8');

/**
 * Checkout tokens: the claims (customer, vendor, expiry) sealed with AES-256-GCM under a key
 * derived from BROKER_SECRET. Opaque to the vendor that carries them (it never learns the
 * customer) and unforgeable; stateless, so every broker replica checks them alike. Whether the
 * customer still authorises the vendor is checked against the customer's stream at checkout.
 */
export class CheckoutTokens {
  private readonly key: KeyObject;

  constructor(secrets: BrokerSecrets) {
    this.key = secrets.subkeyObject('checkout-token/v1');
  }

  issue(claims: CheckoutClaims): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(AAD);
    const body = Buffer.from(
      JSON.stringify({ c: claims.customerId, v: claims.vendorId, e: claims.expiresAt }),
    );
    const sealed = Buffer.concat([cipher.update(body), cipher.final()]);
    return PREFIX + Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString('base64url');
  }

  /** The claims, or undefined when the token is malformed, forged or tampered with. */
  open(token: string): CheckoutClaims | undefined {
    if (!token.startsWith(PREFIX)) return undefined;
    const raw = Buffer.from(token.slice(PREFIX.length), 'base64url');
    if (raw.length < 12 + 16 + 2) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      decipher.setAAD(AAD);
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      const body = Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]);
      const parsed = JSON.parse(body.toString('utf8')) as { c?: unknown; v?: unknown; e?: unknown };
      if (typeof parsed.c !== 'string' || typeof parsed.v !== 'string' || typeof parsed.e !== 'number')
        return undefined;
      return { customerId: parsed.c, vendorId: parsed.v, expiresAt: parsed.e };
    } catch {
      return undefined;
    }
  }
}
