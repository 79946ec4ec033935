import { describe, expect, it } from '@jest/globals';
import { auditHistory } from '../../test/audit-history.js';
import { History } from '../../test/history.js';

const YEAR = 366 * 86_400_000;

/** Bob buys one chain of 20 coins of 5 (NZD 1.00) and spends 3 at v1. */
function bought(): History {
  return new History()
    .registerVendor('v1')
    .registerCustomer('cust_bob', 'Bob Jones')
    .purchase('p1', 'cust_bob', ['ch1'])
    .spend('ch1', 'v1', 3);
}

const rules = (report: { violationsByRule: Record<string, number> }): string[] =>
  Object.keys(report.violationsByRule);

describe('Audit of the end of the money: expiry and reconciled purchases (R4)', () => {
  it.each(['refunded', 'kept'] as const)(
    'an expired chain closed and settled (%s) balances: expired-settled is a ledger term',
    async (policy) => {
      const h = bought().later(YEAR).close('ch1', 'expired').expire('cust_bob', 'ch1', policy);
      const report = await auditHistory(h.appends, { brokerKeys: h.brokerKeys });
      expect(report.violationsByRule).toEqual({});
      expect(report.money.NZD).toMatchObject({
        customerPayments: 100,
        valueSpent: 15,
        expiredSettled: 85,
        unspentOutstanding: 0,
        outstandingLiability: 15,
      });
    },
  );

  it('R4.EXPIRY_SETTLED_EARLY: settled before the chain expired', async () => {
    const h = bought().close('ch1', 'expired').expire('cust_bob', 'ch1', 'kept');
    const report = await auditHistory(h.appends, { brokerKeys: h.brokerKeys });
    expect(rules(report)).toEqual(['R4.EXPIRY_SETTLED_EARLY']);
  });

  it('R4.EXPIRY_OF_OPEN_CHAIN: settled while the chain is still open (its coins could be spent too)', async () => {
    const h = bought().later(YEAR).expire('cust_bob', 'ch1', 'kept');
    const report = await auditHistory(h.appends, { brokerKeys: h.brokerKeys });
    expect(rules(report)).toContain('R4.EXPIRY_OF_OPEN_CHAIN');
  });

  it('R4.EXPIRY_SETTLEMENT_MISMATCH: settled twice', async () => {
    const h = bought()
      .later(YEAR)
      .close('ch1', 'expired')
      .expire('cust_bob', 'ch1', 'kept')
      .expire('cust_bob', 'ch1', 'kept');
    const report = await auditHistory(h.appends, { brokerKeys: h.brokerKeys });
    expect(rules(report)).toContain('R4.EXPIRY_SETTLEMENT_MISMATCH');
  });

  it('R4.PURCHASE_SETTLED_TWICE: a purchase completed, then voided', async () => {
    const h = bought().add('purchase-p1', {
      type: 'PurchaseVoided',
      version: 1,
      data: {
        purchaseId: 'p1',
        customerId: 'cust_bob',
        amount: 100,
        currency: 'NZD',
        at: '2026-11-21T00:00:00.000Z',
      },
    });
    const report = await auditHistory(h.appends, { brokerKeys: h.brokerKeys });
    expect(rules(report)).toEqual(['R4.PURCHASE_SETTLED_TWICE']);
    expect(report.parties).toMatchObject({ purchases: 1, purchasesVoided: 1, purchasesPending: 0 });
  });

  it('R4.PURCHASE_NOT_AS_REQUESTED: completed for another amount than was requested', async () => {
    const h = new History().registerCustomer('cust_bob', 'Bob Jones');
    h.add('purchase-p1', {
      type: 'PurchaseRequested',
      version: 1,
      data: {
        purchaseId: 'p1',
        customerId: 'cust_bob',
        bankAccount: 'NZ-CUST-cust_bob',
        coins: 10,
        coinValue: 5,
        amount: 50,
        currency: 'NZD',
        wallet: 'client',
        expiresInDays: 90,
        at: '2026-11-20T08:00:00.500Z',
      },
    });
    h.purchase('p1', 'cust_bob', ['ch1']);
    const report = await auditHistory(h.appends, { brokerKeys: h.brokerKeys });
    expect(rules(report)).toEqual(['R4.PURCHASE_NOT_AS_REQUESTED']);
  });
});
