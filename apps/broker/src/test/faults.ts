// Failures injected at the edges, for crash-recovery tests: a store whose next matching append
// fails (as if the process died before writing), a bank whose answer is lost after it charged.
import { DelegatingEventStore, type AppendOptions, type AppendResult, type NewEvent } from '#event-store';
import type {
  DeclineReason,
  MandateRequest,
  MandateResult,
  PaymentGateway,
  PaymentRequest,
  PaymentResult,
  VoidResult,
} from '../bank/payment-gateway.port.js';

type AppendMatcher = (stream: string, events: readonly NewEvent[]) => boolean;

export class FaultyEventStore extends DelegatingEventStore {
  private failNext: AppendMatcher | undefined;
  private interject: { when: AppendMatcher; run: AppendHook } | undefined;

  /** The next append matching `when` throws without writing. */
  failOnce(when: AppendMatcher): void {
    this.failNext = when;
  }

  /** Before the next append matching `when`, `run` acts first (another process's write). */
  beforeNext(when: AppendMatcher, run: AppendHook): void {
    this.interject = { when, run };
  }

  override async appendToStream(
    stream: string,
    events: readonly NewEvent[],
    options?: AppendOptions,
  ): Promise<AppendResult> {
    if (this.failNext?.(stream, events)) {
      this.failNext = undefined;
      throw new Error(`injected crash before appending to ${stream}`);
    }
    const interject = this.interject;
    if (interject?.when(stream, events)) {
      this.interject = undefined;
      await interject.run(stream, events);
    }
    return super.appendToStream(stream, events, options);
  }
}

type AppendHook = (stream: string, events: readonly NewEvent[]) => Promise<void>;

/** Charges through the real gateway, then loses the answer once (a timeout after the bank acted). */
export class LossyGateway implements PaymentGateway {
  private loseNext = false;
  private unreachableNext = false;

  constructor(private readonly inner: PaymentGateway) {}

  loseNextAnswer(): void {
    this.loseNext = true;
  }

  /** The next charge never reaches the bank (a time-out before it acted). */
  failNextCharge(): void {
    this.unreachableNext = true;
  }

  async charge(request: PaymentRequest): Promise<PaymentResult> {
    if (this.unreachableNext) {
      this.unreachableNext = false;
      throw new Error('injected: the bank was not reached');
    }
    const result = await this.inner.charge(request);
    if (this.loseNext) {
      this.loseNext = false;
      throw new Error('injected: the bank answer was lost');
    }
    return result;
  }

  voidPayment(request: PaymentRequest): Promise<VoidResult> {
    return this.inner.voidPayment(request);
  }

  payout(request: PaymentRequest): Promise<PaymentResult> {
    return this.inner.payout(request);
  }

  payoutRefusal(account: string, currency: string): Promise<DeclineReason | undefined> {
    return this.inner.payoutRefusal(account, currency);
  }

  verifyMandate(request: MandateRequest): Promise<MandateResult> {
    return this.inner.verifyMandate(request);
  }
}
