import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { type EventStore, resubscribing, type Subscription } from '#event-store';
import {
  CUSTOMER_REINSTATEMENT_REASON,
  type CustomerRevocationReason,
  type CustomerStandingEvent,
  decode,
  streams,
} from '#events';
import { CLOCK, type Clock, NetPayError } from '#platform';
import {
  type RevocationNoticeBody,
  type SignedRevocationNotice,
  signRevocationNotice,
  verifyRevocationNotice,
} from '#protocol';
import { BrokerKeyRing } from '../keys/broker-key-ring.js';
import { RevokeChainHandler } from '../revoke-chain/revoke-chain.handler.js';
import { BROKER_ERROR, brokerError } from '../shared/broker-errors.js';
import { adminMetadata } from '../shared/metadata.js';
import { readDecoded, runCommand } from '../shared/command.js';
import { CatchUpGate } from '../shared/catch-up-gate.js';
import { loadCustomer } from './customer.state.js';
import { CustomerIdentities } from './customer-identities.js';
import { EVENT_STORE } from '../shared/tokens.js';
import { WalletProjection } from '../wallet-view/wallet.projection.js';
import {
  cleanCustomerStanding,
  type CustomerStanding,
  decideReinstateCustomer,
  decideRevokeCustomer,
  evolveCustomerStanding,
} from './customer-standing.js';

const NOTICES_SUBSCRIPTION = 'broker-customer-notices';

export interface CustomerStandingAnswer {
  readonly customerId: string;
  readonly status: 'active' | 'revoked';
  readonly reason?: string;
  readonly since?: string;
  /** Chains revoked by this call (a retry revokes any left open, e.g. after a crash). */
  readonly chainsRevoked?: readonly string[];
  /** The latest broker-signed notice about the customer (revocation or lift), if any. */
  readonly notice?: SignedRevocationNotice;
  /** Other customers on the same bank account revoked now: this one is refused as they are. */
  readonly revokedThroughAccount?: readonly string[];
}

/**
 * The customer side of the fraud response (issue 20 item 5). In client-server NetPay a double
 * spend is prevented (each chain position is accepted once), so revoking a customer is the
 * operator's decision on evidence: a broker-signed `CustomerRevoked` in `customer-<id>`, then
 * `ChainRevoked` (reason `fraud`) on each of the customer's open chains, which the revocation
 * broadcaster publishes to vendors at once. While revoked, purchases, wallet checkouts,
 * re-issues and cash-outs are refused (`CUSTOMER.REVOKED`, 403), and so are those of any other
 * customer registered with the same bank account, and new registrations with it (a revocation
 * covers the account the customer proved they control). Unspent value is not refunded:
 * it is kept pending the operator's review (the revoked chains stay revoked after a lift, and
 * cash-out refuses revoked chains; the operator settles their value by hand). A chain the
 * customer cashed out before the revocation is closed, not revoked: its refund, if still unpaid,
 * is held while the revocation lasts and paid after a lift (the customer's retry or the
 * `RefundSweeper`). Spends made before the revocation stay redeemable by vendors.
 */
@Injectable()
export class CustomerStandings implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('CustomerRevocations');
  private noticeFeed: Subscription | undefined;
  /** customerId → the latest notice about it (verified: the broker's own signature). */
  private readonly notices = new Map<string, SignedRevocationNotice>();
  /** Bank account → the customers registered with it that are revoked now. */
  private readonly revokedAccounts = new Map<string, Set<string>>();
  /** Customer → bank account, as registered (never changes). */
  private readonly accounts = new LRUCache<string, string>({ max: 50_000 });
  private readonly caughtUp = new CatchUpGate('customer notices');

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly ring: BrokerKeyRing,
    private readonly projection: WalletProjection,
    private readonly revokeChain: RevokeChainHandler,
    private readonly identities: CustomerIdentities,
  ) {}

  onApplicationBootstrap(): void {
    this.caughtUp.closeUntilCaughtUp();
    this.noticeFeed = resubscribing(
      () =>
        this.store.subscribeToAll({
          subscriptionId: NOTICES_SUBSCRIPTION,
          filter: { categories: ['customer'], eventTypes: ['CustomerRevoked', 'CustomerReinstated'] },
          onCaughtUp: () => this.caughtUp.caughtUp(),
          handler: async (recorded) => {
            const event = decode(recorded);
            if (event?.type !== 'CustomerRevoked' && event?.type !== 'CustomerReinstated') return;
            const notice = event.data.notice;
            // Only notices this broker signed, about the stream's own customer.
            if (notice.kind !== 'customer' || notice.id !== event.data.customerId) return;
            if (`customer-${notice.id}` !== recorded.streamName) return;
            if (!verifyRevocationNotice(notice, this.ring.publicKeys()).ok) return;
            const customer = await loadCustomer(this.store, notice.id);
            if (customer.status === 'registered') this.learn(notice, customer.bankAccount);
          },
        }),
      { onError: (e) => this.logger.warn(`customer notice feed stopped, reopening: ${String(e)}`) },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.noticeFeed?.stop();
  }

  /**
   * Revokes the customer (idempotent: a revoked customer keeps its first reason) and every chain
   * of it still open. The customer's event comes first, so purchases are refused before its
   * chains are revoked; a retry revokes any chain left open.
   */
  async revoke(
    customerId: string,
    reason: CustomerRevocationReason,
    evidence: readonly string[],
  ): Promise<CustomerStandingAnswer> {
    const result = await this.record(customerId, (state) =>
      decideRevokeCustomer(state, customerId, { reason, evidence }, this.policy()),
    );
    await this.projection.waitFor();
    const revoked: string[] = [];
    for (const chain of this.projection.model.chainsOfCustomer(customerId)) {
      if (chain.status !== 'open') continue;
      try {
        const answer = await this.revokeChain.execute(chain.chainId, 'fraud');
        if (answer.position !== undefined) revoked.push(chain.chainId);
      } catch (error) {
        // Closed (cashed out, re-issued, expired) since the projection saw it: nothing to revoke.
        if (error instanceof NetPayError && error.code.startsWith('CHAIN.')) continue;
        throw error;
      }
    }
    if (revoked.length > 0)
      this.logger.warn(`customer ${customerId} revoked: ${revoked.length} chains revoked`);
    return { ...answer(customerId, result), chainsRevoked: revoked };
  }

  /** The operator lifts a revocation (idempotent: a customer not revoked is answered as it is). */
  async reinstate(customerId: string): Promise<CustomerStandingAnswer> {
    const result = await this.record(customerId, (state) =>
      decideReinstateCustomer(state, customerId, CUSTOMER_REINSTATEMENT_REASON, this.policy()),
    );
    return answer(customerId, result);
  }

  /**
   * An operator's decision on a registered customer's standing, appended to the customer's
   * stream and learnt at once by this process: the standing after it.
   */
  private async record(
    customerId: string,
    decide: (state: CustomerStanding) => CustomerStandingEvent[],
  ): Promise<CustomerStanding> {
    const bankAccount = await this.registered(customerId);
    const { result } = await runCommand(this.store, {
      stream: streams.customer(customerId),
      initial: cleanCustomerStanding,
      evolve: evolveCustomerStanding,
      decide: (state) => {
        const events = decide(state);
        return { events, result: events.reduce(evolveCustomerStanding, state) };
      },
      metadata: adminMetadata(),
    });
    this.learn(result.notice, bankAccount);
    return result;
  }

  async standing(customerId: string): Promise<CustomerStandingAnswer> {
    const bankAccount = await this.registered(customerId);
    const own = answer(customerId, await loadCustomerStanding(this.store, customerId));
    await this.caughtUp.wait();
    const others = [...(this.revokedAccounts.get(bankAccount) ?? [])].filter((id) => id !== customerId);
    return others.length > 0 ? { ...own, revokedThroughAccount: others } : own;
  }

  /**
   * Refuses a revoked customer (CUSTOMER.REVOKED, 403): new purchases, checkouts, re-issues and
   * cash-outs. Answered from the notices in memory (no read of the customer's stream per request):
   * this process learns its own decisions at once, another replica's from the feed.
   */
  async assertNotRevoked(customerId: string): Promise<void> {
    const refusal = await this.refusalOf(customerId);
    if (refusal) throw refusal;
  }

  /** The CUSTOMER.REVOKED refusal of a revoked customer, undefined for one in good standing. */
  async refusalOf(customerId: string): Promise<NetPayError | undefined> {
    await this.caughtUp.wait();
    const notice = this.notices.get(customerId);
    if (notice && !notice.lifted) {
      return brokerError(
        BROKER_ERROR.CUSTOMER_REVOKED,
        `this customer is revoked since ${notice.at} (${notice.reason}); contact the operator`,
        403,
      );
    }
    if (this.revokedAccounts.size === 0) return undefined;
    const bankAccount = await this.registeredAccount(customerId);
    return bankAccount === undefined ? undefined : this.accountRefusal(bankAccount);
  }

  /**
   * A revocation covers the customer's bank account (the mandate proved who controls it): another
   * customer registered with it, before or after, is refused as the revoked one is (`CUSTOMER.REVOKED`,
   * 403), registering included, until the operator lifts every revocation on it.
   */
  async assertAccountNotRevoked(bankAccount: string): Promise<void> {
    await this.caughtUp.wait();
    const refusal = this.accountRefusal(bankAccount);
    if (refusal) throw refusal;
  }

  private accountRefusal(bankAccount: string): NetPayError | undefined {
    const revoked = this.revokedAccounts.get(bankAccount);
    if (revoked === undefined) return undefined;
    return brokerError(
      BROKER_ERROR.CUSTOMER_REVOKED,
      `bank account ${bankAccount} belongs to a revoked customer; contact the operator`,
      403,
    );
  }

  private async registeredAccount(customerId: string): Promise<string | undefined> {
    // A customer's bank account never changes once registered: read once per process (mobile
    // subscribers are not in `CustomerIdentities`, which the bearer-token guard fills).
    const known = this.accounts.get(customerId) ?? this.identities.get(customerId)?.bankAccount;
    if (known !== undefined) return known;
    const customer = await loadCustomer(this.store, customerId);
    if (customer.status !== 'registered') return undefined;
    this.accounts.set(customerId, customer.bankAccount);
    return customer.bankAccount;
  }

  /** The latest notice about each customer ever revoked, oldest first. */
  async customerNotices(timeoutMs = 5_000): Promise<SignedRevocationNotice[]> {
    await this.caughtUp.wait(timeoutMs);
    return [...this.notices.values()].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }

  /** The latest notice by `at` about a customer stands; on a tie the lift wins (the operator's word). */
  private learn(notice: SignedRevocationNotice | undefined, bankAccount: string): void {
    if (!notice) return;
    const known = this.notices.get(notice.id);
    if (known && !(notice.at > known.at || (notice.at === known.at && notice.lifted))) return;
    this.notices.set(notice.id, notice);
    const revoked = this.revokedAccounts.get(bankAccount) ?? new Set<string>();
    if (notice.lifted) revoked.delete(notice.id);
    else revoked.add(notice.id);
    if (revoked.size === 0) this.revokedAccounts.delete(bankAccount);
    else this.revokedAccounts.set(bankAccount, revoked);
  }

  private policy() {
    return {
      at: this.clock.now().toISOString(),
      sign: (body: Omit<RevocationNoticeBody, 'brokerKeyId'>) =>
        signRevocationNotice({ ...body, brokerKeyId: this.ring.currentKeyId }, this.ring.signer),
    };
  }

  /** The customer's bank account; CUSTOMER.NOT_FOUND (404) for an unregistered id. */
  private async registered(customerId: string): Promise<string> {
    const bankAccount = await this.registeredAccount(customerId);
    if (bankAccount === undefined)
      throw brokerError(BROKER_ERROR.CUSTOMER_NOT_FOUND, `no customer ${customerId}`, 404);
    return bankAccount;
  }
}

export async function loadCustomerStanding(store: EventStore, customerId: string): Promise<CustomerStanding> {
  const events = await readDecoded(store, streams.customer(customerId));
  return events.reduce(evolveCustomerStanding, cleanCustomerStanding);
}

function answer(customerId: string, s: CustomerStanding): CustomerStandingAnswer {
  return {
    customerId,
    status: s.revoked ? 'revoked' : 'active',
    ...(s.revoked ? { reason: s.revoked.reason, since: s.revoked.at } : {}),
    ...(s.notice ? { notice: s.notice } : {}),
  };
}
