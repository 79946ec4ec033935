import { randomUUID } from 'node:crypto';
import type { HandOffReply, HandOffRequest, Reply } from '#contracts';
import { hasStableCode, NetPayError } from '#platform';
import {
  CERTIFICATE,
  HAND_OFF_REQUEST,
  parseSignedHandOffRequest,
  parseVendorKeyCertificate,
  parseWalletGrant,
  ProtocolError,
  WALLET_GRANT,
} from '#protocol';
import { refusal, VENDOR } from '../engine/vendor-errors.js';
import type { HandOffHandler } from './hand-off.handler.js';
import type { HandOffResponder } from './hand-off-transport.js';

/**
 * The holder's side of the wire: checks the request's shape, runs the
 * hand-off, and answers `Reply<HandOffReply>`; every failure becomes a coded
 * error reply, never a silence the asker would mistake for a dead holder.
 * `onRefused` sees every refusal code (a metric of forged or stale requests).
 */
export function handOffResponder(
  handler: HandOffHandler,
  onUnexpected: (error: unknown) => void = () => undefined,
  onRefused: (code: string) => void = () => undefined,
): HandOffResponder {
  return async (message: unknown): Promise<Reply<HandOffReply>> => {
    try {
      const request = parseRequest(message);
      return { ok: true, value: await handler.execute(request, request.correlationId ?? randomUUID()) };
    } catch (error) {
      if (error instanceof NetPayError || hasStableCode(error)) {
        onRefused(error.code);
        return { ok: false, error: { code: error.code, message: error.message } };
      }
      onUnexpected(error);
      return { ok: false, error: { code: 'INTERNAL', message: 'the hand-off failed unexpectedly' } };
    }
  };
}

/** `{ request, certificate, walletGrant?, correlationId? }`; anything unsigned is HANDOFF.UNSIGNED. */
function parseRequest(message: unknown): HandOffRequest {
  if (typeof message !== 'object' || message === null)
    throw refusal(VENDOR.BAD_REQUEST, 'expected a hand-off request object');
  const { request, certificate, walletGrant, correlationId } = message as Record<string, unknown>;
  const signature = (request as { signature?: unknown } | null | undefined)?.signature;
  if (
    typeof request !== 'object' ||
    request === null ||
    signature === undefined ||
    certificate === undefined
  ) {
    throw refusal(
      HAND_OFF_REQUEST.UNSIGNED,
      'a hand-off request must be signed by the requesting vendor and carry its key certificate',
    );
  }
  return {
    request: parsed(() => parseSignedHandOffRequest(request), VENDOR.BAD_REQUEST, 'request'),
    certificate: parsed(() => parseVendorKeyCertificate(certificate), CERTIFICATE.INVALID, 'certificate'),
    ...(walletGrant === undefined
      ? {}
      : { walletGrant: parsed(() => parseWalletGrant(walletGrant), WALLET_GRANT.INVALID, 'walletGrant') }),
    ...(typeof correlationId === 'string' ? { correlationId } : {}),
  };
}

function parsed<T>(parse: () => T, code: string, field: string): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof ProtocolError) throw refusal(code, `${field}: ${error.message}`);
    throw error;
  }
}
