import { Inject, Injectable } from '@nestjs/common';
import type { VendorKeyReply } from '#contracts';
import type { EventStore } from '#event-store';
import { deterministicEventId, type VendorKeyRotated } from '#events';
import { CLOCK, type Clock } from '#platform';
import { BROKER_ERROR, brokerError } from '../shared/broker-errors.js';
import { EVENT_STORE } from '../shared/tokens.js';
import type { VendorKeyDto } from '../vendor/vendor-key.dto.js';
import { activeKeys } from '../vendor/vendor.state.js';
import { runVendorCommand } from '../vendor/vendor-command.js';
import { VendorCertificates } from '../vendor/vendor-certificates.js';
import { VendorStandings } from '../vendor/vendor-standings.js';

/**
 * Adds a vendor's new key. Older keys stay served until the operator retires them
 * (`RetireVendorKeyHandler`). Adding the same key again changes nothing.
 */
@Injectable()
export class RotateVendorKeyHandler {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly certificates: VendorCertificates,
    private readonly standings: VendorStandings,
  ) {}

  async execute(vendorId: string, newKey: VendorKeyDto): Promise<VendorKeyReply> {
    // No new key, hence no certificate, for a vendor suspended for fraud.
    await this.standings.assertActive(vendorId);
    const key = { keyId: newKey.keyId, publicKey: newKey.publicKey, ownerId: vendorId };
    const result = await runVendorCommand(
      this.store,
      vendorId,
      (state) => {
        const existing = state.keys.find((k) => k.keyId === key.keyId);
        if (existing && state.retired.has(key.keyId)) {
          throw brokerError(
            BROKER_ERROR.VENDOR_KEY_ID_TAKEN,
            `vendor ${vendorId}'s key ${key.keyId} was retired: add the new key under a new key id`,
            409,
          );
        }
        if (existing) {
          if (existing.publicKey !== key.publicKey) {
            throw brokerError(
              BROKER_ERROR.VENDOR_KEY_ID_TAKEN,
              `vendor ${vendorId} already has a different key ${key.keyId}`,
              409,
            );
          }
          return { events: [], result: activeKeys(state) };
        }
        const event: VendorKeyRotated = {
          type: 'VendorKeyRotated',
          version: 1,
          data: { vendorId, key, at: this.clock.now().toISOString() },
        };
        return { events: [event], result: [...activeKeys(state), key] };
      },
      () => deterministicEventId('VendorKeyRotated', vendorId, key.keyId),
    );
    return { vendorId, keys: result, certificates: this.certificates.certify(vendorId, result) };
  }
}
