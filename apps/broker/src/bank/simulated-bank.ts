import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ConcurrencyError, type EventStore } from '#event-store';
import type { Clock } from '#platform';
import {
  type BankAccount,
  creditRefusal,
  decidePayment,
  decideVoid,
  foldAccount,
  unknownAccount,
} from './simulated-bank.account.js';
import { BANK_EVENT_TYPES, type BankEvent, bankStream } from './simulated-bank.events.js';
import type {
  DeclineReason,
  MandateRequest,
  MandateResult,
  PaymentGateway,
  PaymentRequest,
  PaymentResult,
  VoidResult,
} from './payment-gateway.port.js';
import { LRUCache } from 'lru-cache';
import { appendLedgerEvent, PerKeyQueue } from '../shared/ledger-stream.js';

export interface OpenAccount {
  readonly accountId: string;
  readonly currency: string;
  readonly balance: number;
  readonly maxCharge?: number;
  /** The mandate secret to issue (BANK_ACCOUNTS may name it); drawn at random when absent. */
  readonly mandate?: string;
}

/** An account just opened: its mandate secret, shown this once (the ledger keeps its hash). */
export interface OpenedAccount {
  readonly mandate: string;
}

export interface BankAccountView {
  readonly accountId: string;
  readonly currency: string;
  readonly balance: number;
  readonly maxCharge: number;
  readonly status: 'open' | 'closed';
  readonly payments: number;
}

const BANK_ACTOR = 'simulated-bank';

/** Accounts whose folded ledger this process keeps (least recently used out first). */
const CACHED_LEDGERS = 10_000;

/** An account's ledger as folded up to `revision` (the last event read or appended by us). */
interface Ledger {
  state: BankAccount;
  revision: number;
}

/**
 * The stand-in for an external bank behind the `PaymentGateway` port: accounts with balances,
 * declines with reasons, idempotency keys, and its own durable ledger (`bankaccount-<id>`
 * streams, optimistic concurrency per account, so concurrent charges leave exact balances).
 *
 * Each account's folded ledger is kept in memory with the revision it was folded to, and the
 * work on one account runs one operation at a time in this process. A payment is decided on the
 * kept ledger and appended with that revision as the expected one: when another process (a
 * replica, the redemption worker) appended in between, the store refuses it, the events after
 * the kept revision are read, and the payment is decided again. Only decisions that append can
 * depend on a newer event (a seen key stays seen, a closed account stays closed), so every answer
 * is the one a fresh read of the whole ledger would give.
 */
export class SimulatedBank implements PaymentGateway {
  private readonly ledgers = new LRUCache<string, Ledger>({ max: CACHED_LEDGERS });
  private readonly queue = new PerKeyQueue();

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

  async payoutRefusal(account: string, currency: string): Promise<DeclineReason | undefined> {
    // The ledger as stored: an account closed by another process declines here too.
    const ledger = await this.queue.run(account, () => this.load(account, true));
    return creditRefusal(ledger?.state ?? unknownAccount, currency);
  }

  voidPayment(request: PaymentRequest): Promise<VoidResult> {
    return this.queue.run(request.account, async () => {
      // Optimistic concurrency, kept by hand: re-read and decide again at once (docs/observability.md).
      for (let attempt = 1; ; attempt++) {
        // Always the ledger as stored: the charge may have been booked by another process.
        const ledger = await this.load(request.account, true);
        const decision = decideVoid(ledger?.state ?? unknownAccount, request, this.clock.now().toISOString());
        if (decision.kind !== 'append' || ledger === undefined) return decision.result;
        if (await this.appendTo(request.account, ledger, decision.event, attempt >= 20))
          return decision.result;
      }
    });
  }

  /**
   * Opens an account and issues its mandate, the secret a payer shows to prove it controls the
   * account (`verifyMandate`); `false` when the account already exists (nothing changes).
   */
  openAccount(open: OpenAccount): Promise<OpenedAccount | false> {
    return this.queue.run(open.accountId, async () => {
      const mandate = open.mandate ?? `mdt_${randomBytes(24).toString('base64url')}`;
      const event: BankEvent = {
        type: 'BankAccountOpened',
        data: {
          accountId: open.accountId,
          currency: open.currency,
          openingBalance: open.balance,
          maxCharge: open.maxCharge ?? this.defaultMaxCharge,
          mandateHash: mandateHashOf(mandate),
          at: this.clock.now().toISOString(),
        },
      };
      try {
        const revision = await appendLedgerEvent(
          this.store,
          bankStream(open.accountId),
          event,
          BANK_ACTOR,
          'no_stream',
        );
        this.keep(open.accountId, { state: foldAccount(unknownAccount, [event], true), revision });
        return { mandate };
      } catch (error) {
        if (error instanceof ConcurrencyError) return false;
        throw error;
      }
    });
  }

  /** Closes an account; `false` when there is no such open account. */
  closeAccount(accountId: string): Promise<boolean> {
    return this.queue.run(accountId, async () => {
      for (;;) {
        const ledger = await this.load(accountId, true);
        if (ledger?.state.status !== 'open') return false;
        const event: BankEvent = {
          type: 'BankAccountClosed',
          data: { accountId, at: this.clock.now().toISOString() },
        };
        if (await this.appendTo(accountId, ledger, event)) return true;
      }
    });
  }

  verifyMandate(request: MandateRequest): Promise<MandateResult> {
    return this.queue.run(request.account, async () => {
      const state = (await this.load(request.account, true))?.state;
      const expected = state?.status === 'open' ? state.mandateHash : undefined;
      const shown = Buffer.from(mandateHashOf(request.mandate), 'hex');
      // Unknown, closed, pre-mandate or wrong: one answer, compared in constant time.
      if (expected !== undefined && timingSafeEqual(Buffer.from(expected, 'hex'), shown)) return { ok: true };
      return {
        ok: false,
        reason: 'mandate-invalid',
        message: `the bank does not confirm this mandate for account ${request.account}`,
      };
    });
  }

  account(accountId: string): Promise<BankAccountView | undefined> {
    return this.queue.run(accountId, async () => {
      const state = (await this.load(accountId, true))?.state;
      if (state === undefined || state.status === 'unknown') return undefined;
      const { currency, balance, maxCharge, status, outcomes } = state;
      const payments = [...outcomes.values()].filter((o) => o.result.ok).length;
      return { accountId, currency, balance, maxCharge, status, payments };
    });
  }

  private pay(direction: 'debit' | 'credit', request: PaymentRequest): Promise<PaymentResult> {
    return this.queue.run(request.account, async () => {
      // Optimistic concurrency, kept by hand: re-read and decide again at once (docs/observability.md).
      for (let attempt = 1; ; attempt++) {
        // The kept ledger first; after a refused append, the events that came in since.
        const ledger = await this.load(request.account, attempt > 1);
        const at = this.clock.now().toISOString();
        const decision = decidePayment(ledger?.state ?? unknownAccount, direction, request, at);
        if (decision.kind !== 'append' || ledger === undefined) return decision.result;
        // Refused: another payment on the same account went first; decide again on the new balance.
        if (await this.appendTo(request.account, ledger, decision.event, attempt >= 20)) {
          return decision.result;
        }
      }
    });
  }

  /**
   * The account's ledger: the kept one as it is, or (`fresh`, or none kept) brought up to date
   * with the events after its revision. Undefined while the account has no event.
   */
  private async load(accountId: string, fresh: boolean): Promise<Ledger | undefined> {
    if (!/^[A-Za-z0-9_]{1,64}$/.test(accountId)) return undefined;
    const kept = this.ledgers.get(accountId);
    if (kept && !fresh) {
      this.keep(accountId, kept);
      return kept;
    }
    const recorded = await this.store.readStream(
      bankStream(accountId),
      kept ? { fromRevision: kept.revision + 1 } : {},
    );
    const last = recorded.at(-1);
    if (last === undefined) {
      if (kept) this.keep(accountId, kept);
      return kept;
    }
    const events = recorded.flatMap((r) =>
      BANK_EVENT_TYPES.has(r.type) ? [{ type: r.type, data: r.data } as BankEvent] : [],
    );
    const ledger: Ledger = kept
      ? { state: foldAccount(kept.state, events, true), revision: last.revision }
      : { state: foldAccount(unknownAccount, events, true), revision: last.revision };
    this.keep(accountId, ledger);
    return ledger;
  }

  /**
   * Appends `event` after the ledger's revision and folds it in; `false` (and the ledger left as
   * it was) when another writer appended first, unless `last`: then that conflict is thrown.
   */
  private async appendTo(
    accountId: string,
    ledger: Ledger,
    event: BankEvent,
    last = false,
  ): Promise<boolean> {
    let revision: number;
    try {
      revision = await appendLedgerEvent(
        this.store,
        bankStream(accountId),
        event,
        BANK_ACTOR,
        ledger.revision,
      );
    } catch (error) {
      if (error instanceof ConcurrencyError && !last) return false;
      throw error;
    }
    ledger.state = foldAccount(ledger.state, [event], true);
    ledger.revision = revision;
    return true;
  }

  private keep(accountId: string, ledger: Ledger): void {
    this.ledgers.set(accountId, ledger);
  }
}

function mandateHashOf(mandate: string): string {
  return createHash('sha256').update(mandate, 'utf8').digest('hex');
}
