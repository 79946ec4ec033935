import { describe, expect, it } from '@jest/globals';
import { auditHistory } from '../../test/audit-history.js';
import { History } from '../../test/history.js';
import { honestHistory } from '../../test/scenarios.js';

describe('Audit of an honest history', () => {
  it('finds no violation and no warning', async () => {
    const h = honestHistory();
    const report = await auditHistory(h.appends, { brokerKeys: h.brokerKeys });
    expect(report.violations).toEqual([]);
    expect(report.warnings).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.complete).toBe(true);
  });

  it('reports the figures of the day', async () => {
    const h = honestHistory();
    const report = await auditHistory(h.appends, { brokerKeys: h.brokerKeys });
    expect(report.replay.events).toBe(h.appends.length);
    expect(report.chains).toMatchObject({
      issued: 3,
      clientWallets: 2,
      serverWallets: 1,
      open: 2,
      closed: 1,
    });
    expect(report.chains).toMatchObject({ spends: 7, checkouts: 1, handOffs: 1, claims: 1 });
    expect(report.coins).toEqual({ issued: 50, spent: 15, redeemed: 15 });
    expect(report.redemption).toEqual({
      batchesSealed: 2,
      batchesPaid: 2,
      itemsAccepted: 5,
      itemsRejected: 0,
      payoutsDeclined: 0,
      rangesRedeemed: 5,
    });
    expect(report.money.NZD).toEqual({
      customerPayments: 250,
      valueIssued: 250,
      valueReissued: 0,
      valueSpent: 75,
      valueRedeemed: 75,
      paidToVendors: 75,
      refunded: 95,
      outstandingLiability: 80,
      owedToVendors: 0,
      // The whole life of the money: 250 issued = 75 spent + 95 refunded + 0 expired + 80 unspent.
      unspentOutstanding: 80,
      spentNotRedeemed: 0,
      expiredSettled: 0,
      refundsOwed: 0,
      unspentHeld: 0,
    });
  });

  it('shows the unspent value of a revoked chain as held, within the unspent value', async () => {
    // A fault probe found it listed as "in customers' hands" alone, after a customer's revocation.
    const h = new History()
      .registerVendor('v1')
      .registerCustomer('cust_bob', 'Bob Jones')
      .purchase('p1', 'cust_bob', ['c1', 'c2'])
      .spend('c1', 'v1', 3)
      .revoke('c1');
    const report = await auditHistory(h.appends, { brokerKeys: h.brokerKeys });
    expect(report.violations).toEqual([]);
    const { unspentOutstanding, unspentHeld, valueIssued, valueSpent } = report.money.NZD!;
    const chainValue = valueIssued / 2;
    expect(unspentHeld).toBe(chainValue - valueSpent);
    expect(unspentOutstanding).toBe(valueIssued - valueSpent);
  });

  it('checks a hand-off with the keys of the vendor that signed it, whatever key ids others chose', async () => {
    // The broker refuses a key id twice for one vendor only: two vendors may both call theirs k1.
    const h = new History()
      .registerVendor('v1', 'k1')
      .registerVendor('v2', 'k1')
      .registerCustomer('cust_bob', 'Bob Jones')
      .purchase('p9', 'cust_bob', ['ch9'])
      .spend('ch9', 'v2', 2)
      .handOff('ch9', 'v2', 'v1')
      .spend('ch9', 'v1', 1)
      .handOff('ch9', 'v1', 'v2');
    const report = await auditHistory(h.appends, { brokerKeys: h.brokerKeys });
    expect(report.violations).toEqual([]);
  });

  it('gives the same answer whatever the page size', async () => {
    const h = honestHistory();
    const small = await auditHistory(h.appends, { brokerKeys: h.brokerKeys, pageSize: 1 });
    const large = await auditHistory(h.appends, { brokerKeys: h.brokerKeys, pageSize: 1000 });
    expect(small).toEqual(large);
  });

  it('rebuilds one chain with --chain, passing over the others', async () => {
    const h = honestHistory();
    const report = await auditHistory(h.appends, { brokerKeys: h.brokerKeys, chainId: 'ch3' });
    expect(report.ok).toBe(true);
    expect(report.complete).toBe(false);
    expect(report.replay.skipped).toBeGreaterThan(0);
    expect(report.chain).toMatchObject({
      chainId: 'ch3',
      wallet: 'server',
      index: 6,
      holder: 'v1',
      sliceEnd: 6,
      coinsSpent: 5,
      validSpends: { v1: 2, v2: 3 },
      purchaseId: 'p2',
    });
    expect(report.chain?.timeline.map((t) => t.type)).toEqual([
      'ChainIssued',
      'WalletCheckedOut',
      'CoinsSpent',
      'CoinsSpent',
      'ChainClaimed',
      'CoinsSpent',
      'RedemptionItemAccepted',
      'RedemptionItemAccepted',
    ]);
  });
});
