import { randomUUID } from 'node:crypto';
import pRetry from 'p-retry';
import { WALLET, WalletError } from './wallet-errors.js';
import type { Payment, Wallet } from './wallet.js';

/** The part of `fetch` the SDK uses (the global one by default). */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; signal?: AbortSignal },
) => Promise<Response>;

/** The header naming when the payer stops waiting: a vendor records no spend after it. */
export const NETPAY_DEADLINE_HEADER = 'x-netpay-deadline';

/** How long one try of a paid request waits for its answer when not configured (ms). */
export const DEFAULT_PAID_REQUEST_TIMEOUT_MS = 15_000;

export interface PaidRequest {
  readonly url: string;
  readonly method?: string;
  /** The vendor paid (its id, as in the 402 answer's `X-NetPay-Vendor`). */
  readonly vendorId: string;
  /** The price in coins (the 402 answer's `X-NetPay-Price`). */
  readonly count: number;
  /** A payment whose outcome was unknown (`PaymentOutcomeUnknownError`): sent again as it was. */
  readonly repeat?: { readonly payment: Payment; readonly idempotencyKey: string };
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
  readonly payment: Payment;
  /** Whether the vendor accepted the payment (the wallet's index moved past it). */
  readonly paid: boolean;
}

/** The vendor could not say whether the payment was recorded, even after the retries. */
export class PaymentOutcomeUnknownError extends WalletError {
  constructor(
    readonly payment: Payment,
    readonly idempotencyKey: string,
  ) {
    super(
      WALLET.OUTCOME_UNKNOWN,
      `the vendor could not confirm the payment on chain ${payment.chainId}: repeat it later with ` +
        '`repeat: { payment, idempotencyKey }` (the same payword for the same request), never for anything else',
    );
    this.name = 'PaymentOutcomeUnknownError';
  }
}

/**
 * Requests paid content: prepares the payment, sends it in the NetPay headers and moves the
 * wallet's index once the vendor accepted it. When the vendor answers that the outcome is
 * unknown (503 with `outcome: "unknown"`: the spend may have been recorded), it repeats the very
 * same request — same payment, same Idempotency-Key — which a vendor answers with the receipt
 * of a spend it recorded; showing that payword for another resource would be refused as a replay
 * and lose the coin.
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
  const payment = request.repeat?.payment ?? wallet.pay(request.count, { vendorId: request.vendorId });
  const idempotencyKey = request.repeat?.idempotencyKey ?? randomUUID();
  const paymentHeaders = {
    'x-netpay-payment': `${payment.chainId}.${payment.proof.position}.${payment.proof.payword}`,
    'x-netpay-touchstone': Buffer.from(JSON.stringify(payment.touchstone)).toString('base64url'),
    'idempotency-key': idempotencyKey,
  };
  const attempts = Math.max(1, options.attempts ?? 3);
  const now = options.now ?? Date.now;
  const once = async (): Promise<PaidAnswer> => {
    // Each try names its own deadline: when this SDK stops waiting, the vendor stops spending.
    const headers = {
      ...paymentHeaders,
      [NETPAY_DEADLINE_HEADER]: new Date(now() + timeoutMs).toISOString(),
    };
    let response: Response;
    try {
      response = await send(request.url, {
        method: request.method ?? 'GET',
        headers,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      // No answer in time: the spend may have been recorded before the deadline, or not at all.
      if (!isTimeout(error)) throw error;
      throw new OutcomeUnknown();
    }
    if (response.ok) {
      wallet.confirm(payment, request.vendorId);
      return { response, payment, paid: true };
    }
    if (!(await outcomeIsUnknown(response))) return { response, payment, paid: false };
    throw new OutcomeUnknown();
  };
  try {
    // Only an unknown outcome is tried again, always with the same payment and key.
    return await pRetry(once, {
      retries: attempts - 1,
      minTimeout: options.retryDelayMs ?? 200,
      factor: 1,
      shouldRetry: ({ error }) => error instanceof OutcomeUnknown,
    });
  } catch (error) {
    if (error instanceof OutcomeUnknown) throw new PaymentOutcomeUnknownError(payment, idempotencyKey);
    throw error;
  }
}

/** One try's outcome is unknown (a time-out, or the vendor's 503 `outcome: "unknown"`). */
class OutcomeUnknown extends Error {}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

async function outcomeIsUnknown(response: Response): Promise<boolean> {
  if (response.status !== 503) return false;
  try {
    const body = (await response.clone().json()) as { outcome?: unknown };
    return body.outcome === 'unknown';
  } catch {
    return false;
  }
}
