import { Inject, Injectable } from '@nestjs/common';
import { decideCheckout } from '#chain';
import type { WalletCheckoutReply } from '#contracts';
import type { EventStore } from '#event-store';
import { CLOCK, type Clock, NetPayError } from '#platform';
import {
  hashStep,
  paywordAt,
  signWalletGrant,
  type Touchstone,
  type WalletGrant,
  WALLET_GRANT_TTL_MS,
} from '#protocol';
import { BrokerKeyRing } from '../keys/broker-key-ring.js';
import { VendorStandings } from '../vendor/vendor-standings.js';
import { CheckoutSignature } from './checkout-signature.js';
import { CheckoutTokens } from '../authorise-vendor/checkout-tokens.js';
import { SliceWithdrawals } from '../authorise-vendor/slice-withdrawals.js';
import { BrokerConfig } from '../broker.config.js';
import { WalletSeeds } from '../buy-coins/wallet-seeds.js';
import { loadCustomer } from '../customer/customer.state.js';
import { BROKER_ERROR, brokerError } from '../shared/broker-errors.js';
import { runChainCommand } from '../shared/chain-stream.js';
import { EVENT_STORE } from '../shared/tokens.js';
import { type ChainView, remainingCoins } from '../wallet-view/wallet.read-model.js';
import { WalletProjection } from '../wallet-view/wallet.projection.js';
import type { CheckoutWalletRequest } from './checkout-wallet.request.dto.js';
import { CustomerStandings } from '../customer/customer-standings.js';

/**
 * A vendor checks out a slice of a customer's server-side wallet:
 * 0. the request must be signed by the vendor it names, fresh, not replayed;
 * 1. the opaque token must open, name this vendor and be unexpired;
 * 2. the customer must still authorise the vendor (their stream, not a cache);
 * 3. pick a chain the vendor holds or nobody holds, usable here and now;
 * 4. `WalletCheckedOut` with the expected revision (decideCheckout), then release the paywords.
 * The answer names the chain, never the customer. When another vendor holds the wallet, the
 * refusal carries a short-lived wallet grant: the holder hands the wallet only to a vendor
 * showing one, and one is issued only while the customer authorises that vendor.
 */
@Injectable()
export class CheckoutWalletHandler {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly customers: CustomerStandings,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly config: BrokerConfig,
    private readonly tokens: CheckoutTokens,
    private readonly projection: WalletProjection,
    private readonly seeds: WalletSeeds,
    private readonly withdrawals: SliceWithdrawals,
    private readonly signature: CheckoutSignature,
    private readonly ring: BrokerKeyRing,
    private readonly standings: VendorStandings,
  ) {}

  async execute(message: CheckoutWalletRequest): Promise<WalletCheckoutReply> {
    const now = this.clock.now();
    const request = await this.signature.verify(message, now);
    // No slice, and no wallet grant, for a vendor suspended for fraud.
    await this.standings.assertActive(request.vendorId);
    const customerId = await this.authorisedCustomer(request, now);
    if (request.coins > this.config.checkoutMaxCoins) {
      throw brokerError('REQUEST.INVALID', `at most ${this.config.checkoutMaxCoins} coins per checkout`, 400);
    }
    await this.projection.waitFor();
    const at = now.toISOString();
    // The slice must pay the purchase: a chain with fewer coins left than its price is passed
    // over (a vendor holding one would otherwise be handed it again and again, unable to pay).
    const minCoins = request.minCoins ?? 1;
    // Only coins the vendor accepts: it would refuse every payword of another chain, which its
    // checkout would then hold where no other vendor could spend it.
    const open = this.projection.model
      .chainsOfCustomer(customerId)
      .filter((c) => usable(c, request.vendorId, at))
      .filter(
        (c) =>
          request.coinValue === undefined ||
          (c.coinValue === request.coinValue && c.currency === request.currency),
      );
    const candidates = open
      .filter((c) => remainingCoins(c) >= minCoins)
      .sort((a, b) => rank(a, request.vendorId) - rank(b, request.vendorId));
    let heldElsewhere: ChainView | undefined;
    for (const chain of candidates) {
      if (chain.holder !== undefined && chain.holder !== request.vendorId) {
        heldElsewhere ??= chain;
        continue;
      }
      const reply = await this.tryCheckout(chain.chainId, customerId, request, minCoins, at);
      if (reply) return reply;
    }
    if (heldElsewhere) {
      throw brokerError(
        BROKER_ERROR.CHECKOUT_HELD_ELSEWHERE,
        `the wallet's chain ${heldElsewhere.chainId} is held by vendor ${heldElsewhere.holder}: ask it for a hand-off`,
        409,
        {
          chainId: heldElsewhere.chainId,
          holder: heldElsewhere.holder,
          walletGrant: this.grant(heldElsewhere.chainId, request.vendorId, now),
        },
      );
    }
    const most = Math.max(0, ...open.map(remainingCoins));
    if (most === 0) {
      // "Buy more coins" would mislead a customer whose coins are all on revoked chains: they are
      // held, not gone (the broker's page shows them; a lost wallet's are re-issued there).
      const revoked = this.projection.model
        .chainsOfCustomer(customerId)
        .find((c) => c.wallet === 'server' && c.status === 'revoked' && c.index <= c.length);
      if (revoked)
        throw brokerError(
          'CHAIN.REVOKED',
          `the wallet's server-side coins are on revoked chains (${revoked.chainId}): none can be spent; see the wallet at the broker`,
          410,
          { chainId: revoked.chainId },
        );
    }
    throw brokerError(
      BROKER_ERROR.CHECKOUT_NO_COINS,
      most === 0
        ? 'the wallet has no unspent server-side coins usable at this vendor'
        : `no chain of the wallet usable at this vendor has ${minCoins} unspent coins (at most ${most} on one chain): buy more coins`,
      409,
      { minCoins, mostOnOneChain: most },
    );
  }

  private grant(chainId: string, vendorId: string, now: Date): WalletGrant {
    const notAfter = new Date(now.getTime() + WALLET_GRANT_TTL_MS).toISOString();
    return signWalletGrant(
      { chainId, vendorId, issuedAt: now.toISOString(), notAfter, brokerKeyId: this.ring.currentKeyId },
      this.ring.signer,
    );
  }

  private async authorisedCustomer(request: CheckoutWalletRequest, now: Date): Promise<string> {
    const claims = this.tokens.open(request.checkoutToken);
    if (!claims)
      throw brokerError(BROKER_ERROR.CHECKOUT_TOKEN_INVALID, 'the checkout token is not valid', 403);
    const refused = brokerError(
      BROKER_ERROR.CHECKOUT_VENDOR_NOT_AUTHORISED,
      `vendor ${request.vendorId} is not authorised by this wallet's owner`,
      403,
    );
    if (claims.vendorId !== request.vendorId) throw refused;
    if (now.getTime() >= claims.expiresAt) {
      throw brokerError(
        BROKER_ERROR.CHECKOUT_TOKEN_EXPIRED,
        'the checkout token has expired; the customer must issue a new one',
        403,
      );
    }
    const customer = await loadCustomer(this.store, claims.customerId);
    if (customer.status !== 'registered' || !customer.authorisedVendors.has(request.vendorId)) throw refused;
    await this.customers.assertNotRevoked(claims.customerId);
    return claims.customerId;
  }

  /**
   * The customer may have withdrawn the vendor between step 2 and the append: a withdrawal
   * appends to the customer's stream, then ends the vendor's slices; a checkout appends to the
   * chain, then reads the customer again here. One of the two sees the other, so no slice
   * outlives a withdrawal; when it is this one, it ends the slice it just opened and refuses.
   */
  private async stillAuthorised(
    chainId: string,
    customerId: string,
    vendorId: string,
    at: string,
  ): Promise<void> {
    const customer = await loadCustomer(this.store, customerId);
    if (customer.status === 'registered' && customer.authorisedVendors.has(vendorId)) return;
    await this.withdrawals.withdrawChain(chainId, vendorId, at);
    throw brokerError(
      BROKER_ERROR.CHECKOUT_VENDOR_NOT_AUTHORISED,
      `vendor ${vendorId} is not authorised by this wallet's owner`,
      403,
    );
  }

  /** `undefined` when the chain changed hands meanwhile (try the next one). */
  private async tryCheckout(
    chainId: string,
    customerId: string,
    request: CheckoutWalletRequest,
    minCoins: number,
    at: string,
  ): Promise<WalletCheckoutReply | undefined> {
    const wallet = await this.seeds.serverWallet(chainId);
    if (!wallet || wallet.customerId !== customerId) return undefined;
    try {
      const { result } = await runChainCommand(
        this.store,
        this.ring,
        chainId,
        (state) => {
          const start = state.status === 'absent' ? 1 : state.index;
          const length = state.status === 'absent' ? 0 : state.touchstone.length;
          const sliceEnd = Math.min(start + request.coins - 1, length);
          // The read model may be behind the stream: decide on the stream's own index.
          if (sliceEnd - start + 1 < minCoins)
            return {
              ok: false,
              code: BROKER_ERROR.CHECKOUT_NO_COINS,
              message: `fewer than ${minCoins} coins left on the chain`,
            };
          return decideCheckout(state, { vendorId: request.vendorId, sliceEnd, at });
        },
        (state, events) => {
          if (state.status === 'absent' || events[0] === undefined)
            throw new Error('checkout decided on no chain');
          return { touchstone: state.touchstone, ...events[0].data };
        },
      );
      await this.stillAuthorised(chainId, customerId, request.vendorId, at);
      const { touchstone, index, lastPayword, sliceEnd } = result;
      return {
        chainId,
        touchstone,
        index,
        lastPayword,
        paywords: paywordsOf(wallet.seed, touchstone, index, sliceEnd),
      };
    } catch (error) {
      if (
        error instanceof NetPayError &&
        (error.code === 'CHAIN.NOT_HOLDER' || error.code === BROKER_ERROR.CHECKOUT_NO_COINS)
      ) {
        return undefined;
      }
      throw error;
    }
  }
}

function usable(chain: ChainView, vendorId: string, at: string): boolean {
  if (chain.wallet !== 'server' || remainingCoins(chain) < 1) return false;
  // Same rule as checkTouchstoneUsable; the timestamps share one ISO format, so strings compare.
  if (at < chain.issuedAt || at >= chain.expiresAt) return false;
  return chain.vendorRestriction === undefined || chain.vendorRestriction.includes(vendorId);
}

/** The vendor's own chain first, then chains nobody holds, then chains held elsewhere. */
function rank(chain: ChainView, vendorId: string): number {
  if (chain.holder === vendorId) return 0;
  return chain.holder === undefined ? 1 : 2;
}

/** W[from] … W[to]: one walk down from W[to], n − from hashes in all. */
function paywordsOf(seed: string, t: Touchstone, from: number, to: number): string[] {
  const words: string[] = [];
  let word = paywordAt(seed, t.chainId, t.alg, t.length, to);
  words.push(word);
  for (let position = to; position > from; position--) {
    word = hashStep(t.alg, t.chainId, position, word);
    words.push(word);
  }
  return words.reverse();
}
