import { END_OF_REPLAY, type EventRef, type Reporter } from '../findings.js';
import { outstandingLiability, type Figures } from '../figures.js';
import type { ChainRecord } from '../ledger/chain-record.js';
import type { Ledger, PurchaseRecord } from '../ledger/ledger.js';
import { RULES } from '../rules.js';

export interface ConservationScope {
  /** From the start of the log, every stream: totals can be compared. */
  readonly complete: boolean;
  readonly reporterAt: (at: EventRef) => Reporter;
}

/**
 * R4 at the end of the replay, once issue and payment events are both known:
 * each purchase paid exactly for the chains it names; each chain was paid for
 * (or re-issues a closed chain's remainder); no chain gave out more than its
 * value; no vendor was paid more than it validly spent; and per currency,
 * customer payments = value issued and the broker's liability is not negative.
 */
/**
 * Per currency, the value not spent, refunded nor settled: every chain's unspent positions less what was
 * refunded, except a re-issued chain's (its remainder lives on in its successor, counted there).
 */
export function unspentOutstanding(ledger: Ledger): Map<string, number> {
  return unspentWhere(ledger, () => true);
}

/**
 * Per currency, the unspent value of revoked chains (part of `unspentOutstanding`): held by the
 * broker pending review, neither in the customer's hands to spend nor refunded.
 */
export function unspentHeld(ledger: Ledger): Map<string, number> {
  return unspentWhere(ledger, (chain) => chain.status === 'revoked');
}

/** Per currency, the unspent value of the chains `keep` picks (a re-issued chain's is its successor's). */
function unspentWhere(ledger: Ledger, keep: (chain: ChainRecord) => boolean): Map<string, number> {
  const out = new Map<string, number>();
  for (const chain of ledger.chains.values()) {
    if (ledger.successorOf.has(chain.chainId) || !keep(chain)) continue;
    out.set(chain.currency, (out.get(chain.currency) ?? 0) + Math.max(0, chain.unspentValue));
  }
  return out;
}

/** Per currency, refunds the bank declined and nothing has paid since (`ChainRecord.refundOwed`). */
export function refundsOwed(ledger: Ledger): Map<string, number> {
  const out = new Map<string, number>();
  for (const chain of ledger.chains.values()) {
    if (chain.refundOwed > 0) out.set(chain.currency, (out.get(chain.currency) ?? 0) + chain.refundOwed);
  }
  return out;
}

export function checkConservation(ledger: Ledger, figures: Figures, scope: ConservationScope): void {
  for (const purchase of ledger.purchases.values()) checkPurchase(ledger, purchase, scope);
  for (const chain of ledger.chains.values()) checkChain(ledger, chain, scope);
  if (!scope.complete) return;
  const end = scope.reporterAt(END_OF_REPLAY);
  for (const vendor of ledger.vendors.values()) {
    for (const [currency, paid] of vendor.paid) {
      const spent = vendor.validSpentValue.get(currency) ?? 0;
      if (paid > spent) {
        end.violation(
          RULES.PAID_MORE_THAN_SPENT,
          `vendor ${vendor.vendorId} was paid ${paid} ${currency} but validly spent only ${spent} ${currency}`,
        );
      }
    }
  }
  for (const [currency, m] of figures.money) {
    const paidFor = m.valueIssued - m.valueReissued;
    if (m.customerPayments !== paidFor) {
      end.violation(
        RULES.MONEY_NOT_CONSERVED,
        `customers paid ${m.customerPayments} ${currency} for chains worth ${paidFor} ${currency}`,
      );
    }
    if (outstandingLiability(m) < 0) {
      end.violation(
        RULES.MONEY_NOT_CONSERVED,
        `redeemed ${m.valueRedeemed} + refunded ${m.refunded} + expired-settled ${m.expiredSettled} ${currency} exceed the ${paidFor} ${currency} issued`,
      );
    }
    // The whole life of the money: paid for = spent + refunded + expired-settled + still unspent.
    const unspent = unspentOutstanding(ledger).get(currency) ?? 0;
    const accounted = m.valueSpent + m.refunded + m.expiredSettled + unspent;
    if (paidFor !== accounted) {
      end.violation(
        RULES.LEDGER_UNBALANCED,
        `${paidFor} ${currency} issued (paid for) ≠ spent ${m.valueSpent} + refunded ${m.refunded} + ` +
          `expired-settled ${m.expiredSettled} + unspent ${unspent} = ${accounted} ${currency}`,
      );
    }
    if (m.paidToVendors > m.valueRedeemed) {
      end.violation(
        RULES.LEDGER_UNBALANCED,
        `vendors were paid ${m.paidToVendors} ${currency}, only ${m.valueRedeemed} ${currency} was redeemed`,
      );
    }
    if (m.paidToVendors > m.valueSpent) {
      end.violation(
        RULES.MONEY_NOT_CONSERVED,
        `vendors were paid ${m.paidToVendors} ${currency}, only ${m.valueSpent} ${currency} was spent`,
      );
    }
  }
}

function checkPurchase(ledger: Ledger, p: PurchaseRecord, scope: ConservationScope): void {
  const chains = p.chainIds.map((id) => ledger.chains.get(id));
  const report = scope.reporterAt({
    position: p.position,
    stream: p.stream,
    revision: p.revision,
    eventType: 'CoinsPurchased',
    eventId: p.eventId,
  });
  const missing = p.chainIds.filter((_, i) => chains[i] === undefined);
  if (missing.length > 0) {
    // Outside a complete replay the chain may simply lie outside what was read.
    if (scope.complete) {
      for (const id of missing) {
        report.violation(
          RULES.PURCHASED_CHAIN_NOT_ISSUED,
          `purchase ${p.purchaseId} paid for chain ${id}, never issued`,
          id,
        );
      }
    }
    return;
  }
  const issued = chains.filter((c): c is ChainRecord => c !== undefined);
  const coins = issued.reduce((n, c) => n + c.length, 0);
  const value = issued.reduce((n, c) => n + c.value, 0);
  const odd = issued.filter((c) => c.coinValue !== p.coinValue || c.currency !== p.currency);
  if (coins !== p.coins || value !== p.amount || odd.length > 0) {
    const detail =
      `purchase ${p.purchaseId} charged ${p.amount} ${p.currency} for ${p.coins} coins × ${p.coinValue}; ` +
      `its chains were issued with ${coins} coins worth ${value}` +
      (odd.length > 0 ? ` (${odd.map((c) => `${c.chainId}: ${c.coinValue} ${c.currency}`).join(', ')})` : '');
    for (const c of issued) report.violation(RULES.PURCHASE_AMOUNT_MISMATCH, detail, c.chainId);
  }
}

function checkChain(ledger: Ledger, chain: ChainRecord, scope: ConservationScope): void {
  const report = scope.reporterAt({
    position: chain.issuedAtPosition,
    stream: `chain-${chain.chainId}`,
    revision: 0,
    eventType: 'ChainIssued',
    eventId: null,
  });
  const paidFor = ledger.purchaseOfChain.has(chain.chainId);
  const reissue = ledger.reissueOf.get(chain.chainId);
  if (scope.complete && !paidFor && reissue === undefined) {
    report.violation(
      RULES.CHAIN_NOT_PAID_FOR,
      `chain ${chain.chainId} (${chain.value} ${chain.currency}) was issued without payment`,
      chain.chainId,
    );
  }
  const link = ledger.successorOf.get(chain.chainId);
  const successor = link === undefined ? undefined : ledger.chains.get(link.chainId);
  if (link !== undefined) checkReissue(chain, link, successor, report);
  const given = chain.coinsSpent * chain.coinValue + chain.refunded + (successor?.value ?? 0);
  if (given > chain.value) {
    report.violation(
      RULES.CHAIN_OVERDRAWN,
      `chain ${chain.chainId} is worth ${chain.value} ${chain.currency} but gave out ${given} ` +
        `(spent ${chain.coinsSpent * chain.coinValue}, refunded ${chain.refunded}, re-issued ${successor?.value ?? 0})`,
      chain.chainId,
    );
  }
}

function checkReissue(
  chain: ChainRecord,
  link: { readonly chainId: string; readonly coins: number | undefined },
  successor: ChainRecord | undefined,
  report: Reporter,
): void {
  if (chain.closedAtIndex === undefined) {
    report.violation(
      RULES.REISSUE_OF_OPEN_CHAIN,
      `chain ${chain.chainId} was re-issued as ${link.chainId} but never closed: both can be spent`,
      chain.chainId,
    );
    return;
  }
  if (successor === undefined) return;
  const remainingCoins = chain.length - chain.closedAtIndex + 1;
  const remainder = remainingCoins * chain.coinValue - chain.refunded;
  const carried = link.coins === undefined ? '' : `, the broker recorded ${link.coins} coins carried over`;
  if (
    successor.value > remainder ||
    successor.currency !== chain.currency ||
    (link.coins !== undefined && link.coins !== successor.length)
  ) {
    report.violation(
      RULES.REISSUE_EXCEEDS_REMAINDER,
      `chain ${chain.chainId} closed with ${remainingCoins} coins (${remainder} ${chain.currency}) unspent; ` +
        `re-issued as ${successor.chainId} with ${successor.length} coins worth ${successor.value} ${successor.currency}${carried}`,
      chain.chainId,
    );
  }
}

/** Value of the re-issues among the chains this replay issued: moved, not paid for again. */
export function reissuedValue(ledger: Ledger, issuedAfter: bigint | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const to of ledger.reissueOf.keys()) {
    const chain = ledger.chains.get(to);
    if (chain === undefined || (issuedAfter !== undefined && chain.issuedAtPosition <= issuedAfter)) continue;
    out.set(chain.currency, (out.get(chain.currency) ?? 0) + chain.value);
  }
  return out;
}
