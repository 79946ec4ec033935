import { describe, expect, it } from '@jest/globals';
import { BadRequestException, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { IsInt, IsString, Min, ValidateNested, validateSync } from 'class-validator';
import { plainToInstance, Type } from 'class-transformer';
import { NetPayError } from './netpay-error.js';
import { mapError, toProblem } from './problem.js';
import { isRpcErrorReply, rpcOk, toRpcErrorReply, unwrapRpcReply } from './rpc-error.js';
import { validationFailed } from './validation-errors.js';

class Line {
  @IsInt()
  @Min(1)
  coins!: number;
}
class Order {
  @IsString()
  chainId!: string;
  @ValidateNested({ each: true })
  @Type(() => Line)
  lines!: Line[];
}

class ProtocolLikeError extends Error {
  readonly code = 'PROTOCOL.BAD_HEX';
}
class ConcurrencyLikeError extends Error {
  readonly code = 'EVENT_STORE.CONCURRENCY';
}

describe('mapError / toProblem', () => {
  it('keeps a NetPayError code, status, message and spreads its details', () => {
    const error = new NetPayError('SPEND.PAYWORD_REPLAYED', 'payword 3 of chain c1 was already spent', {
      status: 409,
      details: { chainId: 'c1', index: 3, code: 'ignored: reserved' },
    });
    expect(toProblem(mapError(error), '/spends')).toEqual({
      type: 'urn:netpay:error:SPEND.PAYWORD_REPLAYED',
      title: 'Conflict',
      status: 409,
      code: 'SPEND.PAYWORD_REPLAYED',
      detail: 'payword 3 of chain c1 was already spent',
      instance: '/spends',
      chainId: 'c1',
      index: 3,
    });
  });

  it('maps Nest HTTP exceptions by status', () => {
    expect(mapError(new NotFoundException('Cannot GET /nope'))).toMatchObject({
      status: 404,
      code: 'REQUEST.NOT_FOUND',
      detail: 'Cannot GET /nope',
    });
    expect(mapError(new BadRequestException(['a is bad', 'b is bad']))).toMatchObject({
      code: 'REQUEST.INVALID',
      detail: 'a is bad; b is bad',
    });
    expect(mapError(new ServiceUnavailableException('draining'))).toMatchObject({
      status: 503,
      code: 'SERVICE.UNAVAILABLE',
    });
  });

  it('maps coded library errors by exact code, then by area, else 422', () => {
    expect(mapError(new ConcurrencyLikeError('stream moved'))).toMatchObject({
      status: 409,
      detail: 'stream moved',
    });
    expect(mapError(new ProtocolLikeError('not hex'))).toMatchObject({
      status: 400,
      code: 'PROTOCOL.BAD_HEX',
    });
    expect(mapError(new ProtocolLikeError('x'), { 'PROTOCOL.BAD_HEX': 418 }).status).toBe(418);
    class Other extends Error {
      readonly code = 'WALLET.LOCKED';
    }
    expect(mapError(new Other('locked')).status).toBe(422);
  });

  it('hides anything unexpected behind INTERNAL', () => {
    const mapping = mapError(new TypeError("Cannot read properties of undefined (reading 'secretKey')"));
    expect(mapping).toMatchObject({ status: 500, code: 'INTERNAL', unexpected: true });
    expect(mapping.detail).not.toMatch(/secretKey/);
    const errno = Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:6379'), { code: 'ECONNREFUSED' });
    expect(mapError(errno)).toMatchObject({ code: 'INTERNAL', unexpected: true });
    expect(mapError('a thrown string').code).toBe('INTERNAL');
  });

  it('maps Fastify body refusals (too large) to their 4xx, but not other errors carrying a statusCode', () => {
    const tooLarge = Object.assign(new Error('Request body is too large'), {
      code: 'FST_ERR_CTP_BODY_TOO_LARGE',
      statusCode: 413,
    });
    expect(mapError(tooLarge)).toMatchObject({ status: 413, code: 'REQUEST.TOO_LARGE' });
    const upstream = Object.assign(new Error('upstream said 404 for /internal/x'), { statusCode: 404 });
    expect(mapError(upstream).code).toBe('INTERNAL');
  });
});

describe('validationFailed', () => {
  it('lists every refused field with a dotted path', () => {
    const order = plainToInstance(Order, { chainId: 7, lines: [{ coins: 2 }, { coins: 0 }] });
    const error = validationFailed(validateSync(order));
    expect(error).toMatchObject({ code: 'REQUEST.INVALID', status: 400 });
    expect(error.details).toEqual({
      errors: [
        { field: 'chainId', messages: ['chainId must be a string'] },
        { field: 'lines.1.coins', messages: ['coins must not be less than 1'] },
      ],
    });
  });
});

describe('RPC error replies', () => {
  it('round-trips a coded error through the one reply envelope', () => {
    const reply = toRpcErrorReply(
      mapError(new NetPayError('HANDOFF.NOT_HOLDER', 'not the holder', { status: 409 })),
    );
    expect(reply).toEqual({
      ok: false,
      error: { code: 'HANDOFF.NOT_HOLDER', message: 'not the holder', status: 409 },
    });
    const wire: unknown = JSON.parse(JSON.stringify(reply));
    expect(isRpcErrorReply(wire)).toBe(true);
    expect(() => unwrapRpcReply(wire)).toThrow(
      expect.objectContaining({ code: 'HANDOFF.NOT_HOLDER', status: 409, details: { remote: true } }),
    );
    expect(() => unwrapRpcReply(wire, { remote: 'broker', statusOf: () => 404 })).toThrow(
      expect.objectContaining({ status: 404, details: { remote: 'broker' } }),
    );
  });

  it("keeps the remote status when the caller does not know the code, and a remote failure is the caller's 502", () => {
    const wire = (code: string, status: number) => ({ ok: false, error: { code, message: 'm', status } });
    const known = (code: string) => (code === 'KNOWN.CODE' ? 402 : undefined);
    expect(() => unwrapRpcReply(wire('KNOWN.CODE', 409), { statusOf: known })).toThrow(
      expect.objectContaining({ status: 402 }),
    );
    expect(() => unwrapRpcReply(wire('OTHER.CODE', 503), { statusOf: known })).toThrow(
      expect.objectContaining({ code: 'OTHER.CODE', status: 503 }),
    );
    expect(() => unwrapRpcReply(wire('OTHER.CODE', 403), { statusOf: known })).toThrow(
      expect.objectContaining({ status: 403 }),
    );
    for (const status of [500, 504, 200, 99, 401, 429])
      expect(() => unwrapRpcReply(wire('OTHER.CODE', status), { statusOf: known })).toThrow(
        expect.objectContaining({ status: 502 }),
      );
  });

  it('passes an answer through, and refuses what is not the envelope as RPC.FAILED', () => {
    expect(unwrapRpcReply(rpcOk({ index: 4 }))).toEqual({ index: 4 });
    expect(isRpcErrorReply({ error: 'just a string field' })).toBe(false);
    // The old bare `{ error }` shape and bare answers are no longer replies.
    expect(isRpcErrorReply({ error: { code: 'X.Y', message: 'm', status: 400 } })).toBe(false);
    expect(() => unwrapRpcReply({ index: 4 })).toThrow(
      expect.objectContaining({ code: 'RPC.FAILED', status: 502 }),
    );
  });
});
