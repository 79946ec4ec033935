import { describe, expect, it } from '@jest/globals';
import type { ErrorMapping } from '../errors/problem.js';
import { storesRefusal } from './stored-refusals.js';

const refusal = (code: string, status: number, unexpected = false): ErrorMapping => ({
  code,
  status,
  unexpected,
  title: '',
  detail: '',
  details: {},
});

describe('storesRefusal', () => {
  it('keeps domain decisions so that retries get the same answer', () => {
    expect(storesRefusal(refusal('SPEND.PAYWORD_REPLAYED', 409))).toBe(true);
    expect(storesRefusal(refusal('PAYMENT.DECLINED', 402))).toBe(true);
  });

  it('leaves the key free after request-shape, auth, transient and unexpected failures', () => {
    for (const [code, status] of [
      ['REQUEST.INVALID', 400],
      ['AUTH.UNAUTHENTICATED', 401],
      // A call not proven to be its sender's (a signed P2P call with a bad signature or nonce).
      ['P2P.CALL_SIGNATURE_INVALID', 401],
      ['P2P.CALL_REPLAYED', 401],
      ['EVENT_STORE.CONCURRENCY', 409],
      ['RPC.TIMEOUT', 503],
      ['WALLET.BUSY', 429],
      ['INTERNAL', 500],
    ] as const) {
      expect(storesRefusal(refusal(code, status))).toBe(false);
    }
  });
});
