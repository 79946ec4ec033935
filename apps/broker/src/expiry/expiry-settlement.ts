import { Inject, Injectable } from '@nestjs/common';
import type { EventStore } from '#event-store';
import { type CoinsExpiredSettled, deterministicEventId, streams } from '#events';
import { CLOCK, type Clock } from '#platform';
import type { PaymentGateway } from '../bank/payment-gateway.port.js';
import { BrokerConfig } from '../broker.config.js';
import { BrokerKeyRing } from '../keys/broker-key-ring.js';
import { loadChain } from '../shared/chain-stream.js';
import { closeAtIndex, refundToRegistered } from '../shared/close-and-refund.js';
import { runCommand } from '../shared/command.js';
import { brokerMetadata } from '../shared/metadata.js';
import { EVENT_STORE, PAYMENT_GATEWAY } from '../shared/tokens.js';

/** What settling one chain at expiry did. */
export type ExpiryOutcome =
  | { readonly status: 'settled'; readonly data: CoinsExpiredSettled['data'] }
  /** Not the broker's to settle now: not expired yet, revoked, or closed for another reason. */
  | { readonly status: 'skipped'; readonly reason: string };

/**
 * Settles one expired chain by the broker's policy (EXPIRY_POLICY), once, whoever runs it:
 * 1. close it at its true index (`ChainClosed {expired}`, expected revision, a deterministic id):
 *    every spend appended before is still redeemed to its vendor; a vendor's later append meets
 *    the new revision and finds the chain closed — and vendors refuse an expired touchstone anyway;
 * 2. `refund`: pay the unspent value to the customer's bank account under the chain's one refund
 *    key (`refund_<chainId>`, the same as a cash-out: a chain is refunded at most once), or
 *    `keep`: the broker keeps it; a refund the bank refuses (account closed) is kept too;
 * 3. record `CoinsExpiredSettled` in the customer's stream under a deterministic id (the notice).
 */
@Injectable()
export class ExpirySettlement {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
    private readonly config: BrokerConfig,
    private readonly ring: BrokerKeyRing,
  ) {}

  async settle(chainId: string, customerId: string): Promise<ExpiryOutcome> {
    const now = this.clock.now();
    const before = await loadChain(this.store, this.ring, chainId);
    if (before.status === 'absent') return { status: 'skipped', reason: 'no such chain' };
    if (Date.parse(before.touchstone.expiresAt) > now.getTime()) {
      return { status: 'skipped', reason: `expires at ${before.touchstone.expiresAt}` };
    }
    if (before.status === 'revoked') return { status: 'skipped', reason: 'revoked' };
    if (before.status === 'closed' && before.reason !== 'expired') {
      return { status: 'skipped', reason: `closed (${before.reason})` };
    }
    const closed = await closeAtIndex(this.store, this.ring, chainId, 'expired', now.toISOString());
    const { amount } = closed;
    const t = closed.touchstone;
    const refund =
      this.config.expiryPolicy === 'refund' && amount > 0
        ? await refundToRegistered(this.store, this.gateway, {
            customerId,
            chainId,
            amount,
            currency: t.currency,
          })
        : undefined;
    // A refund the bank refused (or a customer gone) is kept, with the same notice.
    const paymentRef = refund?.ok ? refund.paymentRef : undefined;
    const data: CoinsExpiredSettled['data'] = {
      customerId,
      chainId,
      amount,
      currency: t.currency,
      policy: paymentRef ? 'refunded' : 'kept',
      ...(paymentRef ? { paymentRef } : {}),
      at: now.toISOString(),
    };
    return { status: 'settled', data: await this.record(data) };
  }

  /** Appends the settlement once; answers the one stored (a twin's, if it came first). */
  private async record(data: CoinsExpiredSettled['data']): Promise<CoinsExpiredSettled['data']> {
    const { result } = await runCommand(this.store, {
      stream: streams.customer(data.customerId),
      initial: undefined as CoinsExpiredSettled['data'] | undefined,
      evolve: (done: CoinsExpiredSettled['data'] | undefined, e) =>
        done ?? (e.type === 'CoinsExpiredSettled' && e.data.chainId === data.chainId ? e.data : undefined),
      decide: (done) => {
        const event: CoinsExpiredSettled = { type: 'CoinsExpiredSettled', version: 1, data };
        return { events: done ? [] : [event], result: done ?? data };
      },
      metadata: brokerMetadata(),
      eventId: () => deterministicEventId('CoinsExpiredSettled', data.chainId),
    });
    return result;
  }
}
