import type { EventStore } from '#event-store';
import { type StoredEvent, streams } from '#events';
import type { PublicKeyRecord } from '#protocol';
import { readDecoded } from '../shared/command.js';

/** A vendor as folded from `vendor-<id>`: its keys, oldest first, and which of them are retired. */
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
      /** Ids of keys the operator retired: never certified again, no request signed with them taken. */
      readonly retired: ReadonlySet<string>;
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
      retired: new Set(),
    };
  }
  if (event.type === 'VendorShopOriginsSet' && state.status === 'registered') {
    return { ...state, shopOrigins: event.data.origins };
  }
  if (event.type === 'VendorKeyRotated' && state.status === 'registered') {
    return { ...state, keys: [...state.keys, withOwner(event.data.key, state.vendorId)] };
  }
  if (event.type === 'VendorKeyRetired' && state.status === 'registered') {
    return { ...state, retired: new Set([...state.retired, event.data.keyId]) };
  }
  return state;
}

/** The keys the broker vouches for: registered and not retired, oldest first. */
export function activeKeys(state: VendorState): readonly PublicKeyRecord[] {
  return state.status === 'registered' ? state.keys.filter((k) => !state.retired.has(k.keyId)) : [];
}

function withOwner(key: PublicKeyRecord, vendorId: string): PublicKeyRecord {
  return { keyId: key.keyId, publicKey: key.publicKey, ownerId: vendorId };
}

export async function loadVendor(store: EventStore, vendorId: string): Promise<VendorState> {
  const events = await readDecoded(store, streams.vendor(vendorId));
  return events.reduce(evolveVendor, absentVendor);
}
