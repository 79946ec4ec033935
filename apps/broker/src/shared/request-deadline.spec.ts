import { describe, expect, it } from '@jest/globals';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { NatsContext } from '@nestjs/microservices';
import { headers as natsHeaders } from '@nats-io/nats-core';
import { ManualClock } from '#platform';
import { defer, lastValueFrom, of, toArray } from 'rxjs';
import { RpcReplyInterceptor } from './rpc-reply.interceptor.js';

const clock = new ManualClock('2026-06-01T12:00:00.000Z');

/** A NATS request as the broker's handlers see it, with `deadline` in its headers (or none). */
function natsRequest(deadline?: string): ExecutionContextHost {
  const h = natsHeaders();
  if (deadline !== undefined) h.set('x-netpay-deadline', deadline);
  const host = new ExecutionContextHost([
    { chainId: 'c1' },
    new NatsContext(['netpay.broker.touchstone', h]),
  ]);
  host.setType('rpc');
  return host;
}

/** Runs the interceptor around a handler that records that it did its work. */
async function handle(context: ExecutionContextHost): Promise<{ worked: number; replies: unknown[] }> {
  let worked = 0;
  const handler = { handle: () => defer(() => ((worked += 1), of({ touchstone: 't' }))) };
  const replies = await lastValueFrom(
    new RpcReplyInterceptor(clock).intercept(context, handler).pipe(toArray()),
  );
  return { worked, replies };
}

// A broker catching up after an outage must not spend its time on requests nobody waits for.
describe('NATS requests past their deadline', () => {
  it('are dropped without doing their work', async () => {
    expect(await handle(natsRequest('2026-06-01T11:59:59.000Z'))).toEqual({ worked: 0, replies: [] });
  });

  it('are answered as before while their deadline holds, or without one', async () => {
    const answered = { worked: 1, replies: [{ ok: true, value: { touchstone: 't' } }] };
    expect(await handle(natsRequest('2026-06-01T12:00:02.000Z'))).toEqual(answered);
    expect(await handle(natsRequest())).toEqual(answered);
    expect(await handle(natsRequest('not a date'))).toEqual(answered);
  });
});
