import { randomUUID } from 'node:crypto';
import pRetry from 'p-retry';
import { DEADLINE_HEADER, type Wallet, type WalletPurchase } from '@netpay/wallet';
import { WALLET, WalletError } from './wallet-errors.js';

/** The part of `fetch` the SDK uses (the global one by default). */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; signal?: AbortSignal },
) => Promise<Response>;

/** The header naming when the payer stops waiting: a vendor records no spend after it. */
export const NETPAY_DEADLINE_HEADER = DEADLINE_HEADER;

/** How long one try of a paid request waits for its answer when not configured (ms). */
export const DEFAULT_PAID_REQUEST_TIMEOUT_MS = 15_000;

export interface PaidRequest {
  readonly url: string;
  readonly method?: string;
  /** The vendor paid (its id, as in the 402 answer's `X-NetPay-Vendor`). */
  readonly vendorId: string;
  /** The price in coins (the 402 answer's `X-NetPay-Price`). */
  readonly count: number;
  /**
   * The purchase (also sent as its Idempotency-Key): a random one when omitted. To repeat a
   * purchase whose outcome was unknown (`PaymentOutcomeUnknownError`), pass its key again: the
   * wallet sends the same paywords.
   */
  readonly purchaseKey?: string;
  /** The coins the vendor takes (the 402 answer's `X-NetPay-Accept`). */
  readonly currency?: string;
  readonly coinValue?: number;
}

export interface PaidRequestOptions {
  readonly fetch?: FetchLike;
  /** Tries of one payment while its outcome is unknown (3 when omitted). */
  readonly attempts?: number;
  /** Pause between those tries, in ms (200 when omitted). */
  readonly retryDelayMs?: number;
  /**
   * How long one try waits for the vendor, in ms (`DEFAULT_PAID_REQUEST_TIMEOUT_MS` when omitted).
   * Each try carries `X-NetPay-Deadline` = now + this: a vendor (frozen, overloaded) that gets to
   * the spend after it records nothing, so a try this SDK gave up on never costs a coin unseen.
   */
  readonly timeoutMs?: number;
  /** The clock the deadline is computed from (ms since the epoch; `Date.now` when omitted). */
  readonly now?: () => number;
}

export interface PaidAnswer {
  readonly response: Response;
  /** The purchase as the wallet holds it now (`paid`, or `refused` with the vendor's code). */
  readonly purchase: WalletPurchase;
  /** Whether the vendor accepted the payment. */
  readonly paid: boolean;
}

/** The vendor could not say whether the payment was recorded, even after the retries. */
export class PaymentOutcomeUnknownError extends WalletError {
  constructor(readonly purchase: WalletPurchase) {
    super(
      WALLET.OUTCOME_UNKNOWN,
      `the vendor could not confirm the payment on chain ${purchase.chainId}: repeat it later with ` +
        '`purchaseKey` (the same paywords for the same purchase); the wallet keeps them for it',
    );
    this.name = 'PaymentOutcomeUnknownError';
  }

  get purchaseKey(): string {
    return this.purchase.purchaseKey;
  }
}

/**
 * Requests paid content with the one wallet's payword rule (`packages/wallet/README.md`): the
 * wallet reserves the paywords for this purchase, each try sends them in the NetPay headers with
 * its own deadline, and the vendor's answer settles the purchase. When the vendor answers that
 * the outcome is unknown (503 with `outcome: "unknown"`: the spend may have been recorded), or
 * does not answer in time, it repeats the very same purchase — same paywords, same
 * Idempotency-Key — which a vendor answers with the receipt of a spend it recorded. A refusal
 * that recorded nothing (`recorded: false`) gives the paywords back once the deadline has passed.
 */
export async function requestPaid(
  wallet: Wallet,
  request: PaidRequest,
  options: PaidRequestOptions = {},
): Promise<PaidAnswer> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_PAID_REQUEST_TIMEOUT_MS;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0) {
    throw new RangeError(`timeoutMs must be a positive integer of milliseconds, not ${timeoutMs}`);
  }
  const send = options.fetch ?? ((url, init) => fetch(url, init));
  const method = request.method ?? 'GET';
  const purchaseKey = request.purchaseKey ?? randomUUID();
  const attempts = Math.max(1, options.attempts ?? 3);
  const now = options.now ?? Date.now;
  const once = async (): Promise<PaidAnswer> => {
    // Each try names its own deadline: when this SDK stops waiting, the vendor stops spending.
    const prepared = await wallet.pay({
      purchaseKey,
      vendorId: request.vendorId,
      resource: `${method} ${new URL(request.url).pathname}`,
      coins: request.count,
      ...(request.currency === undefined ? {} : { currency: request.currency }),
      ...(request.coinValue === undefined ? {} : { coinValue: request.coinValue }),
      now: new Date(now()),
      deadlineMs: timeoutMs,
    });
    let response: Response;
    try {
      response = await send(request.url, {
        method,
        headers: { ...prepared.headers, 'idempotency-key': purchaseKey },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      // No answer in time: the spend may have been recorded before the deadline, or not at all.
      if (!isTimeout(error)) throw error;
      throw new OutcomeUnknown(prepared.purchase);
    }
    if (response.ok) {
      const receiptId = response.headers.get('x-netpay-receipt-id') ?? '';
      return { response, purchase: wallet.settle(purchaseKey, { ok: true, receiptId }), paid: true };
    }
    const problem = await problemOf(response);
    if (!(response.status === 503 && problem.outcome === 'unknown')) {
      const purchase = wallet.settle(purchaseKey, {
        ok: false,
        code: typeof problem.code === 'string' ? problem.code : `HTTP.${response.status}`,
        ...(problem.recorded === false ? { recorded: false } : {}),
        ...(typeof problem.index === 'number' ? { index: problem.index } : {}),
        now: new Date(now()),
      });
      return { response, purchase, paid: false };
    }
    throw new OutcomeUnknown(prepared.purchase);
  };
  try {
    // Only an unknown outcome is tried again, always with the same purchase: same paywords, same key.
    return await pRetry(once, {
      retries: attempts - 1,
      minTimeout: options.retryDelayMs ?? 200,
      factor: 1,
      shouldRetry: ({ error }) => error instanceof OutcomeUnknown,
    });
  } catch (error) {
    if (error instanceof OutcomeUnknown) throw new PaymentOutcomeUnknownError(error.purchase);
    throw error;
  }
}

/** One try's outcome is unknown (a time-out, or the vendor's 503 `outcome: "unknown"`). */
class OutcomeUnknown extends Error {
  constructor(readonly purchase: WalletPurchase) {
    super('outcome unknown');
  }
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

/** The fields of a problem answer the wallet reads (none when the body is not JSON). */
async function problemOf(
  response: Response,
): Promise<{ code?: unknown; outcome?: unknown; recorded?: unknown; index?: unknown }> {
  try {
    const body = await response.clone().json();
    return typeof body === 'object' && body !== null ? body : {};
  } catch {
    return {};
  }
}
