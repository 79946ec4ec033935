// Faults injected around real adapters (never a mock of the store or the bank): a gateway that
// loses one answer, a store that fails one append, as a crash at that point would.
import type {
  AppendOptions,
  AppendResult,
  CheckpointStore,
  EventStore,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '#event-store';
import type {
  PaymentGateway,
  PaymentRequest,
  PaymentResult,
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
export class FaultyStore implements EventStore {
  private failing: ((stream: string, events: readonly NewEvent[]) => boolean) | undefined;

  constructor(private readonly inner: EventStore) {}

  failAppendOnce(when: (stream: string, events: readonly NewEvent[]) => boolean): this {
    this.failing = when;
    return this;
  }

  appendToStream(
    stream: string,
    events: readonly NewEvent[],
    options?: AppendOptions,
  ): Promise<AppendResult> {
    if (this.failing?.(stream, events)) {
      this.failing = undefined;
      return Promise.reject(new CrashError(`appending ${events[0]?.type} to ${stream}`));
    }
    return this.inner.appendToStream(stream, events, options);
  }

  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return this.inner.readStream(stream, options);
  }

  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.inner.readAll(options);
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    return this.inner.subscribeToAll(options);
  }

  checkpoints(): CheckpointStore {
    return this.inner.checkpoints();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
