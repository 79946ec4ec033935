import { randomUUID } from 'node:crypto';
import type { HandOffReply, HandOffRequest, Reply } from '#contracts';
import { hasStableCode, NetPayError } from '#platform';
import { refusal, VENDOR } from '../engine/vendor-errors.js';
import type { HandOffHandler } from './hand-off.handler.js';
import type { HandOffResponder } from './hand-off-transport.js';

/**
 * The holder's side of the wire: checks the request's shape, runs the
 * hand-off, and answers `Reply<HandOffReply>`; every failure becomes a coded
 * error reply, never a silence the asker would mistake for a dead holder.
 */
export function handOffResponder(
  handler: HandOffHandler,
  onUnexpected: (error: unknown) => void = () => undefined,
): HandOffResponder {
  return async (message: unknown): Promise<Reply<HandOffReply>> => {
    try {
      const request = parseRequest(message);
      return { ok: true, value: await handler.execute(request, request.correlationId ?? randomUUID()) };
    } catch (error) {
      if (error instanceof NetPayError || hasStableCode(error)) {
        return { ok: false, error: { code: error.code, message: error.message } };
      }
      onUnexpected(error);
      return { ok: false, error: { code: 'INTERNAL', message: 'the hand-off failed unexpectedly' } };
    }
  };
}

function parseRequest(message: unknown): HandOffRequest & { correlationId?: string } {
  if (typeof message !== 'object' || message === null)
    throw refusal(VENDOR.BAD_REQUEST, 'expected a hand-off request object');
  const { chainId, toVendor, correlationId } = message as Record<string, unknown>;
  if (typeof chainId !== 'string' || typeof toVendor !== 'string') {
    throw refusal(VENDOR.BAD_REQUEST, 'a hand-off request needs chainId and toVendor strings');
  }
  return typeof correlationId === 'string' ? { chainId, toVendor, correlationId } : { chainId, toVendor };
}
