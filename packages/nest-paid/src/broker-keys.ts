import type { PublicKeyRecord } from '#protocol';

/**
 * The broker's public keys to pin, from `keyId:hex,keyId:hex` (the broker's `GET /keys`, or
 * `BROKER_PUBLIC_KEYS` of the NetPay services). A malformed entry throws at start-up.
 */
export function brokerKeys(list: string): PublicKeyRecord[] {
  return list
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const split = entry.lastIndexOf(':');
      const keyId = entry.slice(0, split);
      const publicKey = entry.slice(split + 1);
      if (split < 1 || !/^[0-9a-f]{64}$/.test(publicKey))
        throw new Error(`broker key "${entry}" is not keyId:<64 hex digits of an Ed25519 public key>`);
      return { keyId, publicKey, ownerId: 'broker' };
    });
}
