import { checkVendorKeyCertificate, DEFAULT_FRESHNESS_WINDOW_MS, type PublicKeyRecord } from '#protocol';
import type { VendorKeyCertificate } from '#protocol';
import { refusal } from './vendor-errors.js';

/**
 * The broker's public keys this vendor trusts: pinned from its configuration
 * (BROKER_PUBLIC_KEYS), never learned from a NATS reply — whoever answers a
 * request could answer with a key of their own. Other vendors' keys are
 * trusted only through a certificate one of these keys signed.
 */
export class KeyDirectory {
  readonly broker: readonly PublicKeyRecord[];

  constructor(pinned: readonly PublicKeyRecord[]) {
    this.broker = [...pinned];
  }

  brokerKey(keyId: string): PublicKeyRecord | undefined {
    return this.broker.find((k) => k.keyId === keyId);
  }

  /**
   * The key `certificate` vouches for, if a pinned broker key signed it, it is
   * valid at `now`, and it is for `vendorId` (and `keyId` when given);
   * CERTIFICATE.* refusal otherwise.
   */
  certifiedKey(
    certificate: VendorKeyCertificate,
    use: { readonly vendorId: string; readonly keyId?: string; readonly now: Date },
  ): PublicKeyRecord {
    const check = checkVendorKeyCertificate(certificate, this.broker, {
      ...use,
      skewMs: DEFAULT_FRESHNESS_WINDOW_MS,
    });
    if (!check.ok) throw refusal(check.code, check.message, { vendorId: use.vendorId });
    return check.key;
  }
}
