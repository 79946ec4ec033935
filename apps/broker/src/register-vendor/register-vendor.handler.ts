import { Inject, Injectable } from '@nestjs/common';
import type { VendorKeyReply } from '#contracts';
import type { EventStore } from '#event-store';
import { deterministicEventId, streams, type VendorRegistered } from '#events';
import { CLOCK, type Clock } from '#platform';
import { BROKER_ERROR, brokerError } from '../shared/broker-errors.js';
import { runCommand } from '../shared/command.js';
import { adminMetadata } from '../shared/metadata.js';
import { EVENT_STORE } from '../shared/tokens.js';
import { absentVendor, activeKeys, evolveVendor } from '../vendor/vendor.state.js';
import { VendorCertificates } from '../vendor/vendor-certificates.js';
import type { RegisterVendorRequest } from './register-vendor.request.dto.js';

/** Registers a vendor and its first public key; repeating the same registration changes nothing. */
@Injectable()
export class RegisterVendorHandler {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly certificates: VendorCertificates,
  ) {}

  async execute(request: RegisterVendorRequest): Promise<VendorKeyReply> {
    const { vendorId, name, bankAccount } = request;
    const key = { keyId: request.key.keyId, publicKey: request.key.publicKey, ownerId: vendorId };
    const { result } = await runCommand(this.store, {
      stream: streams.vendor(vendorId),
      initial: absentVendor,
      evolve: evolveVendor,
      decide: (state) => {
        if (state.status === 'registered') {
          const first = state.keys[0];
          const same =
            state.name === name &&
            state.bankAccount === bankAccount &&
            first?.keyId === key.keyId &&
            first.publicKey === key.publicKey;
          if (!same)
            throw brokerError(
              BROKER_ERROR.VENDOR_ALREADY_REGISTERED,
              `vendor ${vendorId} is registered already; rotate keys with POST /vendors/${vendorId}/keys`,
              409,
            );
          return { events: [], result: activeKeys(state) };
        }
        const event: VendorRegistered = {
          type: 'VendorRegistered',
          version: 1,
          data: { vendorId, name, key, bankAccount, at: this.clock.now().toISOString() },
        };
        return { events: [event], result: [key] };
      },
      metadata: adminMetadata(),
      eventId: () => deterministicEventId('VendorRegistered', vendorId),
    });
    return { vendorId, keys: result, certificates: this.certificates.certify(vendorId, result) };
  }
}
