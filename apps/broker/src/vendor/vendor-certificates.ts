import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '#platform';
import { signVendorKeyCertificate, type PublicKeyRecord, type VendorKeyCertificate } from '#protocol';
import { BrokerKeyRing } from '../keys/broker-key-ring.js';

/**
 * How long a vendor key certificate is valid. Vendors fetch a new one after half of it; a key
 * the broker stops vouching for (a vendor removed) is trusted by others for at most this long.
 */
export const VENDOR_CERTIFICATE_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * The broker certifies each registered key of a vendor with its current signing key: other
 * vendors check hand-off requests and certificates with the certified key, against the broker
 * keys they pinned, without asking the broker. Issued on registration, rotation and every
 * vendor-keys request (a fresh validity window each time).
 */
@Injectable()
export class VendorCertificates {
  constructor(
    private readonly ring: BrokerKeyRing,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  certify(vendorId: string, keys: readonly PublicKeyRecord[]): VendorKeyCertificate[] {
    const now = this.clock.now().getTime();
    return keys.map((key) =>
      signVendorKeyCertificate(
        {
          vendorId,
          keyId: key.keyId,
          publicKey: key.publicKey,
          notBefore: new Date(now).toISOString(),
          notAfter: new Date(now + VENDOR_CERTIFICATE_TTL_MS).toISOString(),
          brokerKeyId: this.ring.currentKeyId,
        },
        this.ring.signer,
      ),
    );
  }
}
