import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  type KeyObject,
  createSecretKey,
  randomBytes,
} from 'node:crypto';

const PREFIX = 'nsv1.';
const PURPOSE = 'netpay/vendor-redis-seal/v1';

/**
 * Values a vendor keeps in a Redis other vendors may reach (one cache Redis serves every vendor:
 * `deploy/README.md`): AES-256-GCM under a key derived from this vendor's own signing key, with
 * the value's Redis key (its chain, token hash or debit scope) as associated data. Another
 * vendor reading the cache learns no payword of a customer's wallet slice, and one writing
 * there cannot plant a slice, a token's chain or a kept debit, nor move one to another key:
 * such a value does not open and counts as absent (a cache miss: a new checkout, never money).
 * The replicas of one vendor share its key, so they read each other's values; after a key
 * rotation the older values are misses.
 */
export class SealedValues {
  private readonly key: KeyObject;

  constructor(vendorPrivateKeyHex: string) {
    this.key = createSecretKey(
      createHmac('sha256', Buffer.from(vendorPrivateKeyHex, 'hex')).update(PURPOSE, 'utf8').digest(),
    );
  }

  seal(redisKey: string, plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(redisKey, 'utf8'));
    const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString('base64url');
  }

  /** The plaintext, or undefined when the value was not sealed by this vendor for this key. */
  open(redisKey: string, value: string | null | undefined): string | undefined {
    if (typeof value !== 'string' || !value.startsWith(PREFIX)) return undefined;
    const raw = Buffer.from(value.slice(PREFIX.length), 'base64url');
    if (raw.length < 12 + 16) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(redisKey, 'utf8'));
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      return undefined;
    }
  }
}
