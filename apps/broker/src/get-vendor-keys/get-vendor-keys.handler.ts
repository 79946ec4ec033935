import { Inject, Injectable } from '@nestjs/common';
import type { VendorKeyReply } from '#contracts';
import type { EventStore } from '#event-store';
import { BROKER_ERROR, brokerError } from '../shared/broker-errors.js';
import { EVENT_STORE } from '../shared/tokens.js';
import { activeKeys, loadVendor } from '../vendor/vendor.state.js';
import { VendorCertificates } from '../vendor/vendor-certificates.js';
import { VendorStandings } from '../vendor/vendor-standings.js';

/** A registered, not suspended vendor's keys in use (each with `ownerId` = the vendor), oldest first. */
@Injectable()
export class GetVendorKeysHandler {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly certificates: VendorCertificates,
    private readonly standings: VendorStandings,
  ) {}

  async execute(vendorId: string): Promise<VendorKeyReply> {
    const vendor = await loadVendor(this.store, vendorId);
    if (vendor.status !== 'registered')
      throw brokerError(BROKER_ERROR.VENDOR_NOT_FOUND, `no vendor ${vendorId}`, 404);
    // A vendor suspended for fraud gets no fresh key certificates (VENDOR.SUSPENDED): other vendors
    // stop accepting its hand-off requests once the one it holds expires (24 h at most).
    await this.standings.assertActive(vendorId);
    // A retired key is neither served nor certified: whoever holds it cannot renew its certificate.
    const keys = activeKeys(vendor);
    return { vendorId, keys, certificates: this.certificates.certify(vendorId, keys) };
  }
}
