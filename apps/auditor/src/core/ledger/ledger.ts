import type { OperatorBook } from '../checks/operator.js';
import type { RedemptionItem } from '#events';
import type { PublicKeyRecord } from '#protocol';
import type { BankBooking, MoneyMovement } from '../checks/bank.js';
import { HasherCache } from '../hash/payword-hasher.js';
import type { ChainRecord } from './chain-record.js';
import { IdentityIndex } from './identity-index.js';

export interface VendorRecord {
  readonly vendorId: string;
  /** Value each vendor spent validly, per currency: the most it may be paid. */
  readonly validSpentValue: Map<string, number>;
  readonly paid: Map<string, number>;
}

export interface PurchaseRecord {
  readonly purchaseId: string;
  readonly chainIds: readonly string[];
  readonly coins: number;
  readonly coinValue: number;
  readonly amount: number;
  readonly currency: string;
  readonly position: bigint;
  readonly stream: string;
  readonly revision: number;
  readonly eventId: string;
}

export interface BatchRecord {
  readonly batchId: string;
  readonly vendorId: string;
  /** Sealed items by `chainId:fromIndex:toIndex`. */
  readonly items: ReadonlyMap<string, RedemptionItem>;
  /** Sealed items in batch order (RangeRedeemed names one by its place). */
  readonly itemList: readonly RedemptionItem[];
  /** Accepted value per currency. */
  readonly accepted: Map<string, number>;
  /** Accepted items the auditor could not verify (unsigned, or not holding against the chain): why. */
  readonly unverified: string[];
  paid: boolean;
}

export function itemKey(chainId: string, fromIndex: number, toIndex: number): string {
  return `${chainId}:${fromIndex}:${toIndex}`;
}

/** Everything the auditor has rebuilt so far. Checks read and update it. */
/** A customer's withdrawal of a vendor: where the log has it, and when the store recorded it. */
export interface Withdrawal {
  readonly position: bigint;
  readonly recordedAt: Date;
}

export class Ledger {
  readonly chains = new Map<string, ChainRecord>();
  readonly vendors = new Map<string, VendorRecord>();
  /**
   * Vendor keys by vendor id, then key id (`ownerId` is always that vendor). Key ids are the
   * vendor's own: two vendors may choose the same one, as the broker and the services allow.
   */
  readonly vendorKeys = new Map<string, Map<string, PublicKeyRecord>>();
  /** Broker keys by key id, from configuration (trusted) and, if the broker records them, from events. */
  readonly brokerKeys = new Map<string, PublicKeyRecord>();
  readonly purchases = new Map<string, PurchaseRecord>();
  /** Purchases recorded before their charge (`PurchaseRequested`): amount and currency asked. */
  readonly purchaseRequests = new Map<string, { readonly amount: number; readonly currency: string }>();
  /** Purchase id → its outcome (completed, declined, voided): a second one is a violation. */
  readonly purchaseOutcomes = new Map<string, string>();
  readonly purchaseOfChain = new Map<string, string>();
  /** New chain id → the closed chain it re-issues. */
  readonly reissueOf = new Map<string, string>();
  /** Closed chain id → its re-issue, with the coins the broker says it carried over. */
  readonly successorOf = new Map<string, { readonly chainId: string; readonly coins: number | undefined }>();
  readonly batches = new Map<string, BatchRecord>();
  /** Vendors the broker registered (`VendorRegistered`): the only ones a chain may go to. */
  readonly registeredVendors = new Set<string>();
  /** Server-side wallet chain → its owner's customer id (never printed: findings say "the wallet's owner"). */
  readonly customerOfChain = new Map<string, string>();
  /** Each customer's registered bank account (`CustomerRegistered`): where their refunds go first. */
  readonly bankAccounts = new Map<string, string>();
  /** Credits the bank booked under a refund key (`refund_<chainId>`), by key: the account paid. */
  readonly refundBookings = new Map<string, string>();
  /** Customer id → the vendors it authorises now (VendorAuthorised, less VendorDeauthorised). */
  readonly authorisedVendors = new Map<string, Set<string>>();
  /** Customer id → vendors it withdrew (and did not authorise again): where and when in the log. */
  readonly withdrawnVendors = new Map<string, Map<string, Withdrawal>>();
  /** The redemption worker's public keys (configuration): verdicts and reservations must carry its signature. */
  readonly redemptionKeys = new Map<string, PublicKeyRecord>();
  /** Log position up to which the worker's records may be unsigned (written before it signed them). */
  redemptionLegacyUntil = -1n;
  /** Whether the log keeps per-chain redemption ledgers (`redeemed-<chainId>`). */
  rangeLedgerInUse = false;
  readonly identities = new IdentityIndex();
  /** R7: vendors suspended for fraud now (vendorId → the suspension's time). */
  readonly suspendedVendors = new Map<string, string>();
  /** customerId → when the revocation in force began (R7; deleted by the lift). */
  readonly revokedCustomers = new Map<string, string>();
  /** R7: signed fraud refusals seen in the log, by `stream/batchId/item` (what a strike may cite). */
  readonly fraudRefusals = new Set<string>();
  /** The simulated bank's bookings by payment reference (when its ledger shares the store). */
  readonly bankBookings = new Map<string, BankBooking>();
  /** Mobile-NetPay: the operator's subscriber accounts, as its ledger replays. */
  readonly operatorAccounts = new Map<string, OperatorBook>();
  /** Mobile-NetPay: the operator's booked charges by payment reference. */
  readonly operatorBookings = new Map<string, BankBooking>();
  /** Payments NetPay's events say were made. */
  readonly movements: MoneyMovement[] = [];
  readonly hashers = new HasherCache();

  constructor(brokerKeys: readonly PublicKeyRecord[], redemptionKeys: readonly PublicKeyRecord[] = []) {
    for (const key of brokerKeys) this.brokerKeys.set(key.keyId, key);
    for (const key of redemptionKeys) this.redemptionKeys.set(key.keyId, key);
  }

  /** The key `keyId` of `vendorId`, as that vendor registered it. */
  vendorKey(vendorId: string, keyId: string): PublicKeyRecord | undefined {
    return this.vendorKeys.get(vendorId)?.get(keyId);
  }

  vendor(vendorId: string): VendorRecord {
    let v = this.vendors.get(vendorId);
    if (v === undefined) {
      v = { vendorId, validSpentValue: new Map(), paid: new Map() };
      this.vendors.set(vendorId, v);
    }
    return v;
  }
}

export function addTo(map: Map<string, number>, key: string, amount: number): void {
  map.set(key, (map.get(key) ?? 0) + amount);
}
