import { describe, expect, it } from '@jest/globals';
import type { ArgumentsHost, CallHandler } from '@nestjs/common';
import type { Reply } from '#contracts';
import { firstValueFrom, type Observable, of, throwError } from 'rxjs';
import { NetPayError } from '../errors/netpay-error.js';
import { NetPayExceptionFilter } from '../errors/netpay-exception.filter.js';
import { validationFailed } from '../errors/validation-errors.js';
import { JsonLogger } from '../logging/json-logger.js';
import { refusalReply, checkPacket } from './nats-packet.js';
import { RpcReplyInterceptor } from './rpc-reply.interceptor.js';

class SampleRpcReplyInterceptor extends RpcReplyInterceptor {
  protected override readonly statusByCode = { 'SAMPLE.': 409 };
}

const quiet = new JsonLogger({ service: 'test', level: 'fatal', write: () => undefined });
const through = (source: Observable<unknown>): Promise<unknown> =>
  firstValueFrom(
    new SampleRpcReplyInterceptor().intercept(undefined, { handle: () => source } as CallHandler),
  );
const rpcHost = {
  getType: () => 'rpc',
  switchToRpc: () => ({ getContext: () => ({ getSubject: () => 's' }) }),
} as unknown as ArgumentsHost;

/** Every way a NATS reply is made gives the one envelope of the contracts' `Reply<T>`. */
describe('the NATS reply envelope', () => {
  it('wraps a handler value as { ok: true, value }', async () => {
    const reply = (await through(of({ coins: 3 }))) as Reply<{ coins: number }>;
    expect(reply).toEqual({ ok: true, value: { coins: 3 } });
  });

  it('answers a coded error, a library code and a validation failure as { ok: false, error } with status', async () => {
    expect(
      await through(throwError(() => new NetPayError('CHAIN.NOT_FOUND', 'no chain', { status: 404 }))),
    ).toEqual({
      ok: false,
      error: { code: 'CHAIN.NOT_FOUND', message: 'no chain', status: 404 },
    });
    const coded = Object.assign(new Error('busy'), { code: 'SAMPLE.BUSY' });
    expect(await through(throwError(() => coded))).toMatchObject({
      ok: false,
      error: { code: 'SAMPLE.BUSY', status: 409 },
    });
    const invalid = validationFailed([]);
    expect(await through(throwError(() => invalid))).toMatchObject({
      ok: false,
      error: { code: 'REQUEST.INVALID', status: 400 },
    });
  });

  it('hides an unexpected error as INTERNAL', async () => {
    expect(await through(throwError(() => new Error('secret internals')))).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'INTERNAL', status: 500 }),
    });
  });

  it('gives the same envelope from the exception filter (errors outside the handler) and for malformed packets', async () => {
    const filtered = await firstValueFrom(
      new NetPayExceptionFilter(quiet).catch(
        new NetPayError('AUTH.FORBIDDEN', 'no', { status: 403 }),
        rpcHost,
      )!,
    );
    expect(filtered).toEqual({ ok: false, error: { code: 'AUTH.FORBIDDEN', message: 'no', status: 403 } });
    const check = checkPacket(new TextEncoder().encode('not json'), true);
    if (check.ok) throw new Error('expected a refusal');
    const bare = JSON.parse(new TextDecoder().decode(refusalReply(check))) as Reply<unknown>;
    expect(bare).toMatchObject({
      ok: false,
      error: { code: expect.stringMatching(/^REQUEST\./), status: 400 },
    });
  });
});
