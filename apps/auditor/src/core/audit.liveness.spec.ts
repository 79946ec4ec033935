import { describe, expect, it } from '@jest/globals';
import { auditHistory } from '../../test/audit-history.js';
import { History } from '../../test/history.js';

const HOURS = 3600_000;

/** v1 and v2 sell on 2026-11-20 (Auckland evening); the night after runs six hours later. */
function dayOfSales(): History {
  return new History()
    .registerVendor('v1')
    .registerVendor('v2')
    .registerCustomer('cust_alice', 'Alice Smith')
    .purchase('p1', 'cust_alice', ['ch1', 'ch2'])
    .spend('ch1', 'v1', 3)
    .spend('ch1', 'v1', 2)
    .spend('ch2', 'v2', 4)
    .later(6 * HOURS);
}

describe('Audit liveness (R3.SPENT_NOT_SEALED)', () => {
  it('finds coins spent before a sealed day’s cut-off that are in no batch (a night that sealed nothing for v1)', async () => {
    // The read model had lost v1's spends: the night sealed and paid v2 only.
    const h = dayOfSales().redeem('b2', 'v2', [['ch2', 1, 4]]);
    const report = await auditHistory(h.appends, { brokerKeys: h.brokerKeys });
    const found = report.violations.filter((v) => v.code === 'R3.SPENT_NOT_SEALED');
    expect(found.map((v) => [v.chainId, v.stream, v.eventType])).toEqual([
      ['ch1', 'chain-ch1', 'CoinsSpent'],
      ['ch1', 'chain-ch1', 'CoinsSpent'],
    ]);
    expect(found[0]!.detail).toMatch(/v1 spent ch1 1\.\.3 on 2026-11-20.*day 2026-11-20 was sealed/);
    expect(report.ok).toBe(false);
  });

  it('is clean when every spend of the sealed day is in a batch', async () => {
    const h = dayOfSales()
      .redeem('b1', 'v1', [['ch1', 1, 5]])
      .redeem('b2', 'v2', [['ch2', 1, 4]]);
    const report = await auditHistory(h.appends, { brokerKeys: h.brokerKeys });
    expect(report.violations).toEqual([]);
  });

  it('does not count spends after the night, nor those within the grace before it', async () => {
    const h = new History()
      .registerVendor('v1')
      .registerVendor('v2')
      .registerCustomer('cust_alice', 'Alice Smith')
      .purchase('p1', 'cust_alice', ['ch1', 'ch2'])
      .spend('ch2', 'v2', 4)
      .later(6 * HOURS)
      .spend('ch1', 'v1', 1) // seconds before the seal: within the grace
      .redeem('b2', 'v2', [['ch2', 1, 4]])
      .spend('ch1', 'v1', 2); // after the night: the next night's
    const report = await auditHistory(h.appends, { brokerKeys: h.brokerKeys });
    expect(report.violations).toEqual([]);
  });
});
