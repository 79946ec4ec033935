import { LRUCache } from 'lru-cache';
import { parseTouchstone, ProtocolError, type Touchstone } from '#protocol';
import { refusal, VENDOR } from '../engine/vendor-errors.js';

/** Headers a payer (or its wallet SDK) sends with a request for paid content. */
export const PAYMENT_HEADERS = {
  /** Client-side wallet: `<chainId>.<position>.<payword hex>`. */
  payment: 'x-netpay-payment',
  /** Optional: the chain's touchstone as base64url JSON (spares the vendor a broker request). */
  touchstone: 'x-netpay-touchstone',
  /** Server-side wallet: the opaque checkout token the broker gave the customer for this vendor. */
  checkout: 'x-netpay-checkout',
  /** With `checkout`: names the purchase, so a retried request is answered, not paid again. */
  idempotencyKey: 'idempotency-key',
} as const;

/** Headers of the vendor's answer. */
export const ANSWER_HEADERS = {
  price: 'x-netpay-price',
  vendor: 'x-netpay-vendor',
  accept: 'x-netpay-accept',
  /** The signed receipt as base64url JSON. */
  receipt: 'x-netpay-receipt',
  receiptId: 'x-netpay-receipt-id',
} as const;

export interface PaymentProof {
  readonly chainId: string;
  readonly position: number;
  readonly payword: string;
}

const PAYMENT = /^([A-Za-z0-9_]{1,64})\.([1-9][0-9]{0,15})\.([0-9a-f]{32}|[0-9a-f]{64})$/;

/** Parses `X-NetPay-Payment`; a malformed one is a 422 with a stable code, never a crash. */
export function parsePaymentHeader(value: string): PaymentProof {
  const match = PAYMENT.exec(value.trim());
  if (!match) {
    throw refusal(
      'PAYMENT.MALFORMED',
      'X-NetPay-Payment must be <chainId>.<position>.<payword as lowercase hex of 16 or 32 bytes>',
    );
  }
  return { chainId: match[1]!, position: Number(match[2]), payword: match[3]! };
}

export function parseTouchstoneHeader(value: string): Touchstone {
  try {
    return parseTouchstone(JSON.parse(Buffer.from(value, 'base64url').toString('utf8')));
  } catch (error) {
    const why = error instanceof ProtocolError ? error.message : 'not base64url JSON';
    throw refusal(VENDOR.TOUCHSTONE_INVALID, `X-NetPay-Touchstone: ${why}`);
  }
}

/**
 * `X-NetPay-Touchstone` headers already parsed, one per chain: a wallet sends the same header
 * with every payment from a chain, and decoding and validating it again each time was several
 * per cent of a spend's CPU. A hit needs the exact header text seen before for the same chain
 * (so the touchstone is exactly the one parsed then); anything else is parsed as usual. The
 * vendor still compares it with the chain's known touchstone and checks its signature once.
 * Bounded in entries and in header length (a real one is well under 1 KiB), least recently
 * used first out, so headers made up by a client cannot grow it without bound.
 */
export class TouchstoneHeaders {
  private readonly parsed: LRUCache<string, { readonly raw: string; readonly touchstone: Touchstone }>;

  constructor(
    capacity = 10_000,
    private readonly maxLength = 2_048,
  ) {
    this.parsed = new LRUCache({ max: capacity });
  }

  parse(chainId: string, raw: string): Touchstone {
    const hit = this.parsed.get(chainId);
    if (hit !== undefined && hit.raw === raw) return hit.touchstone;
    const touchstone = parseTouchstoneHeader(raw);
    // Kept only under the chain it names: a header for another chain is refused later anyway.
    if (touchstone.chainId === chainId && raw.length <= this.maxLength) {
      this.parsed.set(chainId, { raw, touchstone });
    }
    return touchstone;
  }
}

export function encodeHeaderJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}
