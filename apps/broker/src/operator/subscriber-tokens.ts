import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '#platform';
import {
  encodeSubscriberToken,
  MAX_SUBSCRIBER_TOKEN_CHAINS,
  signSubscriberToken,
  signWalletGrant,
} from '#protocol';
import { AuthoriseVendorHandler } from '../authorise-vendor/authorise-vendor.handler.js';
import { CheckoutTokens } from '../authorise-vendor/checkout-tokens.js';
import { BrokerConfig } from '../broker.config.js';
import { BrokerKeyRing } from '../keys/broker-key-ring.js';
import { remainingCoins } from '../wallet-view/wallet.read-model.js';
import { WalletProjection } from '../wallet-view/wallet.projection.js';
import type { Subscriber } from './subscribers.js';
import { Subscribers } from './subscribers.js';

export interface SubscriberTokenAnswer {
  readonly vendorId: string;
  /** `nst1.…`: what the gateway injects into the subscriber's requests to that vendor. */
  readonly subscriberToken: string;
  /** The subscriber as that vendor knows them. */
  readonly subscriber: string;
  readonly expiresAt: string;
}

/**
 * Issues the operator-signed subscriber token for one vendor (what a real operator's gateway
 * injects into the subscriber's requests to that vendor). Browsing a vendor through the gateway
 * authorises it (`VendorAuthorised`, so the auditor's R2 rules hold). The token carries:
 * - a pseudonym of that vendor only, never the MSISDN or the customer id;
 * - the wallet handle (a sealed checkout token bound to the vendor, expiring with the token):
 *   the first vendor checks a slice out of the server-side wallet with it;
 * - wallet grants for that vendor on the wallet's chains: a next vendor takes the wallet over
 *   from the vendor holding it with them, and the SP is not asked again.
 */
@Injectable()
export class SubscriberTokens {
  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly config: BrokerConfig,
    private readonly subscribers: Subscribers,
    private readonly authorise: AuthoriseVendorHandler,
    private readonly checkoutTokens: CheckoutTokens,
    private readonly projection: WalletProjection,
    private readonly ring: BrokerKeyRing,
  ) {}

  async issue(subscriber: Subscriber, vendorId: string): Promise<SubscriberTokenAnswer> {
    // Throws VENDOR.NOT_FOUND for a vendor the SP does not know.
    await this.authorise.authorise(subscriber.customerId, vendorId);
    const now = this.clock.now();
    const at = now.toISOString();
    const notAfterMs = now.getTime() + this.config.subscriberTokenTtlMs;
    const notAfter = new Date(notAfterMs).toISOString();
    await this.projection.waitFor();
    // Chains another vendor holds first (they move by hand-off), then the rest, oldest first.
    const chains = this.projection.model
      .chainsOfCustomer(subscriber.customerId)
      .filter(
        (c) =>
          c.wallet === 'server' &&
          c.status === 'open' &&
          remainingCoins(c) > 0 &&
          at >= c.issuedAt &&
          at < c.expiresAt &&
          (c.vendorRestriction === undefined || c.vendorRestriction.includes(vendorId)),
      )
      .sort((a, b) => Number(b.holder !== undefined) - Number(a.holder !== undefined))
      .slice(0, MAX_SUBSCRIBER_TOKEN_CHAINS);
    const brokerKeyId = this.ring.currentKeyId;
    const grants = chains.map((c) =>
      signWalletGrant(
        { chainId: c.chainId, vendorId, issuedAt: at, notAfter, brokerKeyId },
        this.ring.signer,
      ),
    );
    const pseudonym = this.subscribers.pseudonymAt(subscriber.customerId, vendorId);
    const token = signSubscriberToken(
      {
        subscriber: pseudonym,
        vendorId,
        wallet: this.checkoutTokens.issue({
          customerId: subscriber.customerId,
          vendorId,
          expiresAt: notAfterMs,
        }),
        chainIds: chains.map((c) => c.chainId),
        // A minute of leeway for vendors whose clocks run a little behind.
        notBefore: new Date(now.getTime() - 60_000).toISOString(),
        notAfter,
        brokerKeyId,
      },
      grants,
      this.ring.signer,
    );
    return {
      vendorId,
      subscriberToken: encodeSubscriberToken(token),
      subscriber: pseudonym,
      expiresAt: notAfter,
    };
  }
}
