import type { AuditOptions } from './audit.js';
import { refundsOwed, unspentHeld, unspentOutstanding } from './checks/conservation.js';
import { outstandingLiability, type Figures, type MoneyFigures } from './figures.js';
import type { Findings, Violation, Warning } from './findings.js';
import type { ChainRecord, TimelineEntry } from './ledger/chain-record.js';
import type { Ledger } from './ledger/ledger.js';

export interface MoneyReport extends MoneyFigures {
  /** issued (paid for) − redeemed − refunded − expired-settled. */
  readonly outstandingLiability: number;
  /** Accepted for redemption but not yet paid. */
  readonly owedToVendors: number;
  /** Value of coins not spent yet (nor refunded, nor re-issued): the customers', or held (`unspentHeld`). */
  readonly unspentOutstanding: number;
  /** Spent at vendors, not yet redeemed: owed to vendors once they redeem. */
  readonly spentNotRedeemed: number;
  /**
   * Cash-outs whose refund the bank declined (`RefundDeclined`) and no `CoinsRefunded` has paid
   * since: owed to customers, on closed chains (part of `unspentOutstanding`).
   */
  readonly refundsOwed: number;
  /** Unspent value of revoked chains, held by the broker pending review (part of `unspentOutstanding`). */
  readonly unspentHeld: number;
}

export interface ChainReport {
  readonly chainId: string;
  readonly wallet: 'client' | 'server';
  readonly alg: string;
  readonly length: number;
  readonly coinValue: number;
  readonly currency: string;
  readonly brokerKeyId: string;
  readonly touchstoneVerified: boolean;
  readonly status: 'open' | 'revoked' | 'closed';
  readonly index: number;
  readonly holder: string | null;
  readonly sliceEnd: number | null;
  readonly coinsSpent: number;
  /** Coins each vendor spent validly. */
  readonly validSpends: Readonly<Record<string, number>>;
  readonly redeemed: readonly { from: number; to: number; vendorId: string; batchId: string }[];
  readonly refunded: number;
  readonly purchaseId: string | null;
  readonly reissuedAs: string | null;
  readonly reissueOf: string | null;
  readonly timeline: readonly TimelineEntry[];
}

export interface AuditReport {
  /** No violation found. */
  readonly ok: boolean;
  /** From the start of the log and every chain: totals were compared. */
  readonly complete: boolean;
  readonly scope: { readonly from: bigint | null; readonly chainId: string | null };
  readonly replay: {
    readonly events: number;
    readonly skipped: number;
    readonly streams: number;
    readonly firstPosition: bigint | null;
    readonly lastPosition: bigint | null;
    readonly eventsByCategory: Readonly<Record<string, number>>;
    readonly eventsByType: Readonly<Record<string, number>>;
  };
  readonly chains: {
    readonly issued: number;
    readonly clientWallets: number;
    readonly serverWallets: number;
    readonly weak: number;
    readonly open: number;
    readonly revoked: number;
    readonly closed: number;
    readonly spends: number;
    readonly checkouts: number;
    readonly handOffs: number;
    readonly claims: number;
  };
  readonly coins: { readonly issued: number; readonly spent: number; readonly redeemed: number };
  readonly parties: {
    readonly customers: number;
    readonly vendors: number;
    readonly purchases: number;
    readonly purchasesDeclined: number;
    readonly purchasesVoided: number;
    readonly purchasesReconciled: number;
    /** Requested (charge sent) with no outcome yet: reconciliation has still to settle them. */
    readonly purchasesPending: number;
    readonly refunds: number;
    /** Refunds the bank declined (`RefundDeclined`), paid since or not. */
    readonly refundsDeclined: number;
  };
  readonly redemption: {
    readonly batchesSealed: number;
    readonly batchesPaid: number;
    readonly itemsAccepted: number;
    readonly itemsRejected: number;
    readonly payoutsDeclined: number;
    /** Entries of the per-chain redemption ledgers (`redeemed-<chainId>`). */
    readonly rangesRedeemed: number;
  };
  /** Per currency, integer minor units. */
  readonly money: Readonly<Record<string, MoneyReport>>;
  readonly violationCount: number;
  readonly violationsByRule: Readonly<Record<string, number>>;
  /** The first findings in log order (up to `maxFindings`). */
  readonly violations: readonly Violation[];
  readonly warningCount: number;
  readonly warningsByCode: Readonly<Record<string, number>>;
  readonly warnings: readonly Warning[];
  /** With `--chain`: that chain, rebuilt. */
  readonly chain?: ChainReport;
}

function record(map: ReadonlyMap<string, number>): Record<string, number> {
  return Object.fromEntries([...map.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

function sum(map: ReadonlyMap<string, number>): number {
  let n = 0;
  for (const v of map.values()) n += v;
  return n;
}

export function buildReport(
  ledger: Ledger,
  f: Figures,
  findings: Findings,
  options: AuditOptions,
): AuditReport {
  const chains = [...ledger.chains.values()].filter(
    (c) => options.chainId === undefined || c.chainId === options.chainId,
  );
  const focus = options.chainId === undefined ? undefined : ledger.chains.get(options.chainId);
  const money: Record<string, MoneyReport> = {};
  const unspent = unspentOutstanding(ledger);
  const owed = refundsOwed(ledger);
  const held = unspentHeld(ledger);
  for (const [currency, m] of [...f.money.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    money[currency] = {
      ...m,
      outstandingLiability: outstandingLiability(m),
      owedToVendors: m.valueRedeemed - m.paidToVendors,
      unspentOutstanding: unspent.get(currency) ?? 0,
      spentNotRedeemed: m.valueSpent - m.valueRedeemed,
      refundsOwed: owed.get(currency) ?? 0,
      unspentHeld: held.get(currency) ?? 0,
    };
  }
  return {
    ok: findings.violationCount === 0,
    complete: options.from === undefined && options.chainId === undefined,
    scope: { from: options.from ?? null, chainId: options.chainId ?? null },
    replay: {
      events: f.events,
      skipped: f.skipped,
      streams: f.streams.size,
      firstPosition: f.firstPosition ?? null,
      lastPosition: f.lastPosition ?? null,
      eventsByCategory: record(f.eventsByCategory),
      eventsByType: record(f.eventsByType),
    },
    chains: {
      issued: f.chainsIssued,
      clientWallets: f.clientWallets,
      serverWallets: f.serverWallets,
      weak: f.weakChains,
      open: chains.filter((c) => c.status === 'open').length,
      revoked: chains.filter((c) => c.status === 'revoked').length,
      closed: chains.filter((c) => c.status === 'closed').length,
      spends: f.spends,
      checkouts: f.checkouts,
      handOffs: f.handOffs,
      claims: f.claims,
    },
    coins: { issued: f.coinsIssued, spent: f.coinsSpent, redeemed: f.coinsRedeemed },
    parties: {
      customers: f.customers,
      vendors: f.vendors,
      purchases: f.purchases,
      purchasesDeclined: f.purchasesDeclined,
      purchasesVoided: f.purchasesVoided,
      purchasesReconciled: f.purchasesReconciled,
      purchasesPending: [...ledger.purchaseRequests.keys()].filter((p) => !ledger.purchaseOutcomes.has(p))
        .length,
      refunds: f.refunds,
      refundsDeclined: f.refundsDeclined,
    },
    redemption: {
      batchesSealed: f.batchesSealed,
      batchesPaid: f.batchesPaid,
      itemsAccepted: f.itemsAccepted,
      itemsRejected: f.itemsRejected,
      payoutsDeclined: f.payoutsDeclined,
      rangesRedeemed: f.rangesRedeemed,
    },
    money,
    violationCount: findings.violationCount,
    violationsByRule: record(findings.violationCounts),
    violations: findings.violations,
    warningCount: sum(findings.warningCounts),
    warningsByCode: record(findings.warningCounts),
    warnings: findings.warnings,
    ...(focus === undefined ? {} : { chain: chainReport(ledger, focus) }),
  };
}

function chainReport(ledger: Ledger, c: ChainRecord): ChainReport {
  const t = c.touchstone;
  return {
    chainId: c.chainId,
    wallet: c.wallet,
    alg: t.alg,
    length: t.length,
    coinValue: t.coinValue,
    currency: t.currency,
    brokerKeyId: t.brokerKeyId,
    touchstoneVerified: c.touchstoneVerified,
    status: c.status,
    index: c.index,
    holder: c.holder ?? null,
    sliceEnd: c.sliceEnd ?? null,
    coinsSpent: c.coinsSpent,
    validSpends: Object.fromEntries([...c.validSpends].map(([vendor, ranges]) => [vendor, ranges.count()])),
    redeemed: c.redeemed
      .all()
      .map((r) => ({ from: r.from, to: r.to, vendorId: r.vendorId, batchId: r.batchId })),
    refunded: c.refunded,
    purchaseId: ledger.purchaseOfChain.get(c.chainId) ?? null,
    reissuedAs: ledger.successorOf.get(c.chainId)?.chainId ?? null,
    reissueOf: ledger.reissueOf.get(c.chainId) ?? null,
    timeline: c.timeline ?? [],
  };
}
