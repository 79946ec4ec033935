import type { PublicKeyRecord, SignedBrokerKeyList } from '#protocol';
import type { CustomerStandingEvent } from './customer-standing.events.js';
import type { VendorStandingEvent } from './vendor-standing.events.js';

/** Broker-private streams: customers, purchases, vendors. Never read by vendors. */

export interface CustomerRegistered {
  readonly type: 'CustomerRegistered';
  readonly version: 1;
  readonly data: {
    readonly customerId: string;
    readonly name: string;
    /** SHA-256 of the bearer token; the token itself is never stored. */
    readonly tokenHash: string;
    /** The customer's account at the (simulated) bank, charged for purchases. */
    readonly bankAccount: string;
    readonly at: string;
  };
}

export interface VendorAuthorised {
  readonly type: 'VendorAuthorised';
  readonly version: 1;
  readonly data: { readonly customerId: string; readonly vendorId: string; readonly at: string };
}

export interface VendorDeauthorised {
  readonly type: 'VendorDeauthorised';
  readonly version: 1;
  readonly data: { readonly customerId: string; readonly vendorId: string; readonly at: string };
}

/** One macro-payment bought `chainIds`; links the customer to their chains inside the broker only. */
export interface CoinsPurchased {
  readonly type: 'CoinsPurchased';
  readonly version: 1;
  readonly data: {
    readonly purchaseId: string;
    readonly customerId: string;
    readonly chainIds: readonly string[];
    readonly coins: number;
    readonly coinValue: number;
    /** coins × coinValue, integer minor units. */
    readonly amount: number;
    readonly currency: string;
    readonly wallet: 'client' | 'server';
    readonly paymentRef: string;
    /**
     * Completed by the broker's reconciliation, not in answer to the customer: a client-side
     * purchase's seeds were never shown (the wallet re-issues its chains).
     */
    readonly reconciled?: true;
    readonly at: string;
  };
}

/**
 * A purchase about to be charged, recorded before the bank is asked: if the answer is lost (the
 * broker dies, the bank times out), reconciliation finds it and settles it with the bank by its
 * key (`netpay-<purchaseId>`), completing or voiding it without the customer.
 */
export interface PurchaseRequested {
  readonly type: 'PurchaseRequested';
  readonly version: 1;
  readonly data: {
    readonly purchaseId: string;
    readonly customerId: string;
    readonly bankAccount: string;
    readonly coins: number;
    readonly coinValue: number;
    /** coins × coinValue, integer minor units. */
    readonly amount: number;
    readonly currency: string;
    readonly wallet: 'client' | 'server';
    readonly expiresInDays: number;
    readonly vendors?: readonly string[];
    readonly at: string;
  };
}

/** Reconciliation found no charge at the bank and voided its key there: nothing was or will be charged. */
export interface PurchaseVoided {
  readonly type: 'PurchaseVoided';
  readonly version: 1;
  readonly data: {
    readonly purchaseId: string;
    readonly customerId: string;
    readonly amount: number;
    readonly currency: string;
    readonly at: string;
  };
}

export interface PurchaseDeclined {
  readonly type: 'PurchaseDeclined';
  readonly version: 1;
  readonly data: {
    readonly purchaseId: string;
    readonly customerId: string;
    readonly amount: number;
    readonly currency: string;
    readonly reason: string;
    readonly at: string;
  };
}

/** Unspent value returned to the customer (e.g. an expired chain). */
export interface CoinsRefunded {
  readonly type: 'CoinsRefunded';
  readonly version: 1;
  readonly data: {
    readonly customerId: string;
    readonly chainId: string;
    readonly amount: number;
    readonly currency: string;
    readonly paymentRef: string;
    /** The account paid (recorded since refunds can move after a decline; absent before). */
    readonly bankAccount?: string;
    readonly at: string;
  };
}

/**
 * The bank declined a cash-out's refund to `bankAccount` (closed since the customer registered,
 * another currency, …) after the chain was closed: nothing moved. The value is owed to the
 * customer until a `CoinsRefunded` of the chain records its refund (after a final decline —
 * account closed, another currency — to another account of theirs, `RefundAccountChosen`).
 */
export interface RefundDeclined {
  readonly type: 'RefundDeclined';
  readonly version: 1;
  readonly data: {
    readonly customerId: string;
    readonly chainId: string;
    readonly bankAccount: string;
    /** The value owed: the chain's unspent coins × coin value at the close, integer minor units. */
    readonly amount: number;
    readonly currency: string;
    readonly reason: string;
    readonly at: string;
  };
}

/**
 * Reasons of a `RefundDeclined` the bank gives for good under the chain's refund key (the account
 * is closed, or holds another currency): only after one of them may the refund move to another
 * account (`RefundAccountChosen`), since nothing can then be paid where it was going. The broker
 * acts on it and the auditor checks it.
 */
export const FINAL_REFUND_DECLINES: ReadonlySet<string> = new Set(['account-closed', 'currency-mismatch']);

/**
 * The customer named another account of theirs (the bank confirmed its mandate) for a chain's
 * refund, after the bank declined it for good at the account it was going to (`RefundDeclined`,
 * account closed or another currency): the chain's refund goes there from now on, under the same
 * refund key.
 */
export interface RefundAccountChosen {
  readonly type: 'RefundAccountChosen';
  readonly version: 1;
  readonly data: {
    readonly customerId: string;
    readonly chainId: string;
    readonly bankAccount: string;
    readonly at: string;
  };
}

/**
 * An expired chain's unspent value settled by the broker's stated policy (EXPIRY_POLICY), after
 * the chain was closed at its index (`ChainClosed {expired}`): `refunded` to the customer's bank
 * account (`paymentRef`), or `kept` by the broker with this record as the customer's notice.
 */
export interface CoinsExpiredSettled {
  readonly type: 'CoinsExpiredSettled';
  readonly version: 1;
  readonly data: {
    readonly customerId: string;
    readonly chainId: string;
    /** Unspent coins × coin value at the close, integer minor units. */
    readonly amount: number;
    readonly currency: string;
    readonly policy: 'refunded' | 'kept';
    /** The bank's reference of the refund (policy `refunded`). */
    readonly paymentRef?: string;
    readonly at: string;
  };
}

export interface VendorRegistered {
  readonly type: 'VendorRegistered';
  readonly version: 1;
  readonly data: {
    readonly vendorId: string;
    readonly name: string;
    readonly key: PublicKeyRecord;
    /** Account at the bank the broker pays redemptions into. */
    readonly bankAccount: string;
    readonly at: string;
  };
}

export interface VendorKeyRotated {
  readonly type: 'VendorKeyRotated';
  readonly version: 1;
  readonly data: { readonly vendorId: string; readonly key: PublicKeyRecord; readonly at: string };
}

/**
 * The web origins of a vendor's shop (`https://shop.example`), the only pages the broker lets embed
 * its wallet frame for that vendor (`frame-ancestors`); the latest one replaces the earlier ones.
 */
export interface VendorShopOriginsSet {
  readonly type: 'VendorShopOriginsSet';
  readonly version: 1;
  readonly data: { readonly vendorId: string; readonly origins: readonly string[]; readonly at: string };
}

/**
 * The operator retired one of a vendor's keys (lost or stolen, or replaced): the broker certifies
 * it no more, checkout requests and redemption claims signed with it are refused. What it signed
 * before stays verifiable by the certificates it carries (valid 24 h at most).
 */
export interface VendorKeyRetired {
  readonly type: 'VendorKeyRetired';
  readonly version: 1;
  readonly data: { readonly vendorId: string; readonly keyId: string; readonly at: string };
}

/**
 * A lost client-side chain was closed at its index and its unspent remainder re-issued as a new
 * chain (customer stream: the link between the two never appears in a chain stream).
 */
export interface ChainReissued {
  readonly type: 'ChainReissued';
  readonly version: 1;
  readonly data: {
    readonly customerId: string;
    readonly fromChainId: string;
    readonly toChainId: string;
    /** Unspent coins carried over (the new chain's length). */
    readonly coins: number;
    readonly at: string;
  };
}

/**
 * The seed W[n+1] of a server-side e-wallet chain, sealed with AES-256-GCM under the broker's
 * wallet key (stream `walletseed-<chainId>`, broker-private). Never in the chain stream.
 */
export interface ServerWalletSeedStored {
  readonly type: 'ServerWalletSeedStored';
  readonly version: 1;
  readonly data: {
    readonly chainId: string;
    readonly customerId: string;
    readonly purchaseId: string;
    readonly sealedSeed: {
      readonly v: 1;
      readonly keyId: string;
      readonly iv: string;
      readonly ciphertext: string;
      readonly tag: string;
    };
    readonly at: string;
  };
}

export type CustomerEvent =
  | CustomerRegistered
  | VendorAuthorised
  | VendorDeauthorised
  | CoinsRefunded
  | RefundDeclined
  | RefundAccountChosen
  | CoinsExpiredSettled
  | ChainReissued
  | CustomerStandingEvent;
export type WalletSeedEvent = ServerWalletSeedStored;
export type PurchaseEvent = PurchaseRequested | CoinsPurchased | PurchaseDeclined | PurchaseVoided;
export type VendorEvent =
  VendorRegistered | VendorKeyRotated | VendorKeyRetired | VendorShopOriginsSet | VendorStandingEvent;

/**
 * The broker published a root-signed list of its working keys (`streams.brokerKeys()`). Vendors,
 * the redemption worker and the auditor trust it only when it verifies against the root key
 * pinned in their configuration; the newest verified version wins. Kept out of `NetPayEvent`:
 * it describes keys, not money, and every reader checks it on its own.
 */
export interface BrokerKeyListPublished {
  readonly type: 'BrokerKeyListPublished';
  readonly version: 1;
  readonly data: SignedBrokerKeyList;
}
