import { type ClientProxy, NatsRecordBuilder } from '@nestjs/microservices';
import { headers as natsHeaders } from '@nats-io/nats-core';
import { firstValueFrom, timeout, TimeoutError } from 'rxjs';
import { injectTraceContext, inSpan, SpanKind, tracer } from '../tracing/tracing.js';
import { NetPayError, PLATFORM_ERROR } from './netpay-error.js';
import { type RpcReply, type UnwrapOptions, unwrapRpcReply } from './rpc-error.js';

export interface RpcRequestOptions extends UnwrapOptions {
  /** Every request has a bound: past it the caller gets `RPC.TIMEOUT` (503: the service is away, retry). */
  timeoutMs: number;
}

/**
 * The one NATS request/reply client of the services (over Nest's NATS client): send a request,
 * read the reply envelope (`RpcReply`) and return the answer, raising the remote side's coded error as a
 * `NetPayError`. The request carries its deadline (`x-netpay-deadline`, now + the time-out), so a
 * server that finds it already passed (the request queued while we stopped waiting) drops it
 * without doing its work. No reply in time → `RPC.TIMEOUT` (503, as for any dependency away: a
 * client retries it); nobody subscribed to the subject →
 * `RPC.NO_RESPONDERS` (503); a transport failure or an uncoded remote error → `RPC.FAILED` (502).
 */
export function rpcRequest<T, I = unknown>(
  client: ClientProxy,
  pattern: string | Record<string, unknown>,
  data: I,
  options: RpcRequestOptions,
): Promise<T> {
  const subject = typeof pattern === 'string' ? pattern : JSON.stringify(pattern);
  // A client span; its context goes in the request's headers, so the server's span continues it.
  return inSpan(
    RPC_TRACER,
    `nats request ${subject}`,
    {
      kind: SpanKind.CLIENT,
      attributes: { 'messaging.system': 'nats', 'messaging.destination.name': subject },
    },
    () => request<T, I>(client, pattern, subject, data, options),
  );
}

const RPC_TRACER = tracer('nats-client');

async function request<T, I>(
  client: ClientProxy,
  pattern: string | Record<string, unknown>,
  subject: string,
  data: I,
  options: RpcRequestOptions,
): Promise<T> {
  let reply: RpcReply<T>;
  try {
    const headers = natsHeaders();
    headers.set('x-netpay-deadline', new Date(Date.now() + options.timeoutMs).toISOString());
    injectTraceContext((name, value) => headers.set(name, value));
    const record = new NatsRecordBuilder(data).setHeaders(headers).build();
    reply = await firstValueFrom(client.send<RpcReply<T>>(pattern, record).pipe(timeout(options.timeoutMs)));
  } catch (e) {
    if (e instanceof TimeoutError) {
      throw new NetPayError(
        PLATFORM_ERROR.RPC_TIMEOUT,
        `no reply to ${subject} within ${options.timeoutMs} ms`,
        {
          status: 503,
          details: { subject },
        },
      );
    }
    if (isNoResponders(e)) {
      throw new NetPayError(PLATFORM_ERROR.RPC_NO_RESPONDERS, `no service is listening on ${subject}`, {
        status: 503,
        details: { subject },
      });
    }
    throw new NetPayError(PLATFORM_ERROR.RPC_FAILED, `request ${subject} failed: ${reason(e)}`, {
      status: 502,
      details: { subject },
      cause: e,
    });
  }
  return unwrapRpcReply<T>(reply, options);
}

/** NATS answers "no responders" at once; Nest reports it as an `EmptyResponseException` it does not export. */
function isNoResponders(e: unknown): boolean {
  return (
    e instanceof Error &&
    (e.constructor.name === 'EmptyResponseException' || e.message.startsWith('Empty response.'))
  );
}

function reason(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string') {
    return (e as { message: string }).message;
  }
  return String(e);
}
