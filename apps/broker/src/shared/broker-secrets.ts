import { createHmac } from 'node:crypto';

/**
 * Keyed derivations from BROKER_SECRET. Ids derived through an HMAC are stable across retries
 * (a retried purchase finds the same purchase, bank charge and chains) yet reveal nothing: a
 * chain id cannot be linked to the customer or purchase it came from without the secret.
 */
export class BrokerSecrets {
  private readonly key: Buffer;

  constructor(secretHex: string) {
    this.key = Buffer.from(secretHex, 'hex');
  }

  /** A subkey for one purpose (HKDF-like expand of a single block). */
  subkey(purpose: string): Buffer {
    return this.mac('subkey', purpose);
  }

  /** An opaque id `<prefix>_<32 hex>` from its parts; safe as a stream id. */
  id(prefix: string, ...parts: readonly string[]): string {
    return `${prefix}_${this.mac('id', prefix, ...parts)
      .subarray(0, 16)
      .toString('hex')}`;
  }

  mac(...parts: readonly string[]): Buffer {
    const h = createHmac('sha256', this.key);
    // Length-prefixed parts: ("ab","c") and ("a","bc") never collide.
    for (const part of parts) {
      const bytes = Buffer.from(part, 'utf8');
      const len = Buffer.alloc(4);
      len.writeUInt32BE(bytes.length);
      h.update(len).update(bytes);
    }
    return h.digest();
  }
}
