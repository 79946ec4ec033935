import { describe, expect, it } from '@jest/globals';
import { payoutSigningBytes, signRecord } from '#events';
import { createSigner, generateSigningKey } from '#protocol';
import { auditHistory } from '../../test/audit-history.js';
import { fixedBytes, indexOf, rawAppend, withData, type Append } from '../../test/history.js';
import { honestHistory } from '../../test/scenarios.js';
import { PENDING_WITHDRAWAL_MS } from './checks/authority.js';
import type { AuditReport } from './report.js';

const brokerKeys = honestHistory().brokerKeys;
const redemptionKeys = honestHistory().redemptionKeys;

function rules(report: AuditReport): string[] {
  return Object.keys(report.violationsByRule);
}

function expectNamed(report: AuditReport, code: string, position: bigint | null, stream: string): void {
  expect(report.ok).toBe(false);
  expect(report.violations).toContainEqual(expect.objectContaining({ code, position, stream }));
}

/** A copy of the history with append `i` written by `actor`. */
function writtenBy(appends: readonly Append[], i: number, actor: string): Append[] {
  return appends.map((a, j) => (j === i ? { ...a, actor } : a));
}

describe('Audit names parties acting for others (R0 writers, R2 registrations and authorisations, R3 records)', () => {
  it('finds nothing in the honest history, with the worker’s keys given', async () => {
    const report = await auditHistory(honestHistory().appends, { brokerKeys, redemptionKeys });
    expect(report.violations).toEqual([]);
  });

  it('R2.UNREGISTERED_VENDOR: a chain handed off, or claimed, to a vendor id nobody registered', async () => {
    const h = honestHistory().handOff('ch1', 'v2', 'ghost_thief').spend('ch1', 'ghost_thief', 2);
    const report = await auditHistory(h.appends, { brokerKeys });
    const handOff = indexOf(h.appends, 'IndexHandedOff', 1);
    expectNamed(report, 'R2.UNREGISTERED_VENDOR', BigInt(handOff + 1), 'chain-ch1');
    expect(rules(report)).toEqual(['R2.UNREGISTERED_VENDOR']);

    const c = honestHistory().claim('ch3', 'v1', 'ghost_thief');
    const claimed = await auditHistory(c.appends, { brokerKeys });
    expectNamed(claimed, 'R2.UNREGISTERED_VENDOR', BigInt(c.appends.length), 'chain-ch3');
  });

  it('R2.UNREGISTERED_VENDOR: a client-side chain first spent by an unregistered vendor', async () => {
    const h = honestHistory().purchase('p3', 'cust_alice', ['ch4']).spend('ch4', 'ghost_thief');
    const report = await auditHistory(h.appends, { brokerKeys });
    expectNamed(report, 'R2.UNREGISTERED_VENDOR', BigInt(h.appends.length), 'chain-ch4');
  });

  it('R2.WALLET_VENDOR_NOT_AUTHORISED: a server-side wallet checked out to, and debited by, a vendor its owner never authorised', async () => {
    const h = honestHistory()
      .registerVendor('v3')
      .purchase('p3', 'cust_alice', ['ch4'], { wallet: 'server' })
      .checkout('ch4', 'v3', 5)
      .spend('ch4', 'v3', 2);
    const report = await auditHistory(h.appends, { brokerKeys });
    const checkout = indexOf(h.appends, 'WalletCheckedOut', 1);
    expectNamed(report, 'R2.WALLET_VENDOR_NOT_AUTHORISED', BigInt(checkout + 1), 'chain-ch4');
    expectNamed(report, 'R2.WALLET_VENDOR_NOT_AUTHORISED', BigInt(h.appends.length), 'chain-ch4');
    // The wallet's owner is never named in a finding.
    for (const v of report.violations) expect(v.detail).not.toMatch(/cust_alice|Alice/);
  });

  it('judges debits racing a withdrawal by the chain: those before SliceWithdrawn are authorised', async () => {
    // The race the red team ran: the customer's VendorDeauthorised is recorded, the vendor's debits
    // land in the chain, then the broker's SliceWithdrawn ends the slice and the customer gets 200.
    const h = honestHistory()
      .purchase('p3', 'cust_alice', ['ch4'], { wallet: 'server' })
      .checkout('ch4', 'v1', 8)
      .spend('ch4', 'v1', 1)
      .authorise('cust_alice', 'v1', false)
      .spend('ch4', 'v1', 2)
      .spend('ch4', 'v1', 1)
      .withdraw('ch4', 'v1');
    const report = await auditHistory(h.appends, { brokerKeys });
    expect(report.violations).toEqual([]);
    // One more debit after SliceWithdrawn is not authorised.
    const late = await auditHistory(h.spend('ch4', 'v1', 1).appends, { brokerKeys });
    expectNamed(late, 'R2.WALLET_VENDOR_NOT_AUTHORISED', BigInt(h.appends.length), 'chain-ch4');
  });

  it('R2.WALLET_VENDOR_NOT_AUTHORISED: debits, and a hand-off, after the owner withdrew the vendor', async () => {
    const h = honestHistory()
      .purchase('p3', 'cust_alice', ['ch4'], { wallet: 'server' })
      .checkout('ch4', 'v1', 8)
      .spend('ch4', 'v1', 2)
      .authorise('cust_alice', 'v1', false)
      .withdraw('ch4', 'v1')
      .spend('ch4', 'v1', 1);
    const report = await auditHistory(h.appends, { brokerKeys });
    expectNamed(report, 'R2.WALLET_VENDOR_NOT_AUTHORISED', BigInt(h.appends.length), 'chain-ch4');
    expect(report.violationsByRule['R2.WALLET_VENDOR_NOT_AUTHORISED']).toBe(1);
    expect(report.violations[0]?.detail).toMatch(/had withdrawn/);

    // A hand-off to a withdrawn vendor once the chain recorded the withdrawal.
    const moved = honestHistory()
      .purchase('p3', 'cust_alice', ['ch4'], { wallet: 'server' })
      .checkout('ch4', 'v1', 8)
      .authorise('cust_alice', 'v2', false)
      .vendorWithdrawn('ch4', 'v2')
      .handOff('ch4', 'v1', 'v2');
    const handedOff = await auditHistory(moved.appends, { brokerKeys });
    expectNamed(handedOff, 'R2.WALLET_VENDOR_NOT_AUTHORISED', BigInt(moved.appends.length), 'chain-ch4');
  });

  it('judges a hand-off racing a withdrawal by the chain: before the chain records it, a grant from before still moves the wallet', async () => {
    // Seen by a fault probe on an honest stack: the customer withdrew greetings while its wallet went
    // music → greetings on a grant issued before; the broker's VendorWithdrawn reached the chain
    // just after the hand-off, and the holder had rightly honoured the grant.
    const raced = honestHistory()
      .purchase('p3', 'cust_alice', ['ch4'], { wallet: 'server' })
      .authorise('cust_alice', 'v2')
      .checkout('ch4', 'v1', 8)
      .authorise('cust_alice', 'v2', false)
      .handOff('ch4', 'v1', 'v2')
      .spend('ch4', 'v2', 1)
      .withdraw('ch4', 'v2');
    expect((await auditHistory(raced.appends, { brokerKeys })).violations).toEqual([]);

    // No chain record of the withdrawal, but later than any grant from before it can live.
    const late = honestHistory()
      .purchase('p3', 'cust_alice', ['ch4'], { wallet: 'server' })
      .authorise('cust_alice', 'v2')
      .checkout('ch4', 'v1', 8)
      .authorise('cust_alice', 'v2', false)
      .later(PENDING_WITHDRAWAL_MS + 5_000)
      .handOff('ch4', 'v1', 'v2');
    const report = await auditHistory(late.appends, { brokerKeys });
    expectNamed(report, 'R2.WALLET_VENDOR_NOT_AUTHORISED', BigInt(late.appends.length), 'chain-ch4');
    expect(report.violations[0]?.detail).toMatch(/had withdrawn/);

    // The same late hand-off backdated by its vendor to before the withdrawal: the store's clock
    // says when it was recorded, and that is what counts (a review found the vendor's own time
    // believed, so a withdrawn vendor could take the wallet at any time by writing an old one).
    const moved = late.appends.at(-1)!;
    const recordedAt = (moved.event.data as { at: string }).at;
    const backdated = [
      ...late.appends.slice(0, -1),
      {
        ...moved,
        event: { ...moved.event, data: { ...moved.event.data, at: '2026-11-20T00:00:01.000Z' } },
        recordedAt,
      } as Append,
    ];
    expectNamed(
      await auditHistory(backdated, { brokerKeys }),
      'R2.WALLET_VENDOR_NOT_AUTHORISED',
      BigInt(late.appends.length),
      'chain-ch4',
    );
  });

  it('R0.WRITER_NOT_ALLOWED: a vendor writing another vendor’s spend, and anyone but the worker writing its ledger', async () => {
    const h = honestHistory();
    const spend = indexOf(h.appends, 'CoinsSpent', 0);
    const reserved = indexOf(h.appends, 'RangeRedeemed', 0);
    const forged = writtenBy(writtenBy(h.appends, spend, 'vendor:v2'), reserved, 'vendor:v1');
    const report = await auditHistory(forged, { brokerKeys });
    expectNamed(report, 'R0.WRITER_NOT_ALLOWED', BigInt(spend + 1), 'chain-ch1');
    expectNamed(report, 'R0.WRITER_NOT_ALLOWED', BigInt(reserved + 1), 'redeemed-ch1');
    expect(report.violationsByRule['R0.WRITER_NOT_ALLOWED']).toBe(2);

    // A customer's actor is not printed, whatever the event.
    const purchase = indexOf(h.appends, 'CoinsPurchased', 0);
    const byOther = await auditHistory(writtenBy(h.appends, purchase, 'customer:cust_mallory'), {
      brokerKeys,
    });
    expect(byOther.violationsByRule['R0.WRITER_NOT_ALLOWED']).toBe(1);
    expect(byOther.violations[0]?.detail).not.toMatch(/cust_/);
  });

  describe('with the redemption worker’s keys', () => {
    /**
     * A batch for v1 of ch2 1..20 (never spent by v1), its reservation and verdict, and the payment
     * the worker made on them (signed by it: today's worker paid on whatever verdict it found).
     */
    function forgedPayment(sign?: ReturnType<typeof createSigner>): Append[] {
      const h = honestHistory();
      const stream = 'redemption-v1_20261121';
      const at = '2026-11-21T08:00:00.000Z';
      const item = { chainId: 'ch2', fromIndex: 1, toIndex: 20, proofPayword: h.chain('ch2').payword(20) };
      const range = { chainId: 'ch2', fromIndex: 1, toIndex: 20 };
      const verdict = { batchId: 'forged', item: 0, ...range, amount: 100_000, currency: 'NZD', at };
      const paid = {
        batchId: 'forged',
        vendorId: 'v1',
        amount: 100_000,
        currency: 'NZD',
        paymentRef: 'pay_forged',
        at,
      };
      const signature = sign
        ? { keyId: h.worker.keyId, value: sign.sign(Buffer.from('anything')) }
        : undefined;
      return [
        ...h.appends,
        rawAppend(
          stream,
          'RedemptionBatchSealed',
          { batchId: 'forged', vendorId: 'v1', businessDay: '2026-11-21', items: [item], at },
          'redemption',
        ),
        rawAppend(
          'redeemed-ch2',
          'RangeRedeemed',
          { ...range, vendorId: 'v1', batchId: 'forged', item: 0, at, ...(signature ? { signature } : {}) },
          'redemption',
        ),
        rawAppend(
          stream,
          'RedemptionItemAccepted',
          { ...verdict, ...(signature ? { signature } : {}) },
          'redemption',
        ),
        rawAppend(
          stream,
          'VendorPaid',
          { ...paid, signature: signRecord(h.worker, payoutSigningBytes(stream, paid)) },
          'redemption',
        ),
      ];
    }

    it('R3.UNSIGNED_REDEMPTION_RECORD: a payout record the worker did not sign', async () => {
      const h = honestHistory();
      const i = indexOf(h.appends, 'VendorPaid', 0);
      const unsigned = withData(h.appends, i, ({ signature: _signature, ...rest }) => rest);
      const report = await auditHistory(unsigned, { brokerKeys, redemptionKeys });
      expectNamed(report, 'R3.UNSIGNED_REDEMPTION_RECORD', BigInt(i + 1), 'redemption-v1_20261120');
    });

    it('R3.UNSIGNED_REDEMPTION_RECORD and R3.PAID_ON_UNVERIFIED_ITEMS: money paid on an unsigned verdict', async () => {
      const appends = forgedPayment();
      const report = await auditHistory(appends, { brokerKeys, redemptionKeys });
      const n = appends.length;
      expectNamed(report, 'R3.UNSIGNED_REDEMPTION_RECORD', BigInt(n - 2), 'redeemed-ch2');
      expectNamed(report, 'R3.UNSIGNED_REDEMPTION_RECORD', BigInt(n - 1), 'redemption-v1_20261121');
      expectNamed(report, 'R3.PAID_ON_UNVERIFIED_ITEMS', BigInt(n), 'redemption-v1_20261121');
    });

    it('R3.UNSIGNED_REDEMPTION_RECORD: a signature by a key that is not the worker’s', async () => {
      const rogue = createSigner(generateSigningKey('redemption_k1', fixedBytes('rogue')));
      const report = await auditHistory(forgedPayment(rogue), { brokerKeys, redemptionKeys });
      expect(report.violationsByRule['R3.UNSIGNED_REDEMPTION_RECORD']).toBe(2);
      expect(rules(report)).toContain('R3.PAID_ON_UNVERIFIED_ITEMS');
    });

    it('R3.PAID_ON_UNVERIFIED_ITEMS even without the keys: the paid item does not hold against the chain', async () => {
      const report = await auditHistory(forgedPayment(), { brokerKeys });
      expect(rules(report)).toEqual(
        expect.arrayContaining(['R3.REDEEMED_NOT_SPENT', 'R3.PAID_ON_UNVERIFIED_ITEMS']),
      );
    });

    it('takes unsigned records written before the worker signed them (up to the legacy position)', async () => {
      const appends = forgedPayment();
      const before = await auditHistory(appends, {
        brokerKeys,
        redemptionKeys,
        redemptionLegacyUntil: BigInt(appends.length),
      });
      expect(before.violationsByRule['R3.UNSIGNED_REDEMPTION_RECORD']).toBeUndefined();
      // They are still checked against the chain.
      expect(rules(before)).toContain('R3.PAID_ON_UNVERIFIED_ITEMS');
    });
  });
});
