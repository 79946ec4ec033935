import type { CoinsExpiredSettled } from '#events';
import { RULES } from '../rules.js';
import { recordMovement } from './bank.js';
import type { CheckContext } from './context.js';

/**
 * R4, expiry: an expired chain's unspent value is settled once, after its expiry, once it is
 * closed as expired, for exactly its unspent value (refunded with a bank payment, or kept by the
 * broker); it then counts as expired-settled in the ledger, no longer as the broker's liability.
 */
export function onCoinsExpiredSettled(ctx: CheckContext, data: CoinsExpiredSettled['data']): void {
  const { ledger, figures, report } = ctx;
  ledger.identities.add(data.customerId, 'customer id', data.customerId);
  const chain = ledger.chains.get(data.chainId);
  if (chain === undefined) {
    report.violation(
      RULES.EXPIRY_SETTLEMENT_MISMATCH,
      `expiry settlement of ${data.amount} ${data.currency} for chain ${data.chainId}, which was never issued`,
      data.chainId,
    );
    return;
  }
  figures.expiries += 1;
  figures.moneyIn(data.currency).expiredSettled += data.amount;
  if (Date.parse(data.at) < chain.validToMs) {
    report.violation(
      RULES.EXPIRY_SETTLED_EARLY,
      `chain ${chain.chainId} settled at expiry at ${data.at}, before it expired`,
      chain.chainId,
    );
  }
  if (chain.status !== 'closed' || chain.closedAs !== 'expired') {
    report.violation(
      RULES.EXPIRY_OF_OPEN_CHAIN,
      `chain ${chain.chainId} settled at expiry but ${chain.status === 'closed' ? `closed as ${chain.closedAs}` : chain.status}: close it as expired first`,
      chain.chainId,
    );
  }
  if (chain.expirySettled || data.currency !== chain.currency || data.amount !== chain.unspentValue) {
    report.violation(
      RULES.EXPIRY_SETTLEMENT_MISMATCH,
      `chain ${chain.chainId} settled at expiry for ${data.amount} ${data.currency}` +
        (chain.expirySettled
          ? ', a second time'
          : `; its unspent value is ${chain.unspentValue} ${chain.currency}`),
      chain.chainId,
    );
  }
  chain.expirySettled = true;
  chain.refunded += data.amount;
  if (data.policy === 'refunded') {
    recordMovement(ctx, {
      what: `refund of expired chain ${chain.chainId}`,
      paymentRef: data.paymentRef ?? '',
      direction: 'credit',
      amount: data.amount,
      currency: data.currency,
      chainId: chain.chainId,
    });
  }
  chain.note(
    ctx.at.position,
    ctx.at.revision,
    'CoinsExpiredSettled',
    `${data.amount} ${data.currency} ${data.policy}`,
  );
}
