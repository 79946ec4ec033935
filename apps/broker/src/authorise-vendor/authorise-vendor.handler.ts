import { Inject, Injectable } from '@nestjs/common';
import type { EventStore } from '#event-store';
import { streams, type VendorAuthorised, type VendorDeauthorised } from '#events';
import { CLOCK, type Clock } from '#platform';
import { BrokerConfig } from '../broker.config.js';
import { absentCustomer, evolveCustomer } from '../customer/customer.state.js';
import { BROKER_ERROR, brokerError } from '../shared/broker-errors.js';
import { runCommand } from '../shared/command.js';
import { customerMetadata } from '../shared/metadata.js';
import { EVENT_STORE } from '../shared/tokens.js';
import { loadVendor } from '../vendor/vendor.state.js';
import { VendorStandings } from '../vendor/vendor-standings.js';
import { CheckoutTokens } from './checkout-tokens.js';
import { SliceWithdrawals } from './slice-withdrawals.js';

export interface VendorAuthorisedAnswer {
  readonly vendorId: string;
  /** Give it to that vendor; it names neither you nor your chains. */
  readonly checkoutToken: string;
  readonly expiresAt: string;
}

export interface DeauthorisedAnswer {
  readonly vendorId: string;
  readonly authorised: false;
  /** Slices of your server-side wallet the vendor held that ended now (their rest is yours again). */
  readonly slicesWithdrawn: number;
}

/** The customer authorises (or stops authorising) a vendor to check out their server-side wallet. */
@Injectable()
export class AuthoriseVendorHandler {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly config: BrokerConfig,
    private readonly tokens: CheckoutTokens,
    private readonly withdrawals: SliceWithdrawals,
    private readonly standings: VendorStandings,
  ) {}

  async authorise(customerId: string, vendorId: string): Promise<VendorAuthorisedAnswer> {
    const vendor = await loadVendor(this.store, vendorId);
    if (vendor.status !== 'registered')
      throw brokerError(BROKER_ERROR.VENDOR_NOT_FOUND, `no vendor ${vendorId}`, 404);
    // A suspended vendor gets no checkout token (web) nor subscriber token with grants (mobile).
    await this.standings.assertActive(vendorId);
    const now = this.clock.now();
    await this.change(customerId, vendorId, true, now.toISOString());
    const expiresAt = now.getTime() + this.config.checkoutTokenTtlMs;
    return {
      vendorId,
      checkoutToken: this.tokens.issue({ customerId, vendorId, expiresAt }),
      expiresAt: new Date(expiresAt).toISOString(),
    };
  }

  /**
   * Takes effect at once everywhere: 1. every token issued for the vendor stops working (the
   * customer's stream says so, and checkouts read it), 2. every slice the vendor holds ends in
   * its chain's stream, so its next debit is refused and its unspent paywords are back in the
   * wallet. Step 2 runs on a retry too, completing a withdrawal that stopped half-way.
   */
  async deauthorise(customerId: string, vendorId: string): Promise<DeauthorisedAnswer> {
    // A retry completes the withdrawal at its original time (what the chains record), so it
    // appends nothing more; a vendor never authorised has nothing to withdraw.
    const at = await this.change(customerId, vendorId, false, this.clock.now().toISOString());
    const slicesWithdrawn = at === undefined ? 0 : await this.withdrawals.withdraw(customerId, vendorId, at);
    return { vendorId, authorised: false, slicesWithdrawn };
  }

  /** Records the change; answers when the vendor was (last) withdrawn, for a withdrawal. */
  private async change(
    customerId: string,
    vendorId: string,
    authorise: boolean,
    at: string,
  ): Promise<string | undefined> {
    const { result } = await runCommand(this.store, {
      stream: streams.customer(customerId),
      initial: absentCustomer,
      evolve: evolveCustomer,
      decide: (state) => {
        if (state.status !== 'registered')
          throw brokerError(BROKER_ERROR.CUSTOMER_UNAUTHORISED, 'unknown customer', 401);
        if (state.authorisedVendors.has(vendorId) === authorise)
          return { events: [], result: authorise ? undefined : state.withdrawnAt.get(vendorId) };
        const event: VendorAuthorised | VendorDeauthorised = {
          type: authorise ? 'VendorAuthorised' : 'VendorDeauthorised',
          version: 1,
          data: { customerId, vendorId, at },
        };
        return { events: [event], result: authorise ? undefined : at };
      },
      metadata: customerMetadata(customerId),
    });
    return result;
  }
}
