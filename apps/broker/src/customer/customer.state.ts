import type { EventStore } from '#event-store';
import { type StoredEvent, streams } from '#events';
import { readDecoded } from '../shared/command.js';

/** A customer as folded from `customer-<id>` (broker-private). */
export type CustomerState =
  | { readonly status: 'absent' }
  | {
      readonly status: 'registered';
      readonly customerId: string;
      readonly name: string;
      readonly tokenHash: string;
      readonly bankAccount: string;
      /** Vendors allowed to check out this customer's server-side wallet. */
      readonly authorisedVendors: ReadonlySet<string>;
      /**
       * Per vendor, when the customer last withdrew it: a retried withdrawal records that same time
       * on the chains (`VendorWithdrawn`), so it appends nothing more.
       */
      readonly withdrawnAt: ReadonlyMap<string, string>;
      /** Lost chains already re-issued: old chain id → new chain id. */
      readonly reissued: ReadonlyMap<string, string>;
    };

export const absentCustomer: CustomerState = { status: 'absent' };

export function evolveCustomer(state: CustomerState, event: StoredEvent): CustomerState {
  if (event.type === 'CustomerRegistered') {
    const { customerId, name, tokenHash, bankAccount } = event.data;
    return {
      status: 'registered',
      customerId,
      name,
      tokenHash,
      bankAccount,
      authorisedVendors: new Set(),
      withdrawnAt: new Map(),
      reissued: new Map(),
    };
  }
  if (state.status === 'absent') return state;
  switch (event.type) {
    case 'VendorAuthorised':
      return { ...state, authorisedVendors: new Set([...state.authorisedVendors, event.data.vendorId]) };
    case 'VendorDeauthorised': {
      const vendors = new Set(state.authorisedVendors);
      vendors.delete(event.data.vendorId);
      const withdrawnAt = new Map([...state.withdrawnAt, [event.data.vendorId, event.data.at]]);
      return { ...state, authorisedVendors: vendors, withdrawnAt };
    }
    case 'ChainReissued':
      return {
        ...state,
        reissued: new Map([...state.reissued, [event.data.fromChainId, event.data.toChainId]]),
      };
    default:
      return state;
  }
}

export async function loadCustomer(store: EventStore, customerId: string): Promise<CustomerState> {
  const events = await readDecoded(store, streams.customer(customerId));
  return events.reduce(evolveCustomer, absentCustomer);
}
