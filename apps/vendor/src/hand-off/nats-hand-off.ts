import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import { headers, RequestError, TimeoutError } from '@nats-io/nats-core';
import { queues, subjects, type HandOffReply, type HandOffRequest, type Reply } from '#contracts';
import {
  extractTraceContext,
  injectTraceContext,
  inSpan,
  isStreamDelivery,
  SpanKind,
  tracer,
} from '#platform';
import type { HandOffAnswer, HandOffResponder, HandOffTransport } from './hand-off-transport.js';

/**
 * Vendor-to-vendor hand-off on plain NATS request/reply: the request is the
 * contracts' `HandOffRequest` as JSON, the answer `Reply<HandOffReply>`.
 * (Plain NATS, not Nest's message framing: every vendor subscribes to a
 * subject named after itself, in a queue group shared by its replicas.)
 */
export class NatsHandOffTransport implements HandOffTransport {
  constructor(private readonly nc: NatsConnection) {}

  request(holder: string, request: HandOffRequest, timeoutMs: number): Promise<HandOffAnswer> {
    // A client span whose context travels in the request's headers: the holder's work continues it.
    return inSpan(
      tracer('vendor-hand-off'),
      `hand-off request ${holder}`,
      {
        kind: SpanKind.CLIENT,
        attributes: { 'netpay.holder': holder, 'netpay.chain_id': request.request.chainId },
      },
      () => this.send(holder, request, timeoutMs),
    );
  }

  private async send(holder: string, request: HandOffRequest, timeoutMs: number): Promise<HandOffAnswer> {
    try {
      const hdrs = headers();
      injectTraceContext((name, value) => hdrs.set(name, value));
      const msg = await this.nc.request(subjects.handOff(holder), JSON.stringify(request), {
        timeout: timeoutMs,
        headers: hdrs,
      });
      return { kind: 'reply', reply: asReply(msg.json()) };
    } catch (error) {
      if (error instanceof TimeoutError) return { kind: 'unanswered', reason: 'timeout' };
      if (error instanceof RequestError && error.isNoResponders())
        return { kind: 'unanswered', reason: 'no responders' };
      if (error instanceof RequestError && error.cause instanceof TimeoutError)
        return { kind: 'unanswered', reason: 'timeout' };
      throw error;
    }
  }
}

/** Serves `subjects.handOff(vendorId)` in the vendor's queue group until stopped. */
export class NatsHandOffServer {
  private subscription: Subscription | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly vendorId: string,
    private readonly responder: HandOffResponder,
  ) {}

  start(): void {
    if (this.subscription) return;
    this.subscription = this.nc.subscribe(subjects.handOff(this.vendorId), {
      queue: queues.vendor(this.vendorId),
      callback: (error, msg) => {
        // A hand-off is a request: a message without a reply subject is nobody's to answer.
        if (error || !msg.reply || isStreamDelivery(msg)) return;
        let body: unknown;
        try {
          body = msg.json();
        } catch {
          body = undefined;
        }
        const parent = extractTraceContext((name) => msg.headers?.get(name) || undefined);
        void inSpan(
          tracer(`vendor-${this.vendorId}`),
          'hand-off serve',
          { kind: SpanKind.SERVER, parent, attributes: { 'netpay.vendor': this.vendorId } },
          () => this.responder(body),
        ).then((reply) => msg.respond(JSON.stringify(reply)));
      },
    });
  }

  /** Stops answering (a holder that went away); in-flight hand-offs still reply. */
  async stop(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = undefined;
    if (subscription && !subscription.isClosed()) {
      subscription.unsubscribe();
      await this.nc.flush().catch(() => undefined);
    }
  }
}

function asReply(value: unknown): Reply<HandOffReply> {
  if (typeof value === 'object' && value !== null && 'ok' in value) {
    const reply = value as Reply<HandOffReply>;
    if (reply.ok && typeof reply.value === 'object' && reply.value !== null) return reply;
    if (!reply.ok && typeof reply.error?.code === 'string') return reply;
  }
  return {
    ok: false,
    error: {
      code: 'HANDOFF.BAD_REPLY',
      message: 'the holder answered something that is not a hand-off reply',
    },
  };
}
