import { describe, expect, it } from '@jest/globals';
import { auditHistory } from '../../test/audit-history.js';
import { type Append, History, indexOf, rawAppend, withData } from '../../test/history.js';
import type { AuditReport } from './report.js';

const ACCOUNT = 'sub_0123456789abcdef01234567';
const STREAM = `opaccount-${ACCOUNT}`;

function rules(report: AuditReport): string[] {
  return Object.keys(report.violationsByRule);
}

/** A subscriber buys two chains of 20 coins of 5 (NZD 2.00 each purchase) paid by the operator. */
function mobileDay(plan: 'prepaid' | 'postpaid', limit: number, charges: [string, number][]) {
  const h = new History()
    .registerCustomer('cus_sub', 'mobile subscriber')
    .purchase('p1', 'cus_sub', ['ch1'], { wallet: 'server' })
    .purchase('p2', 'cus_sub', ['ch2'], { wallet: 'server' });
  let appends: Append[] = [...h.appends];
  for (const nth of [0, 1]) {
    appends = withData(appends, indexOf(appends, 'CoinsPurchased', nth), (d) => ({
      ...d,
      paymentRef: `op_p${nth + 1}`,
    }));
  }
  const at = h.at();
  const opened = rawAppend(
    STREAM,
    'SubscriberAccountOpened',
    {
      accountId: ACCOUNT,
      plan,
      currency: 'NZD',
      openingBalance: plan === 'prepaid' ? limit : 0,
      spendingCap: plan === 'postpaid' ? limit : 0,
      at,
    },
    'operator-billing',
  );
  const booked = charges.map(([ref, amount], i) =>
    rawAppend(
      STREAM,
      'OperatorChargeBooked',
      {
        accountId: ACCOUNT,
        plan,
        amount,
        currency: 'NZD',
        idempotencyKey: `netpay-${ref}-${i}`,
        reference: ref,
        paymentRef: ref,
        billPeriod: at.slice(0, 7),
        at,
      },
      'operator-billing',
    ),
  );
  return { h, appends: [opened, ...booked, ...appends] };
}

describe("Audit of the operator's billing ledger (Mobile-NetPay, opaccount-<id>)", () => {
  it('a clean day: every purchase paid by a subscriber is an operator charge of the same amount', async () => {
    for (const plan of ['prepaid', 'postpaid'] as const) {
      const { h, appends } = mobileDay(plan, 200, [
        ['op_p1', 100],
        ['op_p2', 100],
      ]);
      const report = await auditHistory(appends, { brokerKeys: h.brokerKeys });
      expect(report.violations).toEqual([]);
      expect(report.warnings).toEqual([]);
    }
  });

  it('R4.OPERATOR_PREPAID_OVERDRAWN: charges beyond the prepaid balance', async () => {
    const { h, appends } = mobileDay('prepaid', 150, [
      ['op_p1', 100],
      ['op_p2', 100],
    ]);
    const report = await auditHistory(appends, { brokerKeys: h.brokerKeys });
    expect(rules(report)).toEqual(['R4.OPERATOR_PREPAID_OVERDRAWN']);
    expect(report.violations[0]).toMatchObject({ stream: STREAM, position: 3n });
  });

  it('R4.OPERATOR_CAP_EXCEEDED: a postpaid bill over its spending cap', async () => {
    const { h, appends } = mobileDay('postpaid', 150, [
      ['op_p1', 100],
      ['op_p2', 100],
    ]);
    const report = await auditHistory(appends, { brokerKeys: h.brokerKeys });
    expect(rules(report)).toEqual(['R4.OPERATOR_CAP_EXCEEDED']);
  });

  it('coins issued on a charge the operator never booked: R4.PAYMENT_NOT_IN_BANK_LEDGER and R4.OPERATOR_LEDGER_UNBALANCED', async () => {
    const { h, appends } = mobileDay('prepaid', 500, [['op_p1', 100]]);
    const report = await auditHistory(appends, { brokerKeys: h.brokerKeys });
    expect(rules(report).sort()).toEqual(['R4.OPERATOR_LEDGER_UNBALANCED', 'R4.PAYMENT_NOT_IN_BANK_LEDGER']);
  });

  it('R4.OPERATOR_CHARGED_TWICE and R4.OPERATOR_ACCOUNT_UNKNOWN', async () => {
    const { h, appends } = mobileDay('prepaid', 500, [
      ['op_p1', 100],
      ['op_p2', 100],
    ]);
    const twice = withData(appends, 2, (d) => ({ ...d, idempotencyKey: 'netpay-op_p1-0' }));
    expect(rules(await auditHistory(twice, { brokerKeys: h.brokerKeys }))).toEqual([
      'R4.OPERATOR_CHARGED_TWICE',
    ]);
    const stray = rawAppend('opaccount-sub_ffffffffffffffffffffffff', 'SubscriberToppedUp', {
      accountId: 'sub_ffffffffffffffffffffffff',
      amount: 10,
      currency: 'NZD',
      idempotencyKey: 'k',
      reference: 'topup-k',
      at: h.at(),
    });
    expect(rules(await auditHistory([...appends, stray], { brokerKeys: h.brokerKeys }))).toEqual([
      'R4.OPERATOR_ACCOUNT_UNKNOWN',
    ]);
  });
});
