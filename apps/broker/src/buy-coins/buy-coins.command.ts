import type { Touchstone } from '#protocol';

/** Buy `coins` e-coins of `coinValue` minor units with ONE macro-payment. */
export interface BuyCoins {
  readonly customerId: string;
  readonly bankAccount: string;
  readonly coins: number;
  readonly coinValue: number;
  readonly currency: string;
  readonly wallet: 'client' | 'server';
  readonly expiresInDays?: number;
  readonly vendors?: readonly string[];
  /** Client-side wallets: the wallet's own randomness, mixed into the seeds and never stored. */
  readonly walletNonce?: string;
  readonly idempotencyKey: string;
}

export interface PurchasedChain {
  readonly chainId: string;
  readonly alg: Touchstone['alg'];
  /** n: paywords W[1] … W[n]. */
  readonly length: number;
  readonly touchstone: Touchstone;
  /** Client-side wallets only, first answer only: W[n+1], hex. Keep it secret; never shown again. */
  readonly seed?: string;
}

export interface CoinsPurchasedAnswer {
  readonly purchaseId: string;
  readonly status: 'completed';
  readonly coins: number;
  readonly coinValue: number;
  /** coins × coinValue, minor units. */
  readonly amount: number;
  readonly currency: string;
  readonly wallet: 'client' | 'server';
  readonly paymentRef: string;
  readonly at: string;
  readonly chains: readonly PurchasedChain[];
  /** Global position of the purchase: `GET /wallet?minPosition=` waits for it. */
  readonly position: string;
  /** A replay of a client-side purchase: `['chains[].seed']`, the seeds were shown once. */
  readonly withheld?: readonly string[];
  /** With `withheld`: how a wallet that lost the seeds gets its coins back (re-issue each chain). */
  readonly recovery?: string;
}
