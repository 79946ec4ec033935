import { Inject, Injectable } from '@nestjs/common';
import type { EventStore } from '#event-store';
import type { VendorShopOriginsSet } from '#events';
import { CLOCK, type Clock } from '#platform';
import { EVENT_STORE } from '../shared/tokens.js';
import { loadVendor } from '../vendor/vendor.state.js';
import { runVendorCommand } from '../vendor/vendor-command.js';

export interface ShopOriginsAnswer {
  readonly vendorId: string;
  readonly origins: readonly string[];
}

/**
 * Where the broker's wallet frame may be embedded for a vendor: its shop's origins, set by the
 * operator, or by the vendor at start with its own registration token. The frame hands a shop the
 * customer's paywords and checkout tokens, so only the vendor's own pages may frame it.
 */
@Injectable()
export class ShopOriginsHandler {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Replaces the vendor's shop origins; the same list again (in any order) records nothing. */
  async set(vendorId: string, requested: readonly string[]): Promise<ShopOriginsAnswer> {
    const origins = [...new Set(requested)].sort();
    const result = await runVendorCommand(this.store, vendorId, (state) => {
      if (sameList(state.shopOrigins, origins)) return { events: [], result: state.shopOrigins };
      const event: VendorShopOriginsSet = {
        type: 'VendorShopOriginsSet',
        version: 1,
        data: { vendorId, origins, at: this.clock.now().toISOString() },
      };
      return { events: [event], result: origins };
    });
    // A retry after a lost answer reads the list it set and records nothing (no fixed event id).
    return { vendorId, origins: result };
  }

  /** The vendor's shop origins; none for a vendor the broker does not know. */
  async origins(vendorId: string): Promise<readonly string[]> {
    const state = await loadVendor(this.store, vendorId);
    return state.status === 'registered' ? state.shopOrigins : [];
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
