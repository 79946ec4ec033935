import { randomUUID } from 'node:crypto';
import { ConcurrencyError, type EventStore, type ExpectedRevision } from '#event-store';
import type { Clock } from '#platform';
import { type BankAccount, decidePayment, evolveAccount, unknownAccount } from './simulated-bank.account.js';
import { BANK_EVENT_TYPES, type BankEvent, bankStream } from './simulated-bank.events.js';
import type { PaymentGateway, PaymentRequest, PaymentResult } from './payment-gateway.port.js';

export interface OpenAccount {
  readonly accountId: string;
  readonly currency: string;
  readonly balance: number;
  readonly maxCharge?: number;
}

export interface BankAccountView {
  readonly accountId: string;
  readonly currency: string;
  readonly balance: number;
  readonly maxCharge: number;
  readonly status: 'open' | 'closed';
  readonly payments: number;
}

const BANK_METADATA = { actor: 'simulated-bank' } as const;

/**
 * The stand-in for an external bank behind the `PaymentGateway` port: accounts with balances,
 * declines with reasons, idempotency keys, and its own durable ledger (`bankaccount-<id>`
 * streams, optimistic concurrency per account, so concurrent charges leave exact balances).
 */
export class SimulatedBank implements PaymentGateway {
  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
    private readonly defaultMaxCharge: number,
  ) {}

  charge(request: PaymentRequest): Promise<PaymentResult> {
    return this.pay('debit', request);
  }

  payout(request: PaymentRequest): Promise<PaymentResult> {
    return this.pay('credit', request);
  }

  /** Opens an account; `false` when it already exists (nothing changes). */
  async openAccount(open: OpenAccount): Promise<boolean> {
    const event: BankEvent = {
      type: 'BankAccountOpened',
      data: {
        accountId: open.accountId,
        currency: open.currency,
        openingBalance: open.balance,
        maxCharge: open.maxCharge ?? this.defaultMaxCharge,
        at: this.clock.now().toISOString(),
      },
    };
    try {
      await this.append(open.accountId, event, 'no_stream');
      return true;
    } catch (error) {
      if (error instanceof ConcurrencyError) return false;
      throw error;
    }
  }

  /** Closes an account; `false` when there is no such open account. */
  async closeAccount(accountId: string): Promise<boolean> {
    for (;;) {
      const { state, revision } = await this.load(accountId);
      if (state.status !== 'open' || revision === undefined) return false;
      const event: BankEvent = {
        type: 'BankAccountClosed',
        data: { accountId, at: this.clock.now().toISOString() },
      };
      try {
        await this.append(accountId, event, revision);
        return true;
      } catch (error) {
        if (!(error instanceof ConcurrencyError)) throw error;
      }
    }
  }

  async account(accountId: string): Promise<BankAccountView | undefined> {
    const { state } = await this.load(accountId);
    if (state.status === 'unknown') return undefined;
    const { currency, balance, maxCharge, status, outcomes } = state;
    const payments = [...outcomes.values()].filter((o) => o.result.ok).length;
    return { accountId, currency, balance, maxCharge, status, payments };
  }

  private async pay(direction: 'debit' | 'credit', request: PaymentRequest): Promise<PaymentResult> {
    for (let attempt = 1; ; attempt++) {
      const { state, revision } = await this.load(request.account);
      const decision = decidePayment(state, direction, request, this.clock.now().toISOString());
      if (decision.kind !== 'append' || revision === undefined) return decision.result;
      try {
        await this.append(request.account, decision.event, revision);
        return decision.result;
      } catch (error) {
        // Another payment on the same account went first: decide again on the new balance.
        if (!(error instanceof ConcurrencyError) || attempt >= 20) throw error;
      }
    }
  }

  private async load(accountId: string): Promise<{ state: BankAccount; revision: number | undefined }> {
    if (!/^[A-Za-z0-9_]{1,64}$/.test(accountId)) return { state: unknownAccount, revision: undefined };
    const recorded = await this.store.readStream(bankStream(accountId));
    let state = unknownAccount;
    for (const r of recorded) {
      if (BANK_EVENT_TYPES.has(r.type))
        state = evolveAccount(state, { type: r.type, data: r.data } as BankEvent);
    }
    return { state, revision: recorded.at(-1)?.revision };
  }

  private async append(
    accountId: string,
    event: BankEvent,
    expectedRevision: ExpectedRevision,
  ): Promise<void> {
    const id = randomUUID();
    await this.store.appendToStream(
      bankStream(accountId),
      [
        {
          id,
          type: event.type,
          version: 1,
          data: event.data,
          metadata: { ...BANK_METADATA, correlationId: id, causationId: id },
        },
      ],
      { expectedRevision },
    );
  }
}
