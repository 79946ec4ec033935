import {
  type CoinsRefunded,
  FINAL_REFUND_DECLINES,
  type RefundAccountChosen,
  type RefundDeclined,
} from '#events';
import type { ChainRecord } from '../ledger/chain-record.js';
import { RULES } from '../rules.js';
import type { CheckContext } from './context.js';

/** The chain a refund event names, or a violation when it was never issued. */
function refundedChain(ctx: CheckContext, chainId: string, what: string): ChainRecord | undefined {
  const chain = ctx.ledger.chains.get(chainId);
  if (chain === undefined) {
    ctx.report.violation(
      RULES.EVENT_BEFORE_ISSUE,
      `${what} for chain ${chainId}, which was never issued`,
      chainId,
    );
  }
  return chain;
}

/**
 * Where the chain's refund goes now: the account last chosen, else the customer's registered one
 * (undefined only when no `CustomerRegistered` of the customer was read: a log that lost it).
 */
function refundGoesTo(ctx: CheckContext, chain: ChainRecord, customerId: string): string | undefined {
  return chain.refundAccount ?? ctx.ledger.bankAccounts.get(customerId);
}

/** A cash-out's refund event of a chain not closed by a cash-out: it has no refund to decline or move. */
function refuseUnlessCashedOut(ctx: CheckContext, chain: ChainRecord, what: string): void {
  if (chain.status === 'closed' && chain.closedAs === 'cashed-out') return;
  ctx.report.violation(
    RULES.REFUND_OF_OPEN_CHAIN,
    `${what} for chain ${chain.chainId}, which is ${chain.status === 'closed' ? `closed as ${chain.closedAs}` : chain.status}: a cash-out closes it first`,
    chain.chainId,
  );
}

/**
 * R4: the bank declined a cash-out's refund after the close. Nothing moved; the value is owed to
 * the customer (the report's `refundsOwed`) until a `CoinsRefunded` of the chain pays it. Like a
 * refund, it is of a chain closed by a cash-out and for at most its unspent value.
 */
export function onRefundDeclined(ctx: CheckContext, data: RefundDeclined['data']): void {
  const { report } = ctx;
  ctx.figures.refundsDeclined += 1;
  ctx.ledger.identities.add(data.customerId, 'customer id', data.customerId);
  ctx.ledger.identities.add(data.customerId, 'bank account', data.bankAccount);
  const what = `declined refund of ${data.amount} ${data.currency}`;
  const chain = refundedChain(ctx, data.chainId, what);
  if (chain === undefined) return;
  refuseUnlessCashedOut(ctx, chain, what);
  if (data.currency !== chain.currency || data.amount > chain.unspentValue) {
    report.violation(
      RULES.REFUND_EXCEEDS_UNSPENT,
      `${what} for chain ${chain.chainId}, whose unspent value is ${chain.unspentValue} ${chain.currency}`,
      chain.chainId,
    );
  }
  // A final decline is kept over a passing one (an account may decline for a while, then for good).
  const earlier = chain.refundsDeclined.get(data.bankAccount);
  if (earlier === undefined || !FINAL_REFUND_DECLINES.has(earlier))
    chain.refundsDeclined.set(data.bankAccount, data.reason);
  // Owed once, and only while nothing refunded it (a decline recorded after the refund owes nothing).
  if (chain.refunded === 0 && data.currency === chain.currency) chain.refundOwed = data.amount;
  chain.note(
    ctx.at.position,
    ctx.at.revision,
    'RefundDeclined',
    `${data.amount} ${data.currency} declined by the bank (${data.reason}): owed`,
  );
}

/**
 * R4: a chain's refund may move to another account only while it is unpaid and once the bank
 * declined it for good (account closed, another currency) at the account it was going to:
 * otherwise both could be paid. The account it moves to must not have declined it already.
 */
export function onRefundAccountChosen(ctx: CheckContext, data: RefundAccountChosen['data']): void {
  ctx.ledger.identities.add(data.customerId, 'customer id', data.customerId);
  ctx.ledger.identities.add(data.customerId, 'bank account', data.bankAccount);
  const chain = refundedChain(ctx, data.chainId, 'refund account chosen');
  if (chain === undefined) return;
  refuseUnlessCashedOut(ctx, chain, 'refund account chosen');
  const going = refundGoesTo(ctx, chain, data.customerId);
  const reason = going === undefined ? undefined : chain.refundsDeclined.get(going);
  const why =
    chain.refunded > 0
      ? 'after it was paid'
      : chain.refundsDeclined.has(data.bankAccount)
        ? 'to an account that had declined it'
        : reason === undefined
          ? 'while the bank had not declined it at the account it was going to'
          : FINAL_REFUND_DECLINES.has(reason)
            ? undefined
            : `after a decline that is not final (${reason}) at the account it was going to`;
  if (why !== undefined) {
    ctx.report.violation(
      RULES.REFUND_REDIRECTED_UNDECLINED,
      `chain ${chain.chainId}'s refund moved to another account ${why}: both could be paid`,
      chain.chainId,
    );
  }
  chain.refundAccount = data.bankAccount;
  chain.note(
    ctx.at.position,
    ctx.at.revision,
    'RefundAccountChosen',
    'refund to go to another account of the customer',
  );
}

/**
 * R4: a refund that names the account it paid (`CoinsRefunded.bankAccount`) paid the account the
 * chain's refund was going to, and not one that had declined it.
 */
export function checkRefundAccount(ctx: CheckContext, chain: ChainRecord, data: CoinsRefunded['data']): void {
  if (data.bankAccount === undefined) return;
  const going = refundGoesTo(ctx, chain, data.customerId);
  if (going !== undefined && data.bankAccount !== going) {
    ctx.report.violation(
      RULES.REFUND_REDIRECTED_UNDECLINED,
      `chain ${chain.chainId}'s refund paid to another account than the one it was going to`,
      chain.chainId,
    );
  } else if (FINAL_REFUND_DECLINES.has(chain.refundsDeclined.get(data.bankAccount) ?? '')) {
    // (After a passing decline — over a limit, say — paying the same account later is honest.)
    ctx.report.violation(
      RULES.REFUND_REDIRECTED_UNDECLINED,
      `chain ${chain.chainId}'s refund paid to an account that had declined it for good`,
      chain.chainId,
    );
  }
}
