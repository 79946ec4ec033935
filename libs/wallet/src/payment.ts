import { parseTouchstone, type SpendProof, type Touchstone } from '#protocol';
import type { Wallet, WalletPurchase } from '@netpay/wallet';

/** A prepared payment in the protocol's terms, for Node code that sends spends itself. */
export interface Payment {
  /** The purchase the wallet reserved the paywords for (settle it with this key). */
  readonly purchaseKey: string;
  readonly chainId: string;
  readonly count: number;
  /** I before this spend: the payword shown is at I + count − 1. */
  readonly fromIndex: number;
  readonly proof: SpendProof;
  readonly touchstone: Touchstone;
  /** The vendor that held the chain before this payment (the payee asks it for a hand-off). */
  readonly lastVendor?: string;
  /** The request headers that pay (`x-netpay-payment`, `x-netpay-touchstone`, `x-netpay-deadline`). */
  readonly headers: Readonly<Record<string, string>>;
}

export interface PreparePaymentOptions {
  readonly vendorId: string;
  /** The purchase's key (random when omitted); the same key again gives the same paywords. */
  readonly purchaseKey?: string;
  /** What is bought (`GET /articles/a1`); `spend` when omitted. */
  readonly resource?: string;
  readonly currency?: string;
  readonly coinValue?: number;
  readonly now?: Date;
  readonly deadlineMs?: number;
}

/**
 * Reserves `count` coins of `wallet` for one purchase (the wallet's payword rule) and answers the
 * payment as a spend proof. Settle the answer with `wallet.settle(payment.purchaseKey, …)`.
 */
export async function preparePayment(
  wallet: Wallet,
  count: number,
  options: PreparePaymentOptions,
): Promise<Payment> {
  const before = new Map(wallet.summaries(options.now).map((c) => [c.chainId, c.lastVendor]));
  const { purchase, headers } = await wallet.pay({
    purchaseKey: options.purchaseKey ?? crypto.randomUUID(),
    vendorId: options.vendorId,
    resource: options.resource ?? 'spend',
    coins: count,
    ...(options.currency === undefined ? {} : { currency: options.currency }),
    ...(options.coinValue === undefined ? {} : { coinValue: options.coinValue }),
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.deadlineMs === undefined ? {} : { deadlineMs: options.deadlineMs }),
  });
  const chain = wallet.state().chains.find((c) => c.touchstone.chainId === purchase.chainId)!;
  const lastVendor = before.get(purchase.chainId);
  return {
    purchaseKey: purchase.purchaseKey,
    chainId: purchase.chainId,
    count,
    fromIndex: purchase.fromIndex,
    proof: { chainId: purchase.chainId, position: purchase.position, payword: purchase.payword },
    touchstone: parseTouchstone(chain.touchstone),
    ...(lastVendor === undefined ? {} : { lastVendor }),
    headers,
  };
}

/**
 * Settles a purchase with a vendor's HTTP answer: 2xx paid, a 4xx refusal with the problem's
 * `code`, `recorded` and `index`. A 5xx (or no answer: pass `undefined`) leaves the purchase
 * reserved — its outcome may be unknown — and answers undefined: repeat it with the same key.
 */
export function settleAnswer(
  wallet: Wallet,
  purchaseKey: string,
  answer: { readonly status: number; readonly body: unknown; readonly receiptId?: string | null } | undefined,
  now?: Date,
): WalletPurchase | undefined {
  if (answer === undefined || answer.status >= 500) return undefined;
  if (answer.status >= 200 && answer.status < 300)
    return wallet.settle(purchaseKey, { ok: true, receiptId: answer.receiptId ?? '' });
  const problem = (typeof answer.body === 'object' && answer.body !== null ? answer.body : {}) as {
    code?: unknown;
    recorded?: unknown;
    index?: unknown;
  };
  return wallet.settle(purchaseKey, {
    ok: false,
    code: typeof problem.code === 'string' ? problem.code : `HTTP.${answer.status}`,
    ...(problem.recorded === false ? { recorded: false } : {}),
    ...(typeof problem.index === 'number' ? { index: problem.index } : {}),
    ...(now === undefined ? {} : { now }),
  });
}
