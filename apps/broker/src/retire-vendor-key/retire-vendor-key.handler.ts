import { Inject, Injectable } from '@nestjs/common';
import type { VendorKeyReply } from '#contracts';
import type { EventStore } from '#event-store';
import { deterministicEventId, type VendorKeyRetired } from '#events';
import { CLOCK, type Clock } from '#platform';
import { BROKER_ERROR, brokerError } from '../shared/broker-errors.js';
import { EVENT_STORE } from '../shared/tokens.js';
import { VendorCertificates } from '../vendor/vendor-certificates.js';
import { activeKeys } from '../vendor/vendor.state.js';
import { runVendorCommand } from '../vendor/vendor-command.js';

/**
 * Retires one of a vendor's keys (lost, stolen, or replaced by a rotation): the broker certifies
 * it no more, so whoever holds it cannot renew its 24 h certificate, and takes no checkout
 * request signed with it; the redemption worker takes no claim signed with it. Before, a rotated
 * key stayed certified for good: a thief of the old key got a fresh certificate at every ask.
 * The vendor's last key in use cannot be retired (rotate first). Retiring it again changes nothing.
 */
@Injectable()
export class RetireVendorKeyHandler {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly certificates: VendorCertificates,
  ) {}

  async execute(vendorId: string, keyId: string): Promise<VendorKeyReply> {
    const result = await runVendorCommand(
      this.store,
      vendorId,
      (state) => {
        if (!state.keys.some((k) => k.keyId === keyId))
          throw brokerError(BROKER_ERROR.VENDOR_KEY_NOT_FOUND, `vendor ${vendorId} has no key ${keyId}`, 404);
        if (state.retired.has(keyId)) return { events: [], result: activeKeys(state) };
        const remaining = activeKeys(state).filter((k) => k.keyId !== keyId);
        if (remaining.length === 0) {
          throw brokerError(
            BROKER_ERROR.VENDOR_LAST_KEY,
            `key ${keyId} is vendor ${vendorId}'s last key in use: add its new key first (POST /vendors/${vendorId}/keys)`,
            409,
          );
        }
        const event: VendorKeyRetired = {
          type: 'VendorKeyRetired',
          version: 1,
          data: { vendorId, keyId, at: this.clock.now().toISOString() },
        };
        return { events: [event], result: remaining };
      },
      () => deterministicEventId('VendorKeyRetired', vendorId, keyId),
    );
    return { vendorId, keys: result, certificates: this.certificates.certify(vendorId, result) };
  }
}
