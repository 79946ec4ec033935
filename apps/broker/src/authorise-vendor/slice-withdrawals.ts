import { Inject, Injectable } from '@nestjs/common';
import { decideWithdraw } from '#chain';
import type { EventStore } from '#event-store';
import { BrokerKeyRing } from '../keys/broker-key-ring.js';
import { runChainCommand } from '../shared/chain-stream.js';
import { EVENT_STORE } from '../shared/tokens.js';
import { WalletProjection } from '../wallet-view/wallet.projection.js';

/**
 * Ends a vendor's slices of a customer's server-side wallet when the customer withdraws its
 * authority: `SliceWithdrawn` in each chain's stream the vendor holds, decided on the stream
 * (not the projection, which may lag) with the expected revision. The vendor's next append then
 * fails its own expected revision and, decided again, is refused; the unspent rest is back in
 * the wallet for the next checkout. Only the vendor and the chain are named, never the customer.
 */
@Injectable()
export class SliceWithdrawals {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly projection: WalletProjection,
    private readonly ring: BrokerKeyRing,
  ) {}

  /** Every open server-side chain of the customer is looked at; answers how many slices ended. */
  async withdraw(customerId: string, vendorId: string, at: string): Promise<number> {
    await this.projection.waitFor();
    let ended = 0;
    for (const chain of this.projection.model.chainsOfCustomer(customerId)) {
      if (chain.wallet !== 'server' || chain.status !== 'open') continue;
      if (await this.withdrawChain(chain.chainId, vendorId, at)) ended++;
    }
    return ended;
  }

  /**
   * Ends `vendorId`'s slice of one chain if it holds it (whether it did), else records its
   * withdrawal there (`VendorWithdrawn`: its wallet grants up to now are void on this chain).
   */
  async withdrawChain(chainId: string, vendorId: string, at: string): Promise<boolean> {
    const { result } = await runChainCommand(
      this.store,
      this.ring,
      chainId,
      (state) => decideWithdraw(state, { vendorId, at }),
      (_state, events) => events.some((e) => e.type === 'SliceWithdrawn'),
    );
    return result;
  }
}
