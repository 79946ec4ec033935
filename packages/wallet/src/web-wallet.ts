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
}

export interface WalletChain {
  readonly seed: string;
  readonly touchstone: WalletTouchstone;
  /** I: the next position no live purchase holds (derived: see `reindexed`). */
  readonly index: number;
  /**
   * The lowest index the wallet may ever use again: 1 for a new chain, raised (never lowered) when
   * a vendor reports the chain further on. Older stored wallets have none: their index counts as it.
   */
  readonly floor?: number;
  /** The vendor that took the last payment from this chain (it holds T and I now). */
  readonly lastVendor?: string;
  /** A vendor answered CHAIN.REVOKED: never offered again. */
  readonly revoked?: boolean;
}

/**
 * How a purchase stands. `sent`: its paywords are reserved for it and may be (or have been) shown.
 * `paid`: the vendor answered with a receipt. `refused`: the vendor refused the last try; the
 * paywords stay reserved while any try could still be accepted. `released`: provably dead (see
 * `releaseDead`): its paywords may serve another purchase.
 */
export type PurchaseStatus = 'sent' | 'paid' | 'refused' | 'released';

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
  readonly status: PurchaseStatus;
  /** The latest `X-NetPay-Deadline` any try of this purchase carried: no vendor records it after. */
  readonly deadline?: string;
  readonly receiptId?: string;
  readonly code?: string;
  /** The refusing vendor stated that this try was not recorded (`recorded: false`). */
  readonly unrecorded?: boolean;
  /** The chain's index the refusing vendor stated (`index`). */
  readonly vendorIndex?: number;
}

export interface WalletState {
  readonly chains: readonly WalletChain[];
  readonly purchases: readonly WalletPurchase[];
}

export interface PayRequest {
  /** Names the purchase (its idempotency key): a retry of it sends the same paywords, nothing else does. */
  readonly purchaseKey: string;
  readonly vendorId: string;
  readonly resource: string;
  readonly coins: number;
  readonly currency?: string;
  readonly coinValue?: number;
  /** The caller's clock (defaults to now): the deadline is counted from it, expired chains skipped. */
  readonly now?: Date;
  /** How long this try may take at the vendor: `X-NetPay-Deadline` = now + this (`DEFAULT_DEADLINE_MS`). */
  readonly deadlineMs?: number;
}

/** How the vendor answered a try: a receipt, or a refusal as its problem answer stated it. */
export type PurchaseOutcome =
  | { readonly ok: true; readonly receiptId: string }
  | {
      readonly ok: false;
      readonly code: string;
      /** The vendor's `recorded` field: false = this try spent nothing. */
      readonly recorded?: boolean;
      /** The vendor's `index` field: the chain's next unspent position as the vendor saw it. */
      readonly index?: number;
      /** The caller's clock, for the release check (defaults to now). */
      readonly now?: Date;
    };

export interface PreparedPayment {
  readonly purchase: WalletPurchase;
  /** The request headers that pay: `x-netpay-payment`, `x-netpay-touchstone`, `x-netpay-deadline`. */
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

/** The header a payer names its deadline with; a vendor records no spend after it. */
export const DEADLINE_HEADER = 'x-netpay-deadline';
/** How long a try may take at the vendor when the caller does not say (ms). */
export const DEFAULT_DEADLINE_MS = 15_000;
/**
 * How far a vendor's clock may be behind the wallet's (ms): a refused purchase is released only
 * this long after its last deadline, so no late try can still be recorded by a slow clock.
 */
export const CLOCK_SKEW_MS = 5_000;

/** The code of a purchase never answered that a vendor's index shows unrecorded (`settle`). */
export const UNANSWERED = 'WALLET.UNANSWERED';

/**
 * The client-side e-wallet for browsers and Node (WebCrypto only). THE payword rule:
 *
 * - Each purchase has a key (its idempotency key). Its paywords are reserved for it before they
 *   are sent (the chain's index moves past them at once), so two purchases, concurrent or not,
 *   never get the same payword while the first could still be accepted.
 * - A retry of the same purchase (same key, vendor, resource and price; after a 503 with
 *   `outcome: "unknown"`, a time-out, a lost answer) sends the same paywords with a new deadline.
 * - A reservation is released only when the purchase is provably dead: the vendor refused it
 *   stating `recorded: false` and an `index` not past its first payword, and the wallet's clock
 *   is past the latest deadline any try of it carried (plus `CLOCK_SKEW_MS`). No try can be
 *   recorded after its deadline, so then no vendor can ever accept those paywords for it, and
 *   they may serve the next purchase: a payword can still pay for one purchase only. This is what
 *   keeps a chain from getting stuck after a refusal that spent nothing (the next payment was
 *   refused `SPEND.PAYWORD_SKIPPED` until the chain expired).
 */
export class WebWallet {
  private readonly chains = new Map<string, WalletChain>();
  private readonly purchases = new Map<string, WalletPurchase>();
  private readonly words = new Map<string, Promise<string[]>>();
  /** Pays and adds one at a time: a reservation is never computed from an index another is moving. */
  private queue: Promise<unknown> = Promise.resolve();

  static fromState(state: WalletState | undefined): WebWallet {
    const wallet = new WebWallet();
    if (state === undefined) return wallet;
    if (!Array.isArray(state.chains) || !Array.isArray(state.purchases))
      throw new WebWalletError(WEB_WALLET.CORRUPT, 'the wallet state has no chains or purchases');
    for (const c of state.chains as readonly WalletChain[])
      wallet.chains.set(c.touchstone.chainId, { ...c, floor: c.floor ?? c.index });
    for (const p of state.purchases as readonly WalletPurchase[]) wallet.purchases.set(p.purchaseKey, p);
    for (const id of wallet.chains.keys()) wallet.reindex(id);
    return wallet;
  }

  state(): WalletState {
    return { chains: [...this.chains.values()], purchases: [...this.purchases.values()] };
  }

  /** Adds a chain the broker sold (its seed and signed touchstone); the seed must hash to the root. */
  addChain(chain: { readonly seed: string; readonly touchstone: WalletTouchstone }): Promise<ChainSummary> {
    return this.serially(() => this.addNow(chain));
  }

  /** Reserves the paywords of a purchase (see the class comment) and answers the headers to send. */
  pay(request: PayRequest): Promise<PreparedPayment> {
    return this.serially(() => this.payNow(request));
  }

  /**
   * How the vendor answered a try. Paid: the vendor holds the chain now. Refused: the paywords
   * stay reserved for this purchase until it is provably dead (`releaseDead`); CHAIN.REVOKED
   * retires the chain; an `index` past the purchase moves the chain forward (spent elsewhere).
   */
  settle(purchaseKey: string, outcome: PurchaseOutcome): WalletPurchase {
    const purchase = this.purchases.get(purchaseKey);
    if (purchase === undefined)
      throw new WebWalletError(WEB_WALLET.PURCHASE_MISMATCH, `no purchase ${purchaseKey} in this wallet`);
    const chain = this.chains.get(purchase.chainId);
    if (outcome.ok) {
      const paid: WalletPurchase = { ...strip(purchase), status: 'paid', receiptId: outcome.receiptId };
      this.purchases.set(purchaseKey, paid);
      if (chain !== undefined)
        this.chains.set(chain.touchstone.chainId, { ...chain, lastVendor: purchase.vendorId });
      this.reindex(purchase.chainId);
      return paid;
    }
    // A late refusal of a try never undoes a receipt, nor revives a released purchase.
    if (purchase.status === 'paid' || purchase.status === 'released') return purchase;
    const index = Number.isSafeInteger(outcome.index) ? outcome.index : undefined;
    const refused: WalletPurchase = {
      ...strip(purchase),
      status: 'refused',
      code: outcome.code,
      ...(outcome.recorded === false ? { unrecorded: true } : {}),
      ...(index !== undefined ? { vendorIndex: index } : {}),
    };
    this.purchases.set(purchaseKey, refused);
    if (outcome.recorded === false && index !== undefined)
      this.unanswered(purchase.chainId, index, outcome.now ?? new Date());
    if (chain !== undefined) {
      const floor = chain.floor ?? 1;
      const revoked = outcome.code === 'CHAIN.REVOKED';
      // The vendor is further on than this purchase: those paywords were spent, never offer them.
      const further =
        index !== undefined && index > purchase.position && index <= chain.touchstone.length + 1;
      this.chains.set(chain.touchstone.chainId, {
        ...chain,
        ...(revoked ? { revoked: true } : {}),
        ...(further ? { floor: Math.max(floor, index) } : {}),
      });
      this.reindex(chain.touchstone.chainId);
    }
    this.releaseDead(outcome.now ?? new Date());
    return this.purchases.get(purchaseKey)!;
  }

  /**
   * The vendor holds the chain at `index` with nothing recorded from there on, and says so at
   * `now`: a purchase of the chain never answered (its request lost on the way, a page reloaded)
   * whose paywords start there or later, and whose deadline had passed before `now` (no try of it
   * could be recorded after that, at any vendor), was not recorded and never will be. It counts
   * as refused without a record and `releaseDead` frees it; else it stayed reserved for good and
   * every later payment of the chain skipped its positions (SPEND.PAYWORD_SKIPPED everywhere).
   */
  private unanswered(chainId: string, index: number, now: Date): void {
    for (const p of this.purchases.values()) {
      if (p.chainId !== chainId || p.status !== 'sent' || p.fromIndex < index) continue;
      const deadline = p.deadline === undefined ? Number.NaN : Date.parse(p.deadline);
      // An index read before the deadline proves nothing: the lost try could still land after it.
      if (!(now.getTime() > deadline + CLOCK_SKEW_MS)) continue;
      this.purchases.set(p.purchaseKey, {
        ...strip(p),
        status: 'refused',
        code: UNANSWERED,
        unrecorded: true,
        vendorIndex: index,
      });
    }
  }

  /**
   * Releases every refused purchase that is provably dead at `now`: refused with `recorded: false`,
   * the vendor's index not past its first payword, and `now` past its last deadline plus
   * `CLOCK_SKEW_MS`. Answers the released purchases (their paywords may serve the next purchase).
   */
  releaseDead(now: Date = new Date()): WalletPurchase[] {
    const released: WalletPurchase[] = [];
    for (const p of this.purchases.values()) {
      if (!isDead(p, now)) continue;
      const dead: WalletPurchase = { ...p, status: 'released' };
      this.purchases.set(p.purchaseKey, dead);
      released.push(dead);
    }
    for (const chainId of new Set(released.map((p) => p.chainId))) this.reindex(chainId);
    return released;
  }

  /**
   * A vendor says the chain is further on than this wallet knows (a spend it recorded whose answer
   * was lost; `GET /chains/:id` tells the index). Moves the chain forward to `index`, never back.
   */
  advance(chainId: string, index: number, vendorId?: string): ChainSummary {
    const chain = this.chains.get(chainId);
    if (chain === undefined)
      throw new WebWalletError(WEB_WALLET.UNKNOWN_CHAIN, `chain ${chainId} is not in this wallet`);
    if (!Number.isSafeInteger(index) || index < (chain.floor ?? 1) || index > chain.touchstone.length + 1)
      throw new WebWalletError(
        WEB_WALLET.STALE_INDEX,
        `chain ${chainId} is at index ${chain.floor ?? 1}: it moves forward only, up to ${chain.touchstone.length + 1}, not to ${index}`,
      );
    this.chains.set(chainId, {
      ...chain,
      floor: index,
      ...(vendorId === undefined ? {} : { lastVendor: vendorId }),
    });
    this.reindex(chainId);
    return this.summary(chainId);
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

  /** Value left per currency, in integer minor units. */
  balances(now: Date = new Date()): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of this.summaries(now))
      out[c.currency] = (out[c.currency] ?? 0) + c.remainingCoins * c.coinValue;
    return out;
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async addNow(chain: {
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
    this.chains.set(t.chainId, { seed: chain.seed, touchstone: t, index: 1, floor: 1 });
    return this.summary(t.chainId);
  }

  private async payNow(request: PayRequest): Promise<PreparedPayment> {
    const now = request.now ?? new Date();
    const deadlineMs = request.deadlineMs ?? DEFAULT_DEADLINE_MS;
    if (!Number.isSafeInteger(deadlineMs) || deadlineMs <= 0)
      throw new WebWalletError(
        WEB_WALLET.INVALID_DEADLINE,
        `a deadline is a positive whole number of milliseconds, not ${deadlineMs}`,
      );
    const deadline = new Date(now.getTime() + deadlineMs).toISOString();
    this.releaseDead(now);
    const known = this.purchases.get(request.purchaseKey);
    // A released purchase is dead: asked again, it is a new try with paywords of its own.
    if (known !== undefined && known.status !== 'released') {
      if (
        known.vendorId !== request.vendorId ||
        known.resource !== request.resource ||
        known.coins !== request.coins
      )
        throw new WebWalletError(
          WEB_WALLET.PURCHASE_MISMATCH,
          `purchase ${request.purchaseKey} paid ${known.coins} coin(s) to ${known.vendorId} for ${known.resource}: its paywords are not shown for anything else`,
        );
      // The same paywords again; the reservation now lasts until this try's deadline too.
      const retried: WalletPurchase =
        known.status === 'paid'
          ? known
          : { ...strip(known), status: 'sent', deadline: later(known.deadline, deadline) };
      this.purchases.set(retried.purchaseKey, retried);
      return { purchase: retried, headers: this.headersOf(retried, deadline), retry: true };
    }
    if (!Number.isSafeInteger(request.coins) || request.coins < 1)
      throw new WebWalletError(
        WEB_WALLET.INVALID_COUNT,
        `a price is a whole positive number of coins, not ${request.coins}`,
      );
    const chain = this.choose(request);
    if (chain === undefined) {
      const left = this.summaries(now).reduce((sum, c) => sum + c.remainingCoins, 0);
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
      at: now.toISOString(),
      status: 'sent',
      deadline,
    };
    // Reserved before anything is sent.
    this.purchases.set(purchase.purchaseKey, purchase);
    this.reindex(t.chainId);
    return { purchase, headers: this.headersOf(purchase, deadline), retry: false };
  }

  /** I = past the floor and past every purchase on the chain that is not released. */
  private reindex(chainId: string): void {
    const chain = this.chains.get(chainId);
    if (chain === undefined) return;
    let index = chain.floor ?? chain.index;
    for (const p of this.purchases.values())
      if (p.chainId === chainId && p.status !== 'released') index = Math.max(index, p.position + 1);
    if (index !== chain.index) this.chains.set(chainId, { ...chain, index });
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

  private headersOf(p: WalletPurchase, deadline: string): Record<string, string> {
    const chain = this.chains.get(p.chainId);
    return {
      'x-netpay-payment': `${p.chainId}.${p.position}.${p.payword}`,
      ...(chain ? { 'x-netpay-touchstone': base64UrlOfText(JSON.stringify(chain.touchstone)) } : {}),
      [DEADLINE_HEADER]: deadline,
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

/** A purchase without the fields of a previous answer. */
function strip(p: WalletPurchase): WalletPurchase {
  const { code: _code, unrecorded: _u, vendorIndex: _v, receiptId: _r, ...rest } = p;
  return rest;
}

function later(a: string | undefined, b: string): string {
  return a !== undefined && a > b ? a : b;
}

/** See `WebWallet.releaseDead`. A purchase of an older wallet (no deadline) is never released. */
function isDead(p: WalletPurchase, now: Date): boolean {
  if (p.status !== 'refused' || p.unrecorded !== true) return false;
  if (p.vendorIndex === undefined || p.vendorIndex > p.fromIndex || p.deadline === undefined) return false;
  const deadline = Date.parse(p.deadline);
  return Number.isFinite(deadline) && now.getTime() > deadline + CLOCK_SKEW_MS;
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
 * higher floor, every purchase (a receipt wins; else the copy whose tries ran latest; else the
 * later state: released over refused over sent), and each chain's index past every purchase not
 * released. Saving the merge means a copy that was behind can never bring a reserved payword back.
 */
export function mergeStates(a: WalletState, b: WalletState): WalletState {
  const chains = new Map<string, WalletChain>();
  for (const c of [...a.chains, ...b.chains]) {
    const id = c.touchstone.chainId;
    const seen = chains.get(id);
    const floor = c.floor ?? c.index;
    if (seen === undefined) chains.set(id, { ...c, floor });
    else
      chains.set(id, {
        ...(c.index >= seen.index ? c : seen),
        floor: Math.max(floor, seen.floor ?? seen.index),
        ...(c.revoked === true || seen.revoked === true ? { revoked: true } : {}),
      });
  }
  const purchases = new Map<string, WalletPurchase>();
  for (const p of [...a.purchases, ...b.purchases]) {
    const seen = purchases.get(p.purchaseKey);
    if (seen === undefined || wins(p, seen)) purchases.set(p.purchaseKey, p);
  }
  return WebWallet.fromState({ chains: [...chains.values()], purchases: [...purchases.values()] }).state();
}

const RANK: Readonly<Record<PurchaseStatus, number>> = { sent: 0, refused: 1, released: 2, paid: 3 };

function wins(p: WalletPurchase, seen: WalletPurchase): boolean {
  if (p.status === 'paid' || seen.status === 'paid') return RANK[p.status] > RANK[seen.status];
  if ((p.deadline ?? '') !== (seen.deadline ?? '')) return (p.deadline ?? '') > (seen.deadline ?? '');
  return RANK[p.status] > RANK[seen.status];
}
