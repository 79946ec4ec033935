import type { RefundAccountChosen, RefundDeclined } from '#events';
import type { ChainRecord } from '../ledger/chain-record.js';
import { RULES } from '../rules.js';
import type { CheckContext } from './context.js';

/** The chain a refund event names, or a violation when it was never issued. */
function refundedChain(ctx: CheckContext, chainId: string, what: string): ChainRecord | undefined {
  const chain = ctx.ledger.chains.get(chainId);
  if (chain === undefined) {
    ctx.report.violation(
      RULES.REFUND_EXCEEDS_UNSPENT,
      `${what} for chain ${chainId}, which was never issued`,
      chainId,
    );
  }
  return chain;
}

/**
 * R4: the bank declined a cash-out's refund after the close. Nothing moved; the value is owed to
 * the customer (`refundsOwed`) until a `CoinsRefunded` of the chain pays it. Like a refund, it is
 * of a closed chain and for at most its unspent value.
 */
export function onRefundDeclined(ctx: CheckContext, data: RefundDeclined['data']): void {
  const { figures, report } = ctx;
  figures.refundsDeclined += 1;
  ctx.ledger.identities.add(data.customerId, 'customer id', data.customerId);
  ctx.ledger.identities.add(data.customerId, 'bank account', data.bankAccount);
  const chain = refundedChain(ctx, data.chainId, `declined refund of ${data.amount} ${data.currency}`);
  if (chain === undefined) return;
  if (chain.status !== 'closed') {
    report.violation(
      RULES.REFUND_OF_OPEN_CHAIN,
      `declined refund of ${data.amount} ${data.currency} for chain ${chain.chainId}, which is ${chain.status}: a cash-out closes it first`,
      chain.chainId,
    );
  }
  if (data.currency !== chain.currency || data.amount > chain.unspentValue) {
    report.violation(
      RULES.REFUND_EXCEEDS_UNSPENT,
      `declined refund of ${data.amount} ${data.currency} for chain ${chain.chainId}, whose unspent value is ` +
        `${chain.unspentValue} ${chain.currency}`,
      chain.chainId,
    );
  }
  chain.refundsDeclined.set(data.bankAccount, data.amount);
  if (chain.refundOwed === 0 && data.currency === chain.currency) {
    chain.refundOwed = data.amount;
    figures.moneyIn(data.currency).refundsOwed += data.amount;
  }
  chain.note(
    ctx.at.position,
    ctx.at.revision,
    'RefundDeclined',
    `${data.amount} ${data.currency} declined by the bank (${data.reason}): owed`,
  );
}

/**
 * R4: a chain's refund may move to another account only once the bank declined it at the account
 * it was going to (`RefundDeclined` of that account, after the close): otherwise both could be paid.
 * The account it moves to must not have declined it already.
 */
export function onRefundAccountChosen(ctx: CheckContext, data: RefundAccountChosen['data']): void {
  ctx.ledger.identities.add(data.customerId, 'customer id', data.customerId);
  ctx.ledger.identities.add(data.customerId, 'bank account', data.bankAccount);
  const chain = refundedChain(ctx, data.chainId, 'refund account chosen');
  if (chain === undefined) return;
  // Where the refund was going: the account last chosen, else the customer's registered one (a
  // replay that began after the registration knows neither, and asks only for some decline).
  const going = chain.refundAccount ?? ctx.ledger.bankAccounts.get(data.customerId);
  const declinedHere =
    going === undefined ? chain.refundsDeclined.size > 0 : chain.refundsDeclined.has(going);
  if (chain.status !== 'closed' || !declinedHere || chain.refundsDeclined.has(data.bankAccount)) {
    ctx.report.violation(
      RULES.REFUND_REDIRECTED_UNDECLINED,
      `chain ${chain.chainId}'s refund sent to another account while ` +
        (chain.refundsDeclined.has(data.bankAccount)
          ? 'that account had already declined it'
          : 'the bank had not declined it at the account it was going to'),
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
