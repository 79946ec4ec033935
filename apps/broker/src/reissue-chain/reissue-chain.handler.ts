import { Inject, Injectable } from '@nestjs/common';
import { CHAIN, decideClose } from '#chain';
import type { EventStore } from '#event-store';
import { type ChainReissued, deterministicEventId, streams } from '#events';
import { CLOCK, type Clock } from '#platform';
import { BrokerConfig } from '../broker.config.js';
import type { PurchasedChain } from '../buy-coins/buy-coins.command.js';
import { ChainIssuer } from '../buy-coins/chain-issuer.js';
import { absentCustomer, evolveCustomer } from '../customer/customer.state.js';
import { chainRefusal } from '../shared/broker-errors.js';
import { BrokerSecrets } from '../shared/broker-secrets.js';
import { BrokerKeyRing } from '../keys/broker-key-ring.js';
import { refuseExpired } from '../expiry/expired-chain.js';
import { runChainCommand } from '../shared/chain-stream.js';
import { runCommand } from '../shared/command.js';
import { customerMetadata } from '../shared/metadata.js';
import { EVENT_STORE } from '../shared/tokens.js';
import { WalletProjection } from '../wallet-view/wallet.projection.js';
import { CustomerStandings } from '../customer/customer-standings.js';

export interface ChainReissuedAnswer {
  readonly closedChainId: string;
  /** I at closing: positions below it were spent and stay the vendors'. */
  readonly closedAtIndex: number;
  /** The unspent remainder as a new client-side chain (null when nothing was left). */
  readonly chain: PurchasedChain | null;
  /** A retry of a re-issue already answered: `['chain.seed']`, the new seed was shown once. */
  readonly withheld?: readonly string[];
  /** With `withheld`: how to get the coins back (re-issue the new chain). */
  readonly recovery?: string;
}

/**
 * Lost client-side wallet:
 * 1. the chain must be the customer's, client-side, not revoked and not expired (`CHAIN.EXPIRED`:
 *    the expiry policy settles it; a re-issue would give expired coins a new lifetime);
 * 2. close it at its current index (`ChainClosed`, expected revision): vendors refuse it from now on;
 * 3. link the old chain to the new one in the customer's stream (`ChainReissued`), never in a chain
 *    stream (vendors read those: they must not learn that two chains belong to one customer), and
 *    before the new chain exists, so no issued chain is ever without its reason;
 * 4. issue the unspent remainder as a new chain (id derived from the old one, so a retry finds it).
 */
@Injectable()
export class ReissueChainHandler {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly customers: CustomerStandings,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly config: BrokerConfig,
    private readonly secrets: BrokerSecrets,
    private readonly issuer: ChainIssuer,
    private readonly projection: WalletProjection,
    private readonly ring: BrokerKeyRing,
  ) {}

  async execute(customerId: string, chainId: string): Promise<ChainReissuedAnswer> {
    await this.projection.waitFor();
    // Someone else's chain answers like a missing one: no probing of other customers' chains.
    if (this.projection.model.ownerOf(chainId) !== customerId) {
      throw chainRefusal({ code: CHAIN.NOT_FOUND, message: `no chain ${chainId} in your wallet` });
    }
    await this.customers.assertNotRevoked(customerId);
    const newChainId = this.secrets.id('ch', 'reissue', chainId);
    const now = this.clock.now();
    const at = now.toISOString();
    const { result: closed } = await runChainCommand(
      this.store,
      this.ring,
      chainId,
      (state) => {
        // Only a re-issue closes a chain for a lost wallet: a retry goes on from here.
        if (state.status === 'closed' && state.reason === 'lost-wallet') return { ok: true, events: [] };
        if (state.status === 'revoked')
          return { ok: false, code: CHAIN.REVOKED, message: `chain ${chainId} was revoked` };
        if (state.status !== 'absent' && state.wallet !== 'client') {
          return {
            ok: false,
            code: CHAIN.WRONG_WALLET_KIND,
            message: 'only client-side wallets are re-issued',
          };
        }
        return (
          refuseExpired(state, now, this.config.expiryPolicy) ??
          decideClose(state, { reason: 'lost-wallet', at })
        );
      },
      (state, events) => {
        if (state.status === 'absent') throw new Error('closed an absent chain');
        return {
          index: events[0]?.data.index ?? state.index,
          touchstone: state.touchstone,
          closedNow: events.length > 0,
        };
      },
    );
    const t = closed.touchstone;
    const remaining = t.length - closed.index + 1;
    if (remaining < 1) return { closedChainId: chainId, closedAtIndex: closed.index, chain: null };
    await this.link(customerId, chainId, newChainId, remaining, at);
    const issued = await this.issuer.issue({
      chainId: newChainId,
      wallet: 'client',
      alg: this.config.chainAlg,
      length: remaining,
      coinValue: t.coinValue,
      currency: t.currency,
      expiresInDays: this.config.chainExpiryDays,
      ...(t.vendorRestriction ? { vendorRestriction: t.vendorRestriction } : {}),
      customerId,
      purchaseId: newChainId,
    });
    // The new seed is shown once: by the call that closed the old chain. A retry answers without
    // it; a wallet that lost it re-issues the new chain in turn (nothing of it was spent).
    const shown = closed.closedNow && issued.seed !== undefined;
    const chain: PurchasedChain = {
      chainId: newChainId,
      alg: issued.touchstone.alg,
      length: remaining,
      touchstone: issued.touchstone,
      ...(shown ? { seed: issued.seed } : {}),
    };
    if (shown) return { closedChainId: chainId, closedAtIndex: closed.index, chain };
    return {
      closedChainId: chainId,
      closedAtIndex: closed.index,
      chain,
      withheld: ['chain.seed'],
      recovery: `The new seed was shown once. A wallet that lost it re-issues the new chain: POST /chains/${newChainId}/reissue.`,
    };
  }

  private async link(
    customerId: string,
    fromChainId: string,
    toChainId: string,
    coins: number,
    at: string,
  ): Promise<void> {
    await runCommand(this.store, {
      stream: streams.customer(customerId),
      initial: absentCustomer,
      evolve: evolveCustomer,
      decide: (state) => {
        if (state.status !== 'registered' || state.reissued.has(fromChainId))
          return { events: [], result: undefined };
        const event: ChainReissued = {
          type: 'ChainReissued',
          version: 1,
          data: { customerId, fromChainId, toChainId, coins, at },
        };
        return { events: [event], result: undefined };
      },
      metadata: customerMetadata(customerId),
      eventId: () => deterministicEventId('ChainReissued', fromChainId),
    });
  }
}
