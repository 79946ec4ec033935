import type { EventStore } from '#event-store';
import { type StoredEvent, streams } from '#events';
import type { PublicKeyRecord } from '#protocol';
import { readDecoded } from '../shared/command.js';

/** A vendor as folded from `vendor-<id>`: its keys, oldest first (old keys still verify old signatures). */
export type VendorState =
  | { readonly status: 'absent' }
  | {
      readonly status: 'registered';
      readonly vendorId: string;
      readonly name: string;
      readonly bankAccount: string;
      readonly keys: readonly PublicKeyRecord[];
      /** The shop's web origins: the only pages that may embed the wallet frame for this vendor. */
      readonly shopOrigins: readonly string[];
    };

export const absentVendor: VendorState = { status: 'absent' };

export function evolveVendor(state: VendorState, event: StoredEvent): VendorState {
  if (event.type === 'VendorRegistered') {
    const { vendorId, name, bankAccount, key } = event.data;
    return {
      status: 'registered',
      vendorId,
      name,
      bankAccount,
      keys: [withOwner(key, vendorId)],
      shopOrigins: [],
    };
  }
  if (event.type === 'VendorShopOriginsSet' && state.status === 'registered') {
    return { ...state, shopOrigins: event.data.origins };
  }
  if (event.type === 'VendorKeyRotated' && state.status === 'registered') {
    return { ...state, keys: [...state.keys, withOwner(event.data.key, state.vendorId)] };
  }
  return state;
}

function withOwner(key: PublicKeyRecord, vendorId: string): PublicKeyRecord {
  return { keyId: key.keyId, publicKey: key.publicKey, ownerId: vendorId };
}

export async function loadVendor(store: EventStore, vendorId: string): Promise<VendorState> {
  const events = await readDecoded(store, streams.vendor(vendorId));
  return events.reduce(evolveVendor, absentVendor);
}
