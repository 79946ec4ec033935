// The worker's writes behind its lease (libs/event-store/src/lease/leader-lease.ts): every append,
// every change of the read model and every payout first checks that this instance still holds
// the lease, so a worker that lost it (or was paused past its end) writes nothing more.
import {
  type AppendOptions,
  type AppendResult,
  DelegatingEventStore,
  type EventStore,
  type Fence,
  type GlobalPosition,
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
} from '../../../broker/src/bank/payment-gateway.port.js';
import type {
  BatchProgress,
  ChainTerms,
  Earnings,
  RedemptionView,
  VendorDay,
  ViewAnchor,
  ViewOp,
  ViewReadResults,
  ViewReads,
} from '../projection/redemption-view.js';
import type { Segment } from '../domain/segments.js';

export class FencedEventStore extends DelegatingEventStore {
  constructor(
    inner: EventStore,
    private readonly fence: Fence,
  ) {
    super(inner);
  }

  override async appendToStream(
    stream: string,
    events: readonly NewEvent[],
    options?: AppendOptions,
  ): Promise<AppendResult> {
    this.fence.assertHeld();
    return this.inner.appendToStream(stream, events, options);
  }
}

export class FencedGateway implements PaymentGateway {
  constructor(
    private readonly inner: PaymentGateway,
    private readonly fence: Fence,
  ) {}

  payoutRefusal(account: string, currency: string): Promise<DeclineReason | undefined> {
    return this.inner.payoutRefusal(account, currency);
  }

  verifyMandate(request: MandateRequest): Promise<MandateResult> {
    return this.inner.verifyMandate(request);
  }

  async charge(request: PaymentRequest): Promise<PaymentResult> {
    this.fence.assertHeld();
    return this.inner.charge(request);
  }

  voidPayment(request: PaymentRequest): Promise<VoidResult> {
    return this.inner.voidPayment(request);
  }

  async payout(request: PaymentRequest): Promise<PaymentResult> {
    this.fence.assertHeld();
    return this.inner.payout(request);
  }
}

/** The read model: reads pass, writes (commit, reset, checkpoint) need the lease. */
export class FencedView implements RedemptionView {
  constructor(
    private readonly inner: RedemptionView,
    private readonly fence: Fence,
  ) {}

  chainTerms(chainId: string): Promise<ChainTerms | undefined> {
    return this.inner.chainTerms(chainId);
  }
  pendingChains(vendorId: string, businessDay: string): Promise<Map<string, readonly Segment[]>> {
    return this.inner.pendingChains(vendorId, businessDay);
  }
  pendingVendorDays(upTo?: string): Promise<VendorDay[]> {
    return this.inner.pendingVendorDays(upTo);
  }
  batch(batchId: string): Promise<BatchProgress | undefined> {
    return this.inner.batch(batchId);
  }
  openBatches(): Promise<BatchProgress[]> {
    return this.inner.openBatches();
  }
  earnedOn(businessDay: string): Promise<Map<string, Earnings>> {
    return this.inner.earnedOn(businessDay);
  }
  position(): Promise<GlobalPosition | undefined> {
    return this.inner.position();
  }
  generation(): Promise<string | undefined> {
    return this.inner.generation();
  }
  read(reads: ViewReads): Promise<ViewReadResults> {
    return this.inner.read(reads);
  }
  load(subscriptionId: string): Promise<GlobalPosition | undefined> {
    return this.inner.load(subscriptionId);
  }
  async reset(id: string): Promise<void> {
    this.fence.assertHeld();
    return this.inner.reset(id);
  }
  async commit(ops: readonly ViewOp[], position: GlobalPosition, eventId?: string): Promise<void> {
    this.fence.assertHeld();
    return this.inner.commit(ops, position, eventId);
  }
  anchor(): Promise<ViewAnchor | undefined> {
    return this.inner.anchor();
  }
  async store(subscriptionId: string, position: GlobalPosition): Promise<void> {
    this.fence.assertHeld();
    return this.inner.store(subscriptionId, position);
  }
}
