// Faults injected around real adapters (never a mock of the store or the bank): a gateway that
// loses one answer, a store that fails one append, as a crash at that point would.
import {
  DelegatingEventStore,
  InMemoryEventStore,
  type AppendOptions,
  type AppendResult,
  type NewEvent,
} from '#event-store';
import type {
  DeclineReason,
  MandateRequest,
  MandateResult,
  PaymentGateway,
  PaymentRequest,
  PaymentResult,
  VoidResult,
} from '../../broker/src/bank/payment-gateway.port.js';

export class CrashError extends Error {
  constructor(where: string) {
    super(`simulated crash ${where}`);
    this.name = 'CrashError';
  }
}

/** Fails the next payout `before` reaching the bank, or `after` the bank moved the money. */
export class FlakyGateway implements PaymentGateway {
  payouts = 0;
  private armed: 'before' | 'after' | undefined;

  constructor(private readonly bank: PaymentGateway) {}

  failNextPayout(when: 'before' | 'after'): this {
    this.armed = when;
    return this;
  }

  charge(request: PaymentRequest): Promise<PaymentResult> {
    return this.bank.charge(request);
  }

  payoutRefusal(account: string, currency: string): Promise<DeclineReason | undefined> {
    return this.bank.payoutRefusal(account, currency);
  }

  verifyMandate(request: MandateRequest): Promise<MandateResult> {
    return this.bank.verifyMandate(request);
  }

  voidPayment(request: PaymentRequest): Promise<VoidResult> {
    return this.bank.voidPayment(request);
  }

  async payout(request: PaymentRequest): Promise<PaymentResult> {
    const armed = this.armed;
    this.armed = undefined;
    if (armed === 'before') throw new CrashError('before the payout');
    const result = await this.bank.payout(request);
    this.payouts += 1;
    if (armed === 'after') throw new CrashError('after the payout, before its answer was recorded');
    return result;
  }
}

/** Delegates to a real store; `failAppendOnce(predicate)` makes one matching append throw instead. */
export class FaultyStore extends DelegatingEventStore {
  private failing: ((stream: string, events: readonly NewEvent[]) => boolean) | undefined;

  failAppendOnce(when: (stream: string, events: readonly NewEvent[]) => boolean): this {
    this.failing = when;
    return this;
  }

  override appendToStream(
    stream: string,
    events: readonly NewEvent[],
    options?: AppendOptions,
  ): Promise<AppendResult> {
    if (this.failing?.(stream, events)) {
      this.failing = undefined;
      return Promise.reject(new CrashError(`appending ${events[0]?.type} to ${stream}`));
    }
    return super.appendToStream(stream, events, options);
  }
}

/**
 * An in-memory store that appends a batch one event at a time, as the JetStream adapter does on
 * servers without atomic batches: the first event carries the expected revision, the rest follow
 * whatever another writer appended in between, and a crash in between leaves the batch cut short.
 */
export class EventByEventStore extends InMemoryEventStore {
  private between: { stream: string; run: () => Promise<void> } | undefined;
  private crash: ((stream: string, events: readonly NewEvent[]) => boolean) | undefined;

  /** Runs `run` once, after the first event of the next append to `stream` (another writer). */
  interleave(stream: string, run: () => Promise<void>): this {
    this.between = { stream, run };
    return this;
  }

  /** The next matching append of several events stops after its first, as if the process died. */
  crashAfterFirstEvent(when: (stream: string, events: readonly NewEvent[]) => boolean): this {
    this.crash = when;
    return this;
  }

  override async appendToStream(
    stream: string,
    events: readonly NewEvent[],
    options?: AppendOptions,
  ): Promise<AppendResult> {
    let result = await super.appendToStream(stream, events.slice(0, 1), options);
    const between = this.between;
    if (between?.stream === stream) {
      this.between = undefined;
      await between.run();
    }
    if (events.length > 1 && this.crash?.(stream, events)) {
      this.crash = undefined;
      throw new CrashError(`after the first of ${events.length} events appended to ${stream}`);
    }
    for (const event of events.slice(1)) result = await super.appendToStream(stream, [event]);
    return result;
  }
}
