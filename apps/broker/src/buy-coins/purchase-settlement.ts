import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ConcurrencyError, type EventStore, type ExpectedRevision } from '#event-store';
import {
  type CoinsPurchased,
  decode,
  type PurchaseDeclined,
  type PurchaseRequested,
  type PurchaseVoided,
  streams,
  toNewEvent,
} from '#events';
import { CLOCK, type Clock } from '#platform';
import { BrokerConfig } from '../broker.config.js';
import { BrokerSecrets } from '../shared/broker-secrets.js';
import { contentEventId } from '../shared/command.js';
import { brokerMetadata, customerMetadata } from '../shared/metadata.js';
import { EVENT_STORE } from '../shared/tokens.js';
import { ChainIssuer, type IssuedChain } from './chain-issuer.js';
import {
  absentPurchase,
  evolvePurchase,
  planChainLengths,
  type PurchaseState,
  type SettledPurchase,
} from './purchase.state.js';

type Requested = Extract<PurchaseState, { status: 'requested' }>;
type Outcome = CoinsPurchased | PurchaseDeclined | PurchaseVoided;

/** The outcome stored, and whether this call stored it (a twin's otherwise). */
export interface Settled {
  readonly state: SettledPurchase;
  readonly ours: boolean;
  /** The chains this call issued (their seeds, client-side), when it completed the purchase. */
  readonly chains?: readonly IssuedChain[];
}

/** The bank idempotency key of a purchase's one macro-payment. */
export function purchasePaymentKey(purchaseId: string): string {
  return `netpay-${purchaseId}`;
}

/**
 * A purchase's stream, shared by the customer's request and reconciliation: `PurchaseRequested`
 * before the charge, then exactly one outcome, appended after the request's revision (a twin's
 * outcome makes it a conflict, after which the stored one is the answer). Chain ids are derived
 * from the purchase id, so whoever completes it issues the same chains.
 */
@Injectable()
export class PurchaseSettlement {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly config: BrokerConfig,
    private readonly secrets: BrokerSecrets,
    private readonly issuer: ChainIssuer,
  ) {}

  async load(purchaseId: string): Promise<PurchaseState> {
    const recorded = await this.store.readStream(streams.purchase(purchaseId));
    return recorded.reduce<PurchaseState>((state, r) => {
      const event = decode(r);
      return event ? evolvePurchase(state, event) : state;
    }, absentPurchase);
  }

  /**
   * Records the purchase before its charge, appended with no read first (`no_stream`); a twin's
   * record (or outcome) when it came first. Each call's event has its own id: a retry of the
   * purchase must meet what is stored as a conflict, and read it, never pass for a duplicate of
   * the first request's event (the same data to the millisecond would give the same content id,
   * and the retry would go on as if nothing were decided yet). The store's own retry of this
   * append keeps the id, so it stays idempotent.
   */
  async request(data: PurchaseRequested['data']): Promise<Exclude<PurchaseState, { status: 'absent' }>> {
    const event: PurchaseRequested = { type: 'PurchaseRequested', version: 1, data };
    const stream = streams.purchase(data.purchaseId);
    try {
      const { nextExpectedRevision } = await this.store.appendToStream(
        stream,
        [toNewEvent(event, this.metadata(data), randomUUID())],
        { expectedRevision: 'no_stream' },
      );
      return { status: 'requested', data, revision: nextExpectedRevision };
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) throw error;
      const stored = await this.load(data.purchaseId);
      if (stored.status === 'absent') throw error;
      return stored;
    }
  }

  /** The bank booked the charge: issue the chains, then `CoinsPurchased`. */
  async complete(
    requested: Requested,
    paymentRef: string,
    options: { readonly walletNonce?: string; readonly reconciled?: true },
  ): Promise<Settled> {
    // Reconciliation does not know the wallet nonce: chains already issued are taken as they are.
    const chains = await this.issueChains(requested.data, options.walletNonce, options.reconciled);
    const { purchaseId, customerId, coins, coinValue, amount, currency, wallet } = requested.data;
    const settled = await this.record(
      requested,
      {
        type: 'CoinsPurchased',
        version: 1,
        data: {
          purchaseId,
          customerId,
          chainIds: chains.map((c) => c.chainId),
          coins,
          coinValue,
          amount,
          currency,
          wallet,
          paymentRef,
          ...(options.reconciled ? { reconciled: true as const } : {}),
          at: this.clock.now().toISOString(),
        },
      },
      options.reconciled === true,
    );
    return { ...settled, chains };
  }

  /** `byBroker`: settled by reconciliation, not in answer to the customer (the events' actor). */
  decline(requested: Requested, reason: string, byBroker = false): Promise<Settled> {
    const { purchaseId, customerId, amount, currency } = requested.data;
    const at = this.clock.now().toISOString();
    return this.record(
      requested,
      {
        type: 'PurchaseDeclined',
        version: 1,
        data: { purchaseId, customerId, amount, currency, reason, at },
      },
      byBroker,
    );
  }

  /** The bank holds nothing under the purchase's key and has voided it. */
  void(requested: Requested, byBroker = false): Promise<Settled> {
    const { purchaseId, customerId, amount, currency } = requested.data;
    const at = this.clock.now().toISOString();
    return this.record(
      requested,
      {
        type: 'PurchaseVoided',
        version: 1,
        data: { purchaseId, customerId, amount, currency, at },
      },
      byBroker,
    );
  }

  private async issueChains(
    request: PurchaseRequested['data'],
    walletNonce?: string,
    adoptIssued?: true,
  ): Promise<IssuedChain[]> {
    const lengths = planChainLengths(request.coins, this.config.chainMaxLength);
    const issued: IssuedChain[] = [];
    for (const [i, length] of lengths.entries()) {
      issued.push(
        await this.issuer.issue({
          chainId: this.secrets.id('ch', 'chain', request.purchaseId, String(i)),
          wallet: request.wallet,
          alg: this.config.chainAlg,
          length,
          coinValue: request.coinValue,
          currency: request.currency,
          expiresInDays: request.expiresInDays,
          ...(request.vendors ? { vendorRestriction: request.vendors } : {}),
          customerId: request.customerId,
          purchaseId: request.purchaseId,
          ...(walletNonce ? { walletNonce } : {}),
          ...(adoptIssued ? { adoptIssued } : {}),
        }),
      );
    }
    return issued;
  }

  /**
   * Appends the outcome after the request's revision and answers with the outcome stored: a
   * concurrent twin's, when it recorded first. The outcome's event id is derived from the outcome
   * itself, so a twin's (its own time) is a conflict, while a duplicate id can only be this very
   * outcome, already stored.
   */
  private async record(requested: Requested, event: Outcome, byBroker: boolean): Promise<Settled> {
    const { purchaseId } = requested.data;
    const outcome = toNewEvent(
      event,
      byBroker ? brokerMetadata(purchaseId) : this.metadata(requested.data),
      contentEventId('PurchaseOutcome', purchaseId, event.data),
    );
    const expectedRevision: ExpectedRevision = requested.revision;
    let position: bigint;
    try {
      ({ position } = await this.store.appendToStream(streams.purchase(purchaseId), [outcome], {
        expectedRevision,
      }));
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) throw error;
      const stored = await this.load(purchaseId);
      if (stored.status === 'absent' || stored.status === 'requested') throw error;
      return { state: stored, ours: false };
    }
    const state: SettledPurchase =
      event.type === 'CoinsPurchased'
        ? { status: 'completed', data: event.data, position }
        : event.type === 'PurchaseDeclined'
          ? { status: 'declined', data: event.data }
          : { status: 'voided', data: event.data };
    return { state, ours: true };
  }

  private metadata(data: { readonly customerId: string; readonly purchaseId: string }) {
    return customerMetadata(data.customerId, data.purchaseId);
  }
}
