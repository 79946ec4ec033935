import type { Redis } from 'ioredis';
import { redisEdge } from '#platform';
import type { CoinsSpent } from '#events';
import type { Hex, Receipt } from '#protocol';
import type { SealedValues } from './sealed-values.js';

/** Paywords W[from] … W[from + words.length - 1] of a server-side wallet, released to this vendor. */
export interface WalletSlice {
  readonly chainId: string;
  readonly from: number;
  readonly words: readonly Hex[];
}

/** A server-side debit as answered, kept under its payer's Idempotency-Key (see `debitScopeFor`). */
export interface KeptDebit {
  /** Derived from the purchase (resource, count …): another id under the same key is another purchase. */
  readonly receiptId: string;
  readonly receipt: Receipt;
  readonly spend: CoinsSpent['data'];
}

/**
 * Where a vendor keeps the server-side wallet slices it holds, and which
 * chain a customer's checkout token stands for (by the token's hash: the
 * token itself is a bearer secret). Losing it costs a new checkout from the
 * broker, not money: the broker still has the chain.
 */
export interface WalletSliceStore {
  get(chainId: string): Promise<WalletSlice | undefined>;
  put(slice: WalletSlice): Promise<void>;
  delete(chainId: string): Promise<void>;
  chainForToken(tokenHash: string): Promise<string | undefined>;
  bindToken(tokenHash: string, chainId: string): Promise<void>;
  /** The debit answered under `scope` (a payer's Idempotency-Key), if still kept. */
  keptDebit(scope: string): Promise<KeptDebit | undefined>;
  keepDebit(scope: string, debit: KeptDebit): Promise<void>;
}

export class InMemoryWalletSliceStore implements WalletSliceStore {
  private readonly slices = new Map<string, WalletSlice>();
  private readonly tokens = new Map<string, string>();
  private readonly debits = new Map<string, KeptDebit>();

  async get(chainId: string): Promise<WalletSlice | undefined> {
    return this.slices.get(chainId);
  }
  async put(slice: WalletSlice): Promise<void> {
    this.slices.set(slice.chainId, slice);
  }
  async delete(chainId: string): Promise<void> {
    this.slices.delete(chainId);
  }
  async chainForToken(tokenHash: string): Promise<string | undefined> {
    return this.tokens.get(tokenHash);
  }
  async bindToken(tokenHash: string, chainId: string): Promise<void> {
    this.tokens.set(tokenHash, chainId);
  }
  async keptDebit(scope: string): Promise<KeptDebit | undefined> {
    return this.debits.get(scope);
  }
  async keepDebit(scope: string, debit: KeptDebit): Promise<void> {
    this.debits.set(scope, debit);
  }
}

/**
 * The slices in Redis, each value sealed with this vendor's own key (`SealedValues`): the cache
 * Redis is shared with other vendors, and a slice is a customer's unspent paywords.
 */
export class RedisWalletSliceStore implements WalletSliceStore {
  constructor(
    private readonly redis: Redis,
    private readonly ttlMs: number,
    private readonly sealed: SealedValues,
  ) {}

  // Slices are state a debit cannot do without: while Redis is away a debit answers
  // REDIS.UNAVAILABLE (503), never INTERNAL.
  async get(chainId: string): Promise<WalletSlice | undefined> {
    const json = await this.read('read a wallet slice', `slice:${chainId}`);
    return json === undefined ? undefined : (JSON.parse(json) as WalletSlice);
  }
  async put(slice: WalletSlice): Promise<void> {
    await this.write('write a wallet slice', `slice:${slice.chainId}`, JSON.stringify(slice));
  }
  async delete(chainId: string): Promise<void> {
    await redisEdge('delete a wallet slice', () => this.redis.del(`slice:${chainId}`));
  }
  async chainForToken(tokenHash: string): Promise<string | undefined> {
    return this.read('read a checkout', `checkout:${tokenHash}`);
  }
  async bindToken(tokenHash: string, chainId: string): Promise<void> {
    await this.write('bind a checkout', `checkout:${tokenHash}`, chainId);
  }
  async keptDebit(scope: string): Promise<KeptDebit | undefined> {
    const json = await this.read('read a debit', `debit:${scope}`);
    return json === undefined ? undefined : (JSON.parse(json) as KeptDebit);
  }
  async keepDebit(scope: string, debit: KeptDebit): Promise<void> {
    await this.write('keep a debit', `debit:${scope}`, JSON.stringify(debit));
  }

  /** A value this vendor sealed under `key`; anything else there (another's, moved) is absent. */
  private async read(what: string, key: string): Promise<string | undefined> {
    const value = await redisEdge(what, () => this.redis.get(key));
    return this.sealed.open(key, value);
  }

  private async write(what: string, key: string, plaintext: string): Promise<void> {
    await redisEdge(what, () => this.redis.set(key, this.sealed.seal(key, plaintext), 'PX', this.ttlMs));
  }
}
