import { Inject, Injectable } from '@nestjs/common';
import type { EventStore } from '#event-store';
import {
  DEFAULT_FRESHNESS_WINDOW_MS,
  isFresh,
  parseSignedCheckoutRequest,
  ProtocolError,
  ReplayGuard,
  verifyCheckoutRequest,
  type SignedCheckoutRequest,
} from '#protocol';
import { BROKER_ERROR, brokerError } from '../shared/broker-errors.js';
import { EVENT_STORE } from '../shared/tokens.js';
import { activeKeys, loadVendor } from '../vendor/vendor.state.js';

/**
 * A checkout must come from the vendor it names: signed with one of that vendor's registered
 * keys, fresh, its nonce unseen. The token is then bound to its vendor twice over (sealed in
 * the token, and the signer), so a sniffed token is useless to another vendor or a plain NATS
 * client. Nonces are kept per broker replica; the freshness window bounds what a replay to
 * another replica could do (the reply still goes to the vendor's own inbox).
 */
@Injectable()
export class CheckoutSignature {
  private readonly replays = new ReplayGuard(DEFAULT_FRESHNESS_WINDOW_MS);

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async verify(message: unknown, now: Date): Promise<SignedCheckoutRequest> {
    const signature = (message as { signature?: unknown } | null)?.signature;
    if (signature === undefined) {
      throw brokerError(
        BROKER_ERROR.CHECKOUT_UNSIGNED,
        'a checkout request must be signed by the vendor it names (at, nonce, vendorKeyId, signature)',
        401,
      );
    }
    let request: SignedCheckoutRequest;
    try {
      request = parseSignedCheckoutRequest(stripUndefined(message));
    } catch (error) {
      if (error instanceof ProtocolError) throw brokerError('REQUEST.INVALID', error.message, 400);
      throw error;
    }
    const vendor = await loadVendor(this.store, request.vendorId);
    const keys = activeKeys(vendor);
    const check = verifyCheckoutRequest(request, keys);
    if (!check.ok) {
      throw brokerError(
        BROKER_ERROR.CHECKOUT_SIGNATURE_INVALID,
        `the request is not signed by a registered key of ${request.vendorId}: ${check.message}`,
        401,
        { reason: check.code },
      );
    }
    if (!isFresh(request.at, now, DEFAULT_FRESHNESS_WINDOW_MS)) {
      throw brokerError(
        BROKER_ERROR.CHECKOUT_STALE,
        `the request was signed at ${request.at}, too far from now`,
        401,
      );
    }
    if (!this.replays.firstUse(`${request.vendorId}:${request.nonce}`, request.at, now)) {
      throw brokerError(BROKER_ERROR.CHECKOUT_REPLAYED, 'this checkout request was received already', 409);
    }
    return request;
  }
}

/** A DTO instance as a plain object of its defined fields (what the strict parser reads). */
function stripUndefined(message: unknown): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(message as Record<string, unknown>).filter(([, value]) => value !== undefined),
  );
}
