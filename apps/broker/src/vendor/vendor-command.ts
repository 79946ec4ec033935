import type { EventStore } from '#event-store';
import { streams, type VendorEvent } from '#events';
import { BROKER_ERROR, brokerError } from '../shared/broker-errors.js';
import { type Decided, runCommand } from '../shared/command.js';
import { adminMetadata } from '../shared/metadata.js';
import { absentVendor, evolveVendor, type VendorState } from './vendor.state.js';

export type RegisteredVendor = Extract<VendorState, { status: 'registered' }>;

/**
 * An operator's command on a registered vendor (`vendor-<id>`): 404 VENDOR.NOT_FOUND for a vendor
 * the broker does not know, else `decide` on its folded state.
 */
export async function runVendorCommand<E extends VendorEvent, R>(
  store: EventStore,
  vendorId: string,
  decide: (state: RegisteredVendor) => Decided<E, R>,
  eventId?: (event: E, index: number) => string,
): Promise<R> {
  const { result } = await runCommand(store, {
    stream: streams.vendor(vendorId),
    initial: absentVendor,
    evolve: evolveVendor,
    decide: (state) => {
      if (state.status !== 'registered')
        throw brokerError(BROKER_ERROR.VENDOR_NOT_FOUND, `no vendor ${vendorId}`, 404);
      return decide(state);
    },
    metadata: adminMetadata(),
    ...(eventId ? { eventId } : {}),
  });
  return result;
}
