import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '#platform';
import { type ChainView, remainingCoins } from './wallet.read-model.js';
import { WalletProjection } from './wallet.projection.js';

export interface WalletChain {
  readonly chainId: string;
  readonly wallet: 'client' | 'server';
  readonly status: 'open' | 'revoked' | 'closed' | 'expired';
  readonly coinValue: number;
  readonly currency: string;
  readonly length: number;
  /** Paywords spent so far (I − 1). */
  readonly spentIndex: number;
  readonly remainingCoins: number;
  /** remainingCoins × coinValue, minor units. */
  readonly remainingValue: number;
  /** The vendor that may spend the chain now (none before its first spend or checkout). */
  readonly holder: string | null;
  readonly expiresAt: string;
  readonly reissuedAs?: string;
}

export interface WalletAnswer {
  readonly customerId: string;
  readonly chains: readonly WalletChain[];
  /** Spendable value per currency. */
  readonly balances: readonly { readonly currency: string; readonly remainingValue: number }[];
  /** The view includes every event up to this global position. */
  readonly position: string;
}

/** The customer's wallet from the projection, after it caught up with `minPosition` (or our own writes). */
@Injectable()
export class GetWalletHandler {
  constructor(
    private readonly projection: WalletProjection,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(customerId: string, minPosition?: bigint): Promise<WalletAnswer> {
    if (minPosition !== undefined) await this.projection.waitForClientPosition(minPosition);
    await this.projection.waitFor();
    const now = this.clock.now().toISOString();
    const chains = this.projection.model.chainsOfCustomer(customerId).map((c) => view(c, now));
    const balances = new Map<string, number>();
    for (const c of chains) balances.set(c.currency, (balances.get(c.currency) ?? 0) + c.remainingValue);
    return {
      customerId,
      chains,
      balances: [...balances].map(([currency, remainingValue]) => ({ currency, remainingValue })),
      position: this.projection.currentPosition().toString(),
    };
  }
}

function view(chain: ChainView, now: string): WalletChain {
  const expired = chain.status === 'open' && now >= chain.expiresAt;
  const remaining = expired ? 0 : remainingCoins(chain);
  return {
    chainId: chain.chainId,
    wallet: chain.wallet,
    status: expired ? 'expired' : chain.status,
    coinValue: chain.coinValue,
    currency: chain.currency,
    length: chain.length,
    spentIndex: chain.index - 1,
    remainingCoins: remaining,
    remainingValue: remaining * chain.coinValue,
    holder: chain.holder ?? null,
    expiresAt: chain.expiresAt,
    ...(chain.reissuedAs ? { reissuedAs: chain.reissuedAs } : {}),
  };
}
