import { Logger } from '@nestjs/common';
import { ServerNats } from '@nestjs/microservices';
import { context, trace } from '@opentelemetry/api';
import { extractTraceContext, SpanKind, tracer } from '../tracing/tracing.js';
import { checkPacket, isStreamDelivery, refusalReply } from './nats-packet.js';

/** The part of a NATS message the check reads. */
interface IncomingMsg {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly reply?: string;
  readonly headers?: { get(name: string): string };
  respond(data: Uint8Array, options?: unknown): boolean;
}

const NATS_TRACER = tracer('nats-server');

/**
 * Nest's NATS server, answering every malformed request that has a reply subject with a
 * `REQUEST.INVALID` (or `REQUEST.TOO_DEEP`) error instead of leaving it to time out. A
 * malformed message without a reply subject is dropped with a warning, and a stream's delivery
 * pointed at a request subject (`isStreamDelivery`) is dropped unread.
 */
export class NetPayNatsServer extends ServerNats {
  private readonly refusals = new Logger('NatsPackets');

  override async handleMessage(channel: string, natsMsg: IncomingMsg): Promise<unknown> {
    if (isStreamDelivery(natsMsg)) return undefined;
    const check = checkPacket(natsMsg.data, Boolean(natsMsg.reply));
    if (check.ok) return this.traced(channel, natsMsg);
    this.refusals.warn(`refused a malformed message on ${natsMsg.subject}: ${check.error.message}`);
    if (natsMsg.reply) natsMsg.respond(refusalReply(check));
    return undefined;
  }

  /**
   * The handler in a server span that continues the requester's trace (its `traceparent` header),
   * so what the handler appends carries the trace; the span ends when the reply is sent (or, for a
   * message without a reply subject, when the handler is done).
   */
  private async traced(channel: string, natsMsg: IncomingMsg): Promise<unknown> {
    const parent = extractTraceContext((name) => natsMsg.headers?.get(name) || undefined);
    const span = NATS_TRACER.startSpan(
      `nats serve ${channel}`,
      {
        kind: SpanKind.SERVER,
        attributes: { 'messaging.system': 'nats', 'messaging.destination.name': channel },
      },
      parent,
    );
    let ended = false;
    const end = () => {
      if (!ended) span.end();
      ended = true;
    };
    if (natsMsg.reply) {
      const respond = natsMsg.respond.bind(natsMsg);
      natsMsg.respond = (data, options) => {
        end();
        return respond(data, options);
      };
    }
    try {
      return await context.with(trace.setSpan(parent, span), () => super.handleMessage(channel, natsMsg));
    } finally {
      if (!natsMsg.reply) end();
    }
  }
}
