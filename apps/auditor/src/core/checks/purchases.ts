import type {
  CoinsPurchased,
  CoinsRefunded,
  PurchaseDeclined,
  PurchaseRequested,
  PurchaseVoided,
} from '#events';
import { RULES } from '../rules.js';
import { recordMovement } from './bank.js';
import { checkRefundAccount } from './refunds.js';
import type { CheckContext } from './context.js';
import { onPurchaseByCustomer } from './fraud.js';

/**
 * R4, as each payment happens: a purchase charges exactly coins × coinValue and
 * buys each chain once. Whether the chains it names were issued with that
 * value is checked at the end of the replay (issue and purchase may come in
 * either order in the log).
 */
export function onCoinsPurchased(ctx: CheckContext, data: CoinsPurchased['data']): void {
  const { ledger, figures, report } = ctx;
  figures.purchases += 1;
  if (data.reconciled) figures.purchasesReconciled += 1;
  figures.moneyIn(data.currency).customerPayments += data.amount;
  // R7: completed while the customer was revoked, with no request from before (a request made
  // while revoked is named at the request).
  if (!ledger.purchaseRequests.has(data.purchaseId))
    onPurchaseByCustomer(ctx, data.customerId, `purchase ${data.purchaseId}`);
  settle(ctx, data, 'completed');
  ledger.identities.add(data.customerId, 'customer id', data.customerId);
  if (data.wallet === 'server')
    for (const chainId of data.chainIds) ledger.customerOfChain.set(chainId, data.customerId);
  if (data.amount !== data.coins * data.coinValue) {
    report.violation(
      RULES.PURCHASE_AMOUNT_MISMATCH,
      `purchase ${data.purchaseId} charged ${data.amount} ${data.currency} for ${data.coins} coins × ${data.coinValue}`,
    );
  }
  for (const chainId of data.chainIds) {
    const earlier = ledger.purchaseOfChain.get(chainId);
    if (earlier !== undefined) {
      report.violation(
        RULES.CHAIN_IN_TWO_PURCHASES,
        `chain ${chainId} was already bought by purchase ${earlier}; purchase ${data.purchaseId} pays for it again`,
        chainId,
      );
    } else ledger.purchaseOfChain.set(chainId, data.purchaseId);
  }
  ledger.purchases.set(data.purchaseId, {
    purchaseId: data.purchaseId,
    chainIds: data.chainIds,
    coins: data.coins,
    coinValue: data.coinValue,
    amount: data.amount,
    currency: data.currency,
    position: ctx.at.position,
    stream: ctx.at.stream,
    revision: ctx.at.revision,
    eventId: ctx.at.eventId,
  });
  recordMovement(ctx, {
    what: `purchase ${data.purchaseId}`,
    paymentRef: data.paymentRef,
    direction: 'debit',
    amount: data.amount,
    currency: data.currency,
  });
}

export function onPurchaseDeclined(ctx: CheckContext, data: PurchaseDeclined['data']): void {
  ctx.figures.purchasesDeclined += 1;
  ctx.ledger.identities.add(data.customerId, 'customer id', data.customerId);
  settle(ctx, data, 'declined');
}

export function onPurchaseRequested(ctx: CheckContext, data: PurchaseRequested['data']): void {
  ctx.ledger.identities.add(data.customerId, 'customer id', data.customerId);
  onPurchaseByCustomer(ctx, data.customerId, `purchase ${data.purchaseId}`);
  if (data.amount !== data.coins * data.coinValue) {
    ctx.report.violation(
      RULES.PURCHASE_AMOUNT_MISMATCH,
      `purchase ${data.purchaseId} asks ${data.amount} ${data.currency} for ${data.coins} coins × ${data.coinValue}`,
    );
  }
  ctx.ledger.purchaseRequests.set(data.purchaseId, { amount: data.amount, currency: data.currency });
}

/** R4: a voided purchase charged nothing; it must not also complete (checked in `settle`). */
export function onPurchaseVoided(ctx: CheckContext, data: PurchaseVoided['data']): void {
  ctx.figures.purchasesVoided += 1;
  ctx.ledger.identities.add(data.customerId, 'customer id', data.customerId);
  settle(ctx, data, 'voided');
}

/**
 * R4: a purchase has one outcome, and it is the purchase that was requested (same amount and
 * currency as its `PurchaseRequested`, when the purchase was recorded before its charge).
 */
function settle(
  ctx: CheckContext,
  data: { readonly purchaseId: string; readonly amount: number; readonly currency: string },
  outcome: 'completed' | 'declined' | 'voided',
): void {
  const { ledger, report } = ctx;
  const earlier = ledger.purchaseOutcomes.get(data.purchaseId);
  if (earlier !== undefined) {
    report.violation(
      RULES.PURCHASE_SETTLED_TWICE,
      `purchase ${data.purchaseId} is ${outcome} after it was ${earlier}`,
    );
  } else ledger.purchaseOutcomes.set(data.purchaseId, outcome);
  const asked = ledger.purchaseRequests.get(data.purchaseId);
  if (asked !== undefined && (asked.amount !== data.amount || asked.currency !== data.currency)) {
    report.violation(
      RULES.PURCHASE_NOT_AS_REQUESTED,
      `purchase ${data.purchaseId} was requested for ${asked.amount} ${asked.currency} but ${outcome} for ` +
        `${data.amount} ${data.currency}`,
    );
  }
}

/** R4: a refund returns at most the chain's unspent value, in the chain's currency, of a chain closed first. */
export function onCoinsRefunded(ctx: CheckContext, data: CoinsRefunded['data']): void {
  const { ledger, figures, report } = ctx;
  figures.refunds += 1;
  figures.moneyIn(data.currency).refunded += data.amount;
  ledger.identities.add(data.customerId, 'customer id', data.customerId);
  const chain = ledger.chains.get(data.chainId);
  if (chain === undefined) {
    report.violation(
      RULES.REFUND_EXCEEDS_UNSPENT,
      `refund of ${data.amount} ${data.currency} for chain ${data.chainId}, which was never issued`,
      data.chainId,
    );
    return;
  }
  if (chain.status === 'open') {
    report.violation(
      RULES.REFUND_OF_OPEN_CHAIN,
      `refund of ${data.amount} ${data.currency} for chain ${chain.chainId}, which is still open: close it first`,
      chain.chainId,
    );
  }
  if (data.currency !== chain.currency || data.amount > chain.unspentValue) {
    report.violation(
      RULES.REFUND_EXCEEDS_UNSPENT,
      `refund of ${data.amount} ${data.currency} for chain ${chain.chainId}, whose unspent value is ` +
        `${chain.unspentValue} ${chain.currency} (index ${chain.index} of ${chain.length})`,
      chain.chainId,
    );
  }
  checkRefundAccount(ctx, chain, data);
  chain.refunded += data.amount;
  // A refund the bank declined earlier is paid now (to another account of the customer's).
  chain.refundOwed = 0;
  recordMovement(ctx, {
    what: `refund of chain ${chain.chainId}`,
    paymentRef: data.paymentRef,
    direction: 'credit',
    amount: data.amount,
    currency: data.currency,
    chainId: chain.chainId,
  });
  chain.note(ctx.at.position, ctx.at.revision, 'CoinsRefunded', `${data.amount} ${data.currency} refunded`);
}
