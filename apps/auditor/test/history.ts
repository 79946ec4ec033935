import {
  BROKER_CHAIN_EVENT_TYPES,
  deterministicEventId,
  signClaim,
  payoutSigningBytes,
  reservationSigningBytes,
  signRecord,
  verdictSigningBytes,
  type RangeRedeemed,
  type RedemptionItem,
  type RedemptionItemAccepted,
} from '#events';
import type { EventStore, NewEvent } from '#event-store';
import {
  createSigner,
  generateChain,
  generateSigningKey,
  publicKeyRecord,
  signChainEvent,
  signHandOffCertificate,
  signTouchstone,
  signVendorKeyCertificate,
  type VendorKeyCertificate,
  type Chain,
  type PublicKeyRecord,
  type Signer,
} from '#protocol';
import { createHash } from 'node:crypto';
import type { AuditedEvent } from '../src/core/parse/parse-event.js';

/** One append: an event for a stream, as the services would write it. */
export interface Append {
  readonly stream: string;
  readonly event: AuditedEvent;
  readonly actor: string;
  /** Written as a forger would: a broker-typed chain event without the broker's signature. */
  readonly unsigned?: boolean;
  /** A claim, signed by its claimant for the revision it takes (`writeHistory`). */
  readonly claimant?: { readonly signer: Signer; readonly certificate: VendorKeyCertificate };
  /** When the store records it, when not the event's own `at` (a writer backdating its event). */
  readonly recordedAt?: string;
}

interface ChainModel {
  readonly chain: Chain;
  readonly coinValue: number;
  readonly currency: string;
  index: number;
}

const T0 = Date.parse('2026-11-20T08:00:00.000Z');

/**
 * Writes honest NetPay histories event by event (signed touchstones, real
 * paywords, signed hand-offs), so tests can audit them as they are or tamper
 * with a copy. Seeds are fixed: the same script gives the same chains.
 */
export class History {
  readonly appends: Append[] = [];
  readonly broker: Signer = HISTORY_BROKER;
  /** The redemption worker's record-signing key. */
  readonly worker: Signer = createSigner(generateSigningKey('redemption_k1', fixedBytes('redemption')));
  private readonly vendors = new Map<string, Signer>();
  private readonly chains = new Map<string, ChainModel>();
  private tick = 0;

  get brokerKeys(): PublicKeyRecord[] {
    return [publicKeyRecord(this.broker, 'broker')];
  }

  get redemptionKeys(): PublicKeyRecord[] {
    return [publicKeyRecord(this.worker)];
  }

  at(): string {
    this.tick += 1;
    return new Date(T0 + this.tick * 1000).toISOString();
  }

  /** Moves the history's clock on (a night some hours after the day's spends). */
  later(ms: number): this {
    this.tick += Math.round(ms / 1000);
    return this;
  }

  chain(chainId: string): Chain {
    const model = this.chains.get(chainId);
    if (model === undefined) throw new Error(`no chain ${chainId}`);
    return model.chain;
  }

  /** The vendor's registered key, or a fixed one for an id nobody registered. */
  private signerOf(vendorId: string): Signer {
    return (
      this.vendors.get(vendorId) ??
      createSigner(generateSigningKey(`${vendorId}_k1`, fixedBytes(`unregistered-${vendorId}`)))
    );
  }

  vendorSigner(vendorId: string): Signer {
    const signer = this.vendors.get(vendorId);
    if (signer === undefined) throw new Error(`no vendor ${vendorId}`);
    return signer;
  }

  add(stream: string, event: AuditedEvent, actor = 'broker'): this {
    this.appends.push({ stream, event, actor });
    return this;
  }

  /**
   * The broker's certificate of `vendorId`'s key (valid around the whole history): its registered
   * one, a fixed key for an id never registered, or `signer`'s.
   */
  vendorCertificate(vendorId: string, signer = this.signerOf(vendorId)): VendorKeyCertificate {
    return signVendorKeyCertificate(
      {
        vendorId,
        keyId: signer.keyId,
        publicKey: signer.publicKey,
        notBefore: new Date(T0 - 86_400_000).toISOString(),
        notAfter: new Date(T0 + 30 * 86_400_000).toISOString(),
        brokerKeyId: this.broker.keyId,
      },
      this.broker,
    );
  }

  registerVendor(vendorId: string, keyId = `${vendorId}_k1`): this {
    const signer = createSigner(generateSigningKey(keyId, fixedBytes(vendorId)));
    this.vendors.set(vendorId, signer);
    const key = publicKeyRecord(signer, vendorId);
    const data = {
      vendorId,
      name: `Vendor ${vendorId}`,
      key,
      bankAccount: `NZ-VEND-${vendorId}`,
      at: this.at(),
    };
    return this.add(`vendor-${vendorId}`, { type: 'VendorRegistered', version: 1, data });
  }

  registerCustomer(customerId: string, name: string, bankAccount = `NZ-CUST-${customerId}`): this {
    const tokenHash = createHash('sha256').update(`token-${customerId}`).digest('hex');
    const data = { customerId, name, tokenHash, bankAccount, at: this.at() };
    return this.add(`customer-${customerId}`, { type: 'CustomerRegistered', version: 1, data });
  }

  /** The customer lets `vendorId` draw on its server-side wallets (or, `false`, withdraws that). */
  authorise(customerId: string, vendorId: string, authorised = true): this {
    const data = { customerId, vendorId, at: this.at() };
    const type = authorised ? ('VendorAuthorised' as const) : ('VendorDeauthorised' as const);
    return this.add(`customer-${customerId}`, { type, version: 1, data }, `customer:${customerId}`);
  }

  /** One macro-payment for `chainIds`, each issued with `length` coins. */
  purchase(
    purchaseId: string,
    customerId: string,
    chainIds: readonly string[],
    options: { length?: number; coinValue?: number; wallet?: 'client' | 'server' } = {},
  ): this {
    const { length = 20, coinValue = 5, wallet = 'client' } = options;
    const coins = length * chainIds.length;
    const at = this.at();
    this.add(`purchase-${purchaseId}`, {
      type: 'CoinsPurchased',
      version: 1,
      data: {
        purchaseId,
        customerId,
        chainIds,
        coins,
        coinValue,
        amount: coins * coinValue,
        currency: 'NZD',
        wallet,
        paymentRef: `bank_${purchaseId}`,
        at,
      },
    });
    for (const chainId of chainIds) this.issue(chainId, length, coinValue, wallet);
    return this;
  }

  issue(chainId: string, length: number, coinValue: number, wallet: 'client' | 'server'): this {
    const chain = generateChain({ chainId, length, alg: 'sha256', seed: fixedBytes(chainId, 32) });
    this.chains.set(chainId, { chain, coinValue, currency: 'NZD', index: 1 });
    const issuedAt = this.at();
    const touchstone = signTouchstone(
      {
        chainId,
        alg: 'sha256',
        root: chain.root,
        length,
        coinValue,
        currency: 'NZD',
        issuedAt,
        expiresAt: '2027-11-20T08:00:00.000Z',
        brokerKeyId: this.broker.keyId,
      },
      this.broker,
    );
    return this.add(`chain-${chainId}`, {
      type: 'ChainIssued',
      version: 1,
      data: { chainId, touchstone, wallet, at: issuedAt },
    });
  }

  spend(chainId: string, vendorId: string, count = 1): this {
    const model = this.model(chainId);
    const fromIndex = model.index;
    const toIndex = fromIndex + count - 1;
    model.index = toIndex + 1;
    const data = {
      chainId,
      vendorId,
      fromIndex,
      toIndex,
      payword: model.chain.payword(toIndex),
      receiptId: `r_${chainId}_${toIndex}`,
      at: this.at(),
    };
    return this.add(`chain-${chainId}`, { type: 'CoinsSpent', version: 1, data }, `vendor:${vendorId}`);
  }

  checkout(chainId: string, vendorId: string, sliceEnd: number): this {
    const model = this.model(chainId);
    const data = {
      chainId,
      vendorId,
      index: model.index,
      lastPayword: model.chain.payword(model.index - 1),
      sliceEnd,
      at: this.at(),
    };
    return this.add(`chain-${chainId}`, { type: 'WalletCheckedOut', version: 1, data });
  }

  /** The broker ends `vendorId`'s slice: the customer withdrew its authority. */
  withdraw(chainId: string, vendorId: string): this {
    const model = this.model(chainId);
    const data = {
      chainId,
      vendorId,
      index: model.index,
      lastPayword: model.chain.payword(model.index - 1),
      at: this.at(),
    };
    return this.add(`chain-${chainId}`, { type: 'SliceWithdrawn', version: 1, data });
  }

  /** The broker records `vendorId`'s withdrawal on a chain it does not hold: its wallet grants die. */
  vendorWithdrawn(chainId: string, vendorId: string): this {
    const data = { chainId, vendorId, at: this.at() };
    return this.add(`chain-${chainId}`, { type: 'VendorWithdrawn', version: 1, data });
  }

  handOff(
    chainId: string,
    fromVendor: string,
    toVendor: string,
    signer = this.vendorSigner(fromVendor),
    /** The key the event's broker certificate vouches for (default the vendor's registered one). */
    certified?: Signer,
  ): this {
    const model = this.model(chainId);
    const at = this.at();
    const certificate = signHandOffCertificate(
      {
        chainId,
        fromVendor,
        toVendor,
        index: model.index,
        lastPayword: model.chain.payword(model.index - 1),
        at,
        vendorKeyId: signer.keyId,
      },
      signer,
    );
    const holderCertificate = this.vendorCertificate(fromVendor, certified);
    return this.add(
      `chain-${chainId}`,
      { type: 'IndexHandedOff', version: 1, data: { certificate, holderCertificate, at } },
      `vendor:${fromVendor}`,
    );
  }

  claim(chainId: string, fromVendor: string, toVendor: string): this {
    const model = this.model(chainId);
    const data = {
      chainId,
      fromVendor,
      toVendor,
      index: model.index,
      lastPayword: model.chain.payword(model.index - 1),
      reason: 'holder-timeout' as const,
      at: this.at(),
    };
    this.appends.push({
      stream: `chain-${chainId}`,
      event: { type: 'ChainClaimed', version: 1, data },
      actor: `vendor:${toVendor}`,
      claimant: { signer: this.signerOf(toVendor), certificate: this.vendorCertificate(toVendor) },
    });
    return this;
  }

  /** Seals a batch for `vendorId`, accepts every item, pays the total. */
  redeem(batchId: string, vendorId: string, ranges: readonly [string, number, number][]): this {
    const stream = `redemption-${vendorId}_20261120`;
    const items: RedemptionItem[] = ranges.map(([chainId, fromIndex, toIndex]) => ({
      chainId,
      fromIndex,
      toIndex,
      proofPayword: this.chain(chainId).payword(toIndex),
    }));
    this.add(
      stream,
      {
        type: 'RedemptionBatchSealed',
        version: 1,
        data: { batchId, vendorId, businessDay: '2026-11-20', items, at: this.at() },
      },
      'redemption',
    );
    let total = 0;
    for (const [i, item] of items.entries()) {
      const amount = (item.toIndex - item.fromIndex + 1) * this.model(item.chainId).coinValue;
      total += amount;
      // The broker first takes the range in the chain's redemption ledger, then records its verdict.
      const reservation: RangeRedeemed['data'] = {
        chainId: item.chainId,
        vendorId,
        batchId,
        item: i,
        fromIndex: item.fromIndex,
        toIndex: item.toIndex,
        at: this.at(),
      };
      const reserved = {
        ...reservation,
        signature: signRecord(this.worker, reservationSigningBytes(reservation)),
      };
      this.add(
        `redeemed-${item.chainId}`,
        { type: 'RangeRedeemed', version: 1, data: reserved },
        'redemption',
      );
      const verdict: RedemptionItemAccepted['data'] = {
        batchId,
        item: i,
        chainId: item.chainId,
        fromIndex: item.fromIndex,
        toIndex: item.toIndex,
        amount,
        currency: 'NZD',
        at: this.at(),
      };
      const signature = signRecord(
        this.worker,
        verdictSigningBytes(stream, { type: 'RedemptionItemAccepted', data: verdict }),
      );
      this.add(
        stream,
        { type: 'RedemptionItemAccepted', version: 1, data: { ...verdict, signature } },
        'redemption',
      );
    }
    const unsigned = {
      batchId,
      vendorId,
      amount: total,
      currency: 'NZD',
      paymentRef: `pay_${batchId}`,
      at: this.at(),
    };
    const paid = { ...unsigned, signature: signRecord(this.worker, payoutSigningBytes(stream, unsigned)) };
    return this.add(stream, { type: 'VendorPaid', version: 1, data: paid }, 'redemption');
  }

  /** The broker revokes the chain (no further spends; its unspent value is held pending review). */
  revoke(chainId: string, reason: 'fraud' | 'stolen-wallet' = 'stolen-wallet'): this {
    const data = { chainId, reason, at: this.at() };
    return this.add(`chain-${chainId}`, { type: 'ChainRevoked', version: 2, data });
  }

  close(chainId: string, reason: 'lost-wallet' | 'expired' | 'exhausted' | 'revoked' | 'cashed-out'): this {
    const data = { chainId, index: this.model(chainId).index, reason, at: this.at() };
    return this.add(`chain-${chainId}`, { type: 'ChainClosed', version: 1, data });
  }

  refund(customerId: string, chainId: string): this {
    const amount = this.unspentValue(chainId);
    const data = {
      customerId,
      chainId,
      amount,
      currency: 'NZD',
      paymentRef: `refund_${chainId}`,
      at: this.at(),
    };
    return this.add(`customer-${customerId}`, { type: 'CoinsRefunded', version: 1, data });
  }

  /** The bank declined the chain's refund to `bankAccount` (close it first): the value is owed. */
  refundDeclined(customerId: string, chainId: string, bankAccount: string): this {
    const amount = this.unspentValue(chainId);
    const data = {
      customerId,
      chainId,
      bankAccount,
      amount,
      currency: 'NZD',
      reason: 'account-closed',
      at: this.at(),
    };
    return this.add(`customer-${customerId}`, { type: 'RefundDeclined', version: 1, data });
  }

  /** The customer names another account for the chain's refund. */
  refundAccountChosen(customerId: string, chainId: string, bankAccount: string): this {
    const data = { customerId, chainId, bankAccount, at: this.at() };
    return this.add(`customer-${customerId}`, { type: 'RefundAccountChosen', version: 1, data });
  }

  /** The broker's settlement of an expired chain's unspent value (close it as expired first). */
  expire(customerId: string, chainId: string, policy: 'refunded' | 'kept'): this {
    const amount = this.unspentValue(chainId);
    const data = {
      customerId,
      chainId,
      amount,
      currency: 'NZD',
      policy,
      ...(policy === 'refunded' ? { paymentRef: `refund_${chainId}` } : {}),
      at: this.at(),
    };
    return this.add(`customer-${customerId}`, { type: 'CoinsExpiredSettled', version: 1, data });
  }

  /** The chain's unspent coins × coin value, as a refund or a settlement states it. */
  private unspentValue(chainId: string): number {
    const model = this.model(chainId);
    return (model.chain.length - model.index + 1) * model.coinValue;
  }

  private model(chainId: string): ChainModel {
    const model = this.chains.get(chainId);
    if (model === undefined) throw new Error(`no chain ${chainId}`);
    return model;
  }
}

/** Deterministic "random" bytes for fixed keys and seeds. */
export function fixedBytes(label: string): (size: number) => Uint8Array;
export function fixedBytes(label: string, size: number): Buffer;
export function fixedBytes(label: string, size?: number): Buffer | ((size: number) => Uint8Array) {
  const make = (n: number): Buffer => createHash('sha512').update(label).digest().subarray(0, n);
  return size === undefined ? make : make(size);
}

/** The broker's key in every history (fixed, so that histories are reproducible). */
const HISTORY_BROKER: Signer = createSigner(generateSigningKey('broker_k1', fixedBytes('broker')));

/** Appends a history to a store, one append per event, with the expected revision a writer would use. */
export async function writeHistory(
  store: EventStore,
  appends: readonly Append[],
  /** Called before each append (`auditHistory` sets the store's clock from it). */
  before?: (append: Append) => void,
): Promise<void> {
  const revisions = new Map<string, number>();
  let n = 0;
  for (const append of appends) {
    const { stream, event, actor, unsigned, claimant } = append;
    before?.(append);
    n += 1;
    const expected = revisions.get(stream);
    // The broker signs its chain events for the revision they take (tests that tamper with a
    // broker event re-sign it, as if the broker had written the tampered one, unless `unsigned`).
    // A claim is signed by its claimant, also for the revision it takes.
    const data =
      claimant && event.type === 'ChainClaimed' && !unsigned
        ? signClaim(claimant.signer, claimant.certificate, stream, (expected ?? -1) + 1, event).data
        : !unsigned && stream.startsWith('chain-') && BROKER_CHAIN_EVENT_TYPES.has(event.type)
          ? {
              ...event.data,
              brokerSignature: signChainEvent(
                HISTORY_BROKER,
                stream,
                (expected ?? -1) + 1,
                event.type,
                event.data,
              ),
            }
          : event.data;
    const newEvent: NewEvent = {
      id: deterministicEventId(stream, n),
      type: event.type,
      version: event.version,
      data,
      metadata: { correlationId: `c${n}`, causationId: `c${n}`, actor },
    };
    const result = await store.appendToStream(stream, [newEvent], {
      expectedRevision: expected ?? 'no_stream',
    });
    revisions.set(stream, result.nextExpectedRevision);
  }
}

/** Index of the `nth` (0-based) append of `type`, optionally on `stream`. */
export function indexOf(appends: readonly Append[], type: string, nth = 0, stream?: string): number {
  let seen = 0;
  for (let i = 0; i < appends.length; i++) {
    const a = appends[i];
    if (a === undefined || a.event.type !== type || (stream !== undefined && a.stream !== stream)) continue;
    if (seen === nth) return i;
    seen += 1;
  }
  throw new Error(`no ${type} #${nth}${stream ? ` on ${stream}` : ''}`);
}

/** A copy of the history with the data of append `i` changed (the event type is kept as is). */
export function withData(
  appends: readonly Append[],
  i: number,
  change: (data: Record<string, unknown>) => Record<string, unknown>,
): Append[] {
  return appends.map((a, j) => {
    if (j !== i) return a;
    const data = change({ ...(a.event.data as unknown as Record<string, unknown>) });
    return { ...a, event: { ...a.event, data } as unknown as AuditedEvent };
  });
}

/** A raw append of any type and data (for unknown or malformed events). */
export function rawAppend(stream: string, type: string, data: unknown, actor = 'broker'): Append {
  return { stream, event: { type, version: 1, data } as unknown as AuditedEvent, actor };
}
