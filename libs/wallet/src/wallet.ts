import { randomBytes } from 'node:crypto';
import {
  type Chain,
  generateChain,
  type Hex,
  parseTouchstone,
  type SpendProof,
  type Touchstone,
} from '#protocol';
import { WALLET, WalletError } from './wallet-errors.js';

/** One chain a client-side wallet holds: its secret seed, the broker's touchstone and the index. */
export interface WalletChainRecord {
  readonly seed: Hex;
  readonly touchstone: Touchstone;
  /** I: the next unspent position (1 for a fresh chain). */
  readonly index: number;
  /** The vendor that accepted the last confirmed spend (it holds the chain now). */
  readonly lastVendor?: string;
}

/** What the wallet sends for a price of `count` coins: the proof W[I+count-1] and the touchstone. */
export interface Payment {
  readonly chainId: string;
  readonly count: number;
  /** I before this spend: the payword shown is at I + count − 1. */
  readonly fromIndex: number;
  readonly proof: SpendProof;
  readonly touchstone: Touchstone;
  /** The vendor that holds the chain, so the payee knows whom to ask for a hand-off. */
  readonly lastVendor?: string;
}

export interface PayOptions {
  /** The vendor to be paid: chains restricted to other vendors are skipped; its own chain is preferred. */
  readonly vendorId?: string;
  readonly currency?: string;
  readonly coinValue?: number;
  /** Expired chains are skipped (the clock of the caller; defaults to now). */
  readonly now?: Date;
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
}

/**
 * A client-side e-wallet: holds chains, picks one for a payment, and moves its index only when
 * the vendor confirmed the spend (a payment that failed in transit can be offered again).
 */
export class Wallet {
  private readonly records = new Map<string, WalletChainRecord>();
  /** Paywords derive from the seed; a √n checkpoint table per chain keeps each lookup cheap. */
  private readonly chains = new Map<string, Chain>();

  static fromRecords(records: readonly WalletChainRecord[]): Wallet {
    const wallet = new Wallet();
    for (const r of records) wallet.restore(r);
    return wallet;
  }

  /** Adds a chain bought from the broker (the purchase answer's `seed` and `touchstone`). */
  add(chain: { readonly seed: Hex; readonly touchstone: Touchstone }): ChainSummary {
    const touchstone = parseTouchstone(chain.touchstone);
    if (this.records.has(touchstone.chainId)) {
      throw new WalletError(WALLET.DUPLICATE_CHAIN, `chain ${touchstone.chainId} is in the wallet already`);
    }
    this.restore({ seed: chain.seed, touchstone, index: 1 });
    return this.summary(touchstone.chainId);
  }

  /** Prepares a payment of `count` coins; the index moves only on `confirm`. */
  pay(count: number, options: PayOptions = {}): Payment {
    if (!Number.isSafeInteger(count) || count < 1) {
      throw new WalletError(
        WALLET.INVALID_COUNT,
        `a price is a whole positive number of coins, not ${count}`,
      );
    }
    const chosen = this.choose(count, options);
    if (!chosen) {
      const left = this.summaries().reduce((sum, c) => sum + c.remainingCoins, 0);
      throw new WalletError(
        WALLET.INSUFFICIENT_COINS,
        `no usable chain holds ${count} coins (${left} coins left in all; a price is paid from one chain)`,
      );
    }
    const chain = this.chainOf(chosen.touchstone.chainId);
    return {
      chainId: chosen.touchstone.chainId,
      count,
      fromIndex: chosen.index,
      proof: chain.spendProof(chosen.index, count),
      touchstone: chosen.touchstone,
      ...(chosen.lastVendor ? { lastVendor: chosen.lastVendor } : {}),
    };
  }

  /** The vendor accepted `payment`: move the index past it and remember the vendor. */
  confirm(payment: Payment, vendorId: string): ChainSummary {
    const record = this.record(payment.chainId);
    if (payment.fromIndex !== record.index) {
      throw new WalletError(
        WALLET.STALE_PAYMENT,
        `chain ${payment.chainId} is at index ${record.index}, the payment was prepared at ${payment.fromIndex}`,
      );
    }
    this.records.set(payment.chainId, { ...record, index: payment.proof.position + 1, lastVendor: vendorId });
    return this.summary(payment.chainId);
  }

  /**
   * A vendor says the chain is further on than this wallet knows (a spend it recorded whose answer
   * was lost: the next payment is refused as SPEND.PAYWORD_REPLAYED; `GET /chains/:id` tells the
   * index). Moves the index forward to `index`, never back: a wallet that showed a payword can
   * never spend it again.
   */
  advance(chainId: string, index: number, vendorId?: string): ChainSummary {
    const record = this.record(chainId);
    const length = record.touchstone.length;
    if (!Number.isSafeInteger(index) || index < record.index || index > length + 1) {
      throw new WalletError(
        WALLET.STALE_PAYMENT,
        `chain ${chainId} is at index ${record.index}: it moves forward only, up to ${length + 1}, not to ${index}`,
      );
    }
    this.records.set(chainId, {
      ...record,
      index,
      ...(vendorId === undefined ? {} : { lastVendor: vendorId }),
    });
    return this.summary(chainId);
  }

  summaries(): ChainSummary[] {
    return [...this.records.keys()].map((id) => this.summary(id));
  }

  /** Remaining value per currency, integer minor units. */
  balances(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of this.summaries())
      out[c.currency] = (out[c.currency] ?? 0) + c.remainingCoins * c.coinValue;
    return out;
  }

  /** Plain records (with seeds): what the encrypted wallet file holds. */
  toRecords(): WalletChainRecord[] {
    return [...this.records.values()];
  }

  private restore(record: WalletChainRecord): void {
    const t = record.touchstone;
    const chain = generateChain({
      chainId: t.chainId,
      alg: t.alg,
      length: t.length,
      seed: record.seed,
      storage: 'checkpoints',
    });
    if (chain.root !== t.root) {
      throw new WalletError(
        WALLET.SEED_MISMATCH,
        `the seed of chain ${t.chainId} does not hash down to its touchstone's root`,
      );
    }
    if (!Number.isSafeInteger(record.index) || record.index < 1 || record.index > t.length + 1) {
      throw new WalletError(WALLET.STALE_PAYMENT, `index ${record.index} is outside chain ${t.chainId}`);
    }
    this.records.set(t.chainId, record);
    this.chains.set(t.chainId, chain);
  }

  private choose(count: number, options: PayOptions): WalletChainRecord | undefined {
    const now = (options.now ?? new Date()).toISOString();
    const usable = [...this.records.values()].filter((r) => {
      const t = r.touchstone;
      if (t.length - r.index + 1 < count) return false;
      if (now < t.issuedAt || now >= t.expiresAt) return false;
      if (options.currency !== undefined && t.currency !== options.currency) return false;
      if (options.coinValue !== undefined && t.coinValue !== options.coinValue) return false;
      const vendor = options.vendorId;
      return (
        vendor === undefined || t.vendorRestriction === undefined || t.vendorRestriction.includes(vendor)
      );
    });
    // The chain this vendor already holds needs no hand-off; then spend what expires first.
    const own = (r: WalletChainRecord): number =>
      options.vendorId !== undefined && r.lastVendor === options.vendorId ? 0 : 1;
    usable.sort((a, b) => own(a) - own(b) || a.touchstone.expiresAt.localeCompare(b.touchstone.expiresAt));
    return usable[0];
  }

  private summary(chainId: string): ChainSummary {
    const { touchstone: t, index, lastVendor } = this.record(chainId);
    return {
      chainId,
      currency: t.currency,
      coinValue: t.coinValue,
      length: t.length,
      index,
      remainingCoins: t.length - index + 1,
      expiresAt: t.expiresAt,
      ...(lastVendor ? { lastVendor } : {}),
    };
  }

  private record(chainId: string): WalletChainRecord {
    const record = this.records.get(chainId);
    if (!record) throw new WalletError(WALLET.UNKNOWN_CHAIN, `chain ${chainId} is not in this wallet`);
    return record;
  }

  private chainOf(chainId: string): Chain {
    const chain = this.chains.get(chainId);
    if (!chain) throw new WalletError(WALLET.UNKNOWN_CHAIN, `chain ${chainId} is not in this wallet`);
    return chain;
  }
}

/** 32 random bytes (hex) a wallet sends as `walletNonce` when buying: the broker cannot then recompute the seeds. */
export function newWalletNonce(): Hex {
  return randomBytes(32).toString('hex');
}
