import { base64UrlOfText } from './bytes.js';
import { WebChainHasher } from './chain-hash.js';
import { WEB_WALLET, WebWalletError } from './errors.js';

/** The broker-signed touchstone, as the purchase answered it (kept whole: vendors check it). */
export interface WalletTouchstone {
  readonly chainId: string;
  readonly alg: string;
  readonly length: number;
  readonly root: string;
  readonly coinValue: number;
  readonly currency: string;
  readonly issuedAt: string;
  readonly expiresAt: string;
  readonly vendorRestriction?: readonly string[];
  readonly [field: string]: unknown;
}

export interface WalletChain {
  readonly seed: string;
  readonly touchstone: WalletTouchstone;
  /** I: the next position never shown to anyone. */
  readonly index: number;
  /** The vendor that took the last payment from this chain (it holds T and I now). */
  readonly lastVendor?: string;
  /** A vendor answered CHAIN.REVOKED: never offered again. */
  readonly revoked?: boolean;
}

/** One purchase: which paywords it showed, to whom, for what, and how it ended. */
export interface WalletPurchase {
  readonly purchaseKey: string;
  readonly vendorId: string;
  readonly resource: string;
  readonly coins: number;
  readonly chainId: string;
  readonly fromIndex: number;
  readonly position: number;
  readonly payword: string;
  readonly at: string;
  readonly status: 'sent' | 'paid' | 'refused';
  readonly receiptId?: string;
  readonly code?: string;
}

export interface WalletState {
  readonly chains: readonly WalletChain[];
  readonly purchases: readonly WalletPurchase[];
}

export interface PayRequest {
  /** Names the purchase: a retry of the same purchase sends the same paywords, nothing else does. */
  readonly purchaseKey: string;
  readonly vendorId: string;
  readonly resource: string;
  readonly coins: number;
  readonly currency?: string;
  readonly coinValue?: number;
  readonly now?: Date;
}

export interface PreparedPayment {
  readonly purchase: WalletPurchase;
  /** The request headers that pay: `x-netpay-payment` and `x-netpay-touchstone`. */
  readonly headers: Readonly<Record<string, string>>;
  /** Whether this is a retry of a purchase already prepared (same paywords). */
  readonly retry: boolean;
}

export interface ChainSummary {
  readonly chainId: string;
  readonly currency: string;
  readonly coinValue: number;
  readonly length: number;
  readonly index: number;
  readonly remainingCoins: number;
  readonly expiresAt: string;
  readonly lastVendor?: string;
  readonly revoked: boolean;
}

/**
 * The client-side e-wallet for browsers and Node (WebCrypto only). A payment is reserved before
 * it is sent: the chain's index moves past its paywords at once and the purchase is recorded, so
 * a payword once shown is never offered for another purchase; a retry of the same purchase (same
 * key, vendor, resource and price) sends the same paywords, which the vendor answers with the
 * same receipt instead of charging twice.
 */
export class WebWallet {
  private readonly chains = new Map<string, WalletChain>();
  private readonly purchases = new Map<string, WalletPurchase>();
  private readonly words = new Map<string, Promise<string[]>>();

  static fromState(state: WalletState | undefined): WebWallet {
    const wallet = new WebWallet();
    if (state === undefined) return wallet;
    if (!Array.isArray(state.chains) || !Array.isArray(state.purchases))
      throw new WebWalletError(WEB_WALLET.CORRUPT, 'the wallet state has no chains or purchases');
    for (const c of state.chains as readonly WalletChain[]) wallet.chains.set(c.touchstone.chainId, c);
    for (const p of state.purchases as readonly WalletPurchase[]) wallet.purchases.set(p.purchaseKey, p);
    return wallet;
  }

  state(): WalletState {
    return { chains: [...this.chains.values()], purchases: [...this.purchases.values()] };
  }

  /** Adds a chain the broker sold (its seed and signed touchstone); the seed must hash to the root. */
  async addChain(chain: {
    readonly seed: string;
    readonly touchstone: WalletTouchstone;
  }): Promise<ChainSummary> {
    const t = chain.touchstone;
    if (this.chains.has(t.chainId))
      throw new WebWalletError(WEB_WALLET.DUPLICATE_CHAIN, `chain ${t.chainId} is in the wallet already`);
    const words = await new WebChainHasher(t.alg, t.chainId).words(chain.seed, t.length);
    if (words[0] !== t.root)
      throw new WebWalletError(
        WEB_WALLET.SEED_MISMATCH,
        `the seed of chain ${t.chainId} does not hash down to its touchstone's root`,
      );
    this.words.set(t.chainId, Promise.resolve(words));
    this.chains.set(t.chainId, { seed: chain.seed, touchstone: t, index: 1 });
    return this.summary(t.chainId);
  }

  /** Reserves the paywords of a purchase (see the class comment) and answers the headers to send. */
  async pay(request: PayRequest): Promise<PreparedPayment> {
    const known = this.purchases.get(request.purchaseKey);
    if (known !== undefined) {
      if (
        known.vendorId !== request.vendorId ||
        known.resource !== request.resource ||
        known.coins !== request.coins
      )
        throw new WebWalletError(
          WEB_WALLET.PURCHASE_MISMATCH,
          `purchase ${request.purchaseKey} paid ${known.coins} coin(s) to ${known.vendorId} for ${known.resource}: its paywords are not shown for anything else`,
        );
      return { purchase: known, headers: this.headersOf(known), retry: true };
    }
    if (!Number.isSafeInteger(request.coins) || request.coins < 1)
      throw new WebWalletError(
        WEB_WALLET.INVALID_COUNT,
        `a price is a whole positive number of coins, not ${request.coins}`,
      );
    const chain = this.choose(request);
    if (chain === undefined) {
      const left = this.summaries().reduce((sum, c) => sum + c.remainingCoins, 0);
      throw new WebWalletError(
        WEB_WALLET.INSUFFICIENT_COINS,
        `not enough coins: this costs ${request.coins}, the wallet has ${left} left that this vendor takes`,
      );
    }
    const t = chain.touchstone;
    const position = chain.index + request.coins - 1;
    const payword = (await this.wordsOf(chain))[position]!;
    const purchase: WalletPurchase = {
      purchaseKey: request.purchaseKey,
      vendorId: request.vendorId,
      resource: request.resource,
      coins: request.coins,
      chainId: t.chainId,
      fromIndex: chain.index,
      position,
      payword,
      at: (request.now ?? new Date()).toISOString(),
      status: 'sent',
    };
    // Reserved before anything is sent: the index never comes back.
    this.chains.set(t.chainId, { ...chain, index: position + 1 });
    this.purchases.set(purchase.purchaseKey, purchase);
    return { purchase, headers: this.headersOf(purchase), retry: false };
  }

  /**
   * How the vendor answered. Paid: the vendor holds the chain now. Refused: the paywords stay
   * spent for this wallet all the same (they were shown); CHAIN.REVOKED retires the chain.
   */
  settle(
    purchaseKey: string,
    outcome: { ok: true; receiptId: string } | { ok: false; code: string },
  ): WalletPurchase {
    const purchase = this.purchases.get(purchaseKey);
    if (purchase === undefined)
      throw new WebWalletError(WEB_WALLET.PURCHASE_MISMATCH, `no purchase ${purchaseKey} in this wallet`);
    const settled: WalletPurchase = outcome.ok
      ? { ...purchase, status: 'paid', receiptId: outcome.receiptId }
      : { ...purchase, status: 'refused', code: outcome.code };
    this.purchases.set(purchaseKey, settled);
    const chain = this.chains.get(purchase.chainId);
    if (chain !== undefined) {
      if (outcome.ok) this.chains.set(chain.touchstone.chainId, { ...chain, lastVendor: purchase.vendorId });
      else if (outcome.code === 'CHAIN.REVOKED')
        this.chains.set(chain.touchstone.chainId, { ...chain, revoked: true });
    }
    return settled;
  }

  /** Forgets a chain (re-issued by the broker after a loss: the old one is closed). */
  removeChain(chainId: string): void {
    this.chains.delete(chainId);
    this.words.delete(chainId);
  }

  summaries(now: Date = new Date()): ChainSummary[] {
    return [...this.chains.keys()].map((id) => this.summary(id, now));
  }

  purchaseList(): WalletPurchase[] {
    return [...this.purchases.values()];
  }

  /** Coins left that `vendorId` would take (all usable chains without a vendor). */
  coinsLeft(vendorId?: string, now: Date = new Date()): number {
    return [...this.chains.values()]
      .filter((c) => usable(c, now) && takes(c, vendorId))
      .reduce((sum, c) => sum + c.touchstone.length - c.index + 1, 0);
  }

  private choose(request: PayRequest): WalletChain | undefined {
    const now = request.now ?? new Date();
    const candidates = [...this.chains.values()].filter((c) => {
      const t = c.touchstone;
      if (!usable(c, now) || !takes(c, request.vendorId)) return false;
      if (t.length - c.index + 1 < request.coins) return false;
      if (request.currency !== undefined && t.currency !== request.currency) return false;
      return request.coinValue === undefined || t.coinValue === request.coinValue;
    });
    // The chain this vendor holds needs no hand-off; then what expires first.
    const own = (c: WalletChain): number => (c.lastVendor === request.vendorId ? 0 : 1);
    candidates.sort(
      (a, b) => own(a) - own(b) || a.touchstone.expiresAt.localeCompare(b.touchstone.expiresAt),
    );
    return candidates[0];
  }

  private wordsOf(chain: WalletChain): Promise<string[]> {
    const t = chain.touchstone;
    let words = this.words.get(t.chainId);
    if (words === undefined) {
      words = new WebChainHasher(t.alg, t.chainId).words(chain.seed, t.length);
      this.words.set(t.chainId, words);
    }
    return words;
  }

  private headersOf(p: WalletPurchase): Record<string, string> {
    const chain = this.chains.get(p.chainId);
    return {
      'x-netpay-payment': `${p.chainId}.${p.position}.${p.payword}`,
      ...(chain ? { 'x-netpay-touchstone': base64UrlOfText(JSON.stringify(chain.touchstone)) } : {}),
    };
  }

  private summary(chainId: string, now: Date = new Date()): ChainSummary {
    const c = this.chains.get(chainId)!;
    const t = c.touchstone;
    return {
      chainId,
      currency: t.currency,
      coinValue: t.coinValue,
      length: t.length,
      index: c.index,
      remainingCoins: usable(c, now) ? t.length - c.index + 1 : 0,
      expiresAt: t.expiresAt,
      ...(c.lastVendor ? { lastVendor: c.lastVendor } : {}),
      revoked: c.revoked === true,
    };
  }
}

function usable(c: WalletChain, now: Date): boolean {
  const at = now.toISOString();
  return c.revoked !== true && at >= c.touchstone.issuedAt && at < c.touchstone.expiresAt;
}

function takes(c: WalletChain, vendorId: string | undefined): boolean {
  const only = c.touchstone.vendorRestriction;
  return vendorId === undefined || only === undefined || only.includes(vendorId);
}

/**
 * Two copies of one wallet (two tabs, a page and its wallet frame) as one: every chain at the
 * furthest index either copy reached, every purchase, a settled one over a pending one. Saving
 * the merge means a copy that was behind can never bring a shown payword back.
 */
export function mergeStates(a: WalletState, b: WalletState): WalletState {
  const chains = new Map<string, WalletChain>();
  for (const c of [...a.chains, ...b.chains]) {
    const id = c.touchstone.chainId;
    const seen = chains.get(id);
    if (seen === undefined) chains.set(id, c);
    else
      chains.set(id, {
        ...(c.index >= seen.index ? c : seen),
        index: Math.max(c.index, seen.index),
        ...(c.revoked === true || seen.revoked === true ? { revoked: true } : {}),
      });
  }
  const purchases = new Map<string, WalletPurchase>();
  for (const p of [...a.purchases, ...b.purchases]) {
    const seen = purchases.get(p.purchaseKey);
    if (seen === undefined || seen.status === 'sent') purchases.set(p.purchaseKey, p);
  }
  return { chains: [...chains.values()], purchases: [...purchases.values()] };
}
