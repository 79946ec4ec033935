import { Inject, Injectable } from '@nestjs/common';
import type { VendorKeyReply } from '#contracts';
import type { EventStore } from '#event-store';
import { BROKER_ERROR, brokerError } from '../shared/broker-errors.js';
import { EVENT_STORE } from '../shared/tokens.js';
import { loadVendor } from '../vendor/vendor.state.js';
import { VendorCertificates } from '../vendor/vendor-certificates.js';

/** A registered vendor's public keys (each with `ownerId` = the vendor), oldest first. */
@Injectable()
export class GetVendorKeysHandler {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly certificates: VendorCertificates,
  ) {}

  async execute(vendorId: string): Promise<VendorKeyReply> {
    const vendor = await loadVendor(this.store, vendorId);
    if (vendor.status !== 'registered')
      throw brokerError(BROKER_ERROR.VENDOR_NOT_FOUND, `no vendor ${vendorId}`, 404);
    return { vendorId, keys: vendor.keys, certificates: this.certificates.certify(vendorId, vendor.keys) };
  }
}
