import { describe, expect, it } from '@jest/globals';
import { auditHistory } from '../../test/audit-history.js';
import { History, indexOf, rawAppend, withData, type Append } from '../../test/history.js';
import { honestHistory } from '../../test/scenarios.js';
import type { AuditedEvent } from './parse/parse-event.js';
import type { AuditReport } from './report.js';

const brokerKeys = honestHistory().brokerKeys;

function rules(report: AuditReport): string[] {
  return Object.keys(report.violationsByRule);
}

function expectNamed(report: AuditReport, code: string, position: bigint | null, stream: string): void {
  expect(report.ok).toBe(false);
  expect(report.violations).toContainEqual(expect.objectContaining({ code, position, stream }));
}

describe('Audit names tampering with redemption, money and anonymity (R3–R5)', () => {
  it('R3.OVERLAPPING_REDEMPTION: the same coins redeemed in a second batch', async () => {
    const h = honestHistory().redeem('b3', 'v1', [['ch1', 1, 5]]);
    const report = await auditHistory(h.appends, { brokerKeys });
    const accepted = indexOf(h.appends, 'RedemptionItemAccepted', 5);
    expectNamed(report, 'R3.OVERLAPPING_REDEMPTION', BigInt(accepted + 1), 'redemption-v1_20261120');
    expect(rules(report)).toEqual([
      'R3.OVERLAPPING_REDEMPTION',
      'R3.PAID_ON_UNVERIFIED_ITEMS',
      'R4.MONEY_NOT_CONSERVED',
      'R4.PAID_MORE_THAN_SPENT',
    ]);
  });

  it('R3.REDEEMED_NOT_SPENT: the seed-004 vendor fraud (a word derived from a later one, spent elsewhere)', async () => {
    // v1 sees W[3], v2 is paid W[4], v1 gets the chain back and sees W[6]: v1 can compute W[4] itself.
    const h = new History()
      .registerVendor('v1')
      .registerVendor('v2')
      .registerCustomer('cust_bob', 'Bob Jones')
      .purchase('p1', 'cust_bob', ['ch1'])
      .spend('ch1', 'v1', 3)
      .handOff('ch1', 'v1', 'v2')
      .spend('ch1', 'v2', 1)
      .handOff('ch1', 'v2', 'v1')
      .spend('ch1', 'v1', 2)
      .redeem('b1', 'v1', [['ch1', 1, 6]]) // a valid proof, but 4 was v2's
      .redeem('b2', 'v2', [['ch1', 4, 4]]);
    const report = await auditHistory(h.appends, { brokerKeys: h.brokerKeys });
    const fraud = indexOf(h.appends, 'RedemptionItemAccepted', 0);
    expectNamed(report, 'R3.REDEEMED_NOT_SPENT', BigInt(fraud + 1), 'redemption-v1_20261120');
    expect(report.violations.find((v) => v.code === 'R3.REDEEMED_NOT_SPENT')?.detail).toMatch(
      /1\.\.3, 5\.\.6/,
    );
    expect(rules(report)).toContain('R3.OVERLAPPING_REDEMPTION');
    expect(rules(report)).not.toContain('R3.BAD_REDEMPTION_PROOF');
  });

  it('R3.BAD_REDEMPTION_PROOF: an accepted item whose proof is not the chain’s word', async () => {
    const h = honestHistory();
    const i = indexOf(h.appends, 'RedemptionBatchSealed', 0);
    const bad = withData(h.appends, i, (d) => {
      const [first, ...rest] = d.items as Record<string, unknown>[];
      return { ...d, items: [{ ...first, proofPayword: h.chain('ch1').payword(4) }, ...rest] };
    });
    const report = await auditHistory(bad, { brokerKeys });
    const accepted = indexOf(bad, 'RedemptionItemAccepted', 0);
    expectNamed(report, 'R3.BAD_REDEMPTION_PROOF', BigInt(accepted + 1), 'redemption-v1_20261120');
    expect(rules(report)).toEqual(['R3.BAD_REDEMPTION_PROOF', 'R3.PAID_ON_UNVERIFIED_ITEMS']);
  });

  it('R3.BATCH_PAID_TWICE and R3.PAID_AMOUNT_MISMATCH', async () => {
    const h = honestHistory();
    const paid = indexOf(h.appends, 'VendorPaid', 0);
    const payment = h.appends[paid];
    if (payment === undefined) throw new Error('no payment');
    const twice = await auditHistory([...h.appends, payment], { brokerKeys });
    expectNamed(twice, 'R3.BATCH_PAID_TWICE', BigInt(h.appends.length + 1), 'redemption-v1_20261120');

    const more = withData(h.appends, paid, (d) => ({ ...d, amount: 40 }));
    const mismatch = await auditHistory(more, { brokerKeys });
    expectNamed(mismatch, 'R3.PAID_AMOUNT_MISMATCH', BigInt(paid + 1), 'redemption-v1_20261120');
    expect(rules(mismatch)).toEqual([
      'R3.PAID_AMOUNT_MISMATCH',
      'R4.LEDGER_UNBALANCED',
      'R4.MONEY_NOT_CONSERVED',
      'R4.PAID_MORE_THAN_SPENT',
    ]);
  });

  it('R4.MONEY_NOT_CONSERVED: customers paid less than the value issued', async () => {
    const h = honestHistory();
    const i = indexOf(h.appends, 'CoinsPurchased', 0);
    const cheap = withData(h.appends, i, (d) => ({ ...d, amount: 195 }));
    const report = await auditHistory(cheap, { brokerKeys });
    expectNamed(report, 'R4.PURCHASE_AMOUNT_MISMATCH', BigInt(i + 1), 'purchase-p1');
    expectNamed(report, 'R4.MONEY_NOT_CONSERVED', null, '$all');
    expect(report.violations.find((v) => v.code === 'R4.MONEY_NOT_CONSERVED')?.detail).toBe(
      'customers paid 245 NZD for chains worth 250 NZD',
    );
    expect(report.money.NZD?.customerPayments).toBe(245);
  });

  it('R4.CHAIN_NOT_PAID_FOR and R4.REFUND_EXCEEDS_UNSPENT', async () => {
    const h = honestHistory().issue('ch9', 10, 5, 'client').refund('cust_alice', 'ch2');
    const report = await auditHistory(h.appends, { brokerKeys });
    expectNamed(
      report,
      'R4.CHAIN_NOT_PAID_FOR',
      BigInt(indexOf(h.appends, 'ChainIssued', 3) + 1),
      'chain-ch9',
    );
    expectNamed(report, 'R4.REFUND_EXCEEDS_UNSPENT', BigInt(h.appends.length), 'customer-cust_alice');
    expect(rules(report)).toContain('R4.CHAIN_OVERDRAWN');
  });

  it('R4.REFUND_OF_OPEN_CHAIN: a refund must follow the close (cash-out), never precede it', async () => {
    const open = honestHistory().issue('ch9', 10, 5, 'client').refund('cust_alice', 'ch9');
    expect(rules(await auditHistory(open.appends, { brokerKeys }))).toContain('R4.REFUND_OF_OPEN_CHAIN');
    const closed = honestHistory()
      .issue('ch9', 10, 5, 'client')
      .close('ch9', 'cashed-out')
      .refund('cust_alice', 'ch9');
    expect(rules(await auditHistory(closed.appends, { brokerKeys }))).not.toContain(
      'R4.REFUND_OF_OPEN_CHAIN',
    );
  });

  it('a refund the bank declined is owed until it is paid to another account; it moves only after a decline', async () => {
    const declined = honestHistory()
      .purchase('p9', 'cust_alice', ['ch9'], { length: 10 })
      .close('ch9', 'cashed-out')
      .refundDeclined('cust_alice', 'ch9', 'NZ-CUST-cust_alice');
    const owed = await auditHistory(declined.appends, { brokerKeys });
    expect(owed.violations).toEqual([]);
    expect(owed.money.NZD?.refundsOwed).toBe(50);
    const paid = await auditHistory(
      declined.refundAccountChosen('cust_alice', 'ch9', 'NZ-OTHER').refund('cust_alice', 'ch9').appends,
      { brokerKeys },
    );
    expect(paid.violations).toEqual([]);
    expect(paid.money.NZD?.refundsOwed).toBe(0);

    // Moved while the registered account had not declined it: both could have been paid.
    const early = honestHistory()
      .purchase('p9', 'cust_alice', ['ch9'], { length: 10 })
      .close('ch9', 'cashed-out')
      .refundAccountChosen('cust_alice', 'ch9', 'NZ-OTHER');
    expectNamed(
      await auditHistory(early.appends, { brokerKeys }),
      'R4.REFUND_REDIRECTED_UNDECLINED',
      BigInt(early.appends.length),
      'customer-cust_alice',
    );
    // Declined at another account than the one it was going to, then moved: still undeclined.
    const elsewhere = honestHistory()
      .purchase('p9', 'cust_alice', ['ch9'], { length: 10 })
      .close('ch9', 'cashed-out')
      .refundDeclined('cust_alice', 'ch9', 'NZ-ELSEWHERE')
      .refundAccountChosen('cust_alice', 'ch9', 'NZ-OTHER');
    expect(rules(await auditHistory(elsewhere.appends, { brokerKeys }))).toEqual([
      'R4.REFUND_REDIRECTED_UNDECLINED',
    ]);
    // A decline that is not final (the bank may still book it there): the refund must not move.
    const notFinal = honestHistory()
      .purchase('p9', 'cust_alice', ['ch9'], { length: 10 })
      .close('ch9', 'cashed-out');
    notFinal.add('customer-cust_alice', {
      type: 'RefundDeclined',
      version: 1,
      data: {
        customerId: 'cust_alice',
        chainId: 'ch9',
        bankAccount: 'NZ-CUST-cust_alice',
        amount: 50,
        currency: 'NZD',
        reason: 'over-limit',
        at: notFinal.at(),
      },
    });
    notFinal.refundAccountChosen('cust_alice', 'ch9', 'NZ-OTHER');
    expect(rules(await auditHistory(notFinal.appends, { brokerKeys }))).toEqual([
      'R4.REFUND_REDIRECTED_UNDECLINED',
    ]);
    // Paid, naming the account, where it had been declined (without a move): caught.
    const paidWhereDeclined = honestHistory()
      .purchase('p9', 'cust_alice', ['ch9'], { length: 10 })
      .close('ch9', 'cashed-out')
      .refundDeclined('cust_alice', 'ch9', 'NZ-CUST-cust_alice');
    paidWhereDeclined.add('customer-cust_alice', {
      type: 'CoinsRefunded',
      version: 1,
      data: {
        customerId: 'cust_alice',
        chainId: 'ch9',
        amount: 50,
        currency: 'NZD',
        paymentRef: 'refund_ch9',
        bankAccount: 'NZ-CUST-cust_alice',
        at: paidWhereDeclined.at(),
      },
    });
    expect(rules(await auditHistory(paidWhereDeclined.appends, { brokerKeys }))).toEqual([
      'R4.REFUND_REDIRECTED_UNDECLINED',
    ]);
    // After a passing decline (over a limit), paying the same account later is honest.
    const later = honestHistory()
      .purchase('p9', 'cust_alice', ['ch9'], { length: 10 })
      .close('ch9', 'cashed-out');
    for (const reason of ['over-limit', 'paid']) {
      const data = {
        customerId: 'cust_alice',
        chainId: 'ch9',
        bankAccount: 'NZ-CUST-cust_alice',
        amount: 50,
        currency: 'NZD',
        at: later.at(),
      };
      if (reason === 'over-limit')
        later.add('customer-cust_alice', { type: 'RefundDeclined', version: 1, data: { ...data, reason } });
      else
        later.add('customer-cust_alice', {
          type: 'CoinsRefunded',
          version: 1,
          data: { ...data, paymentRef: 'refund_ch9' },
        });
    }
    expect((await auditHistory(later.appends, { brokerKeys })).violations).toEqual([]);
    // A decline of a chain still open: a cash-out closes it first.
    const open = honestHistory()
      .purchase('p9', 'cust_alice', ['ch9'], { length: 10 })
      .refundDeclined('cust_alice', 'ch9', 'NZ-CUST-cust_alice');
    expect(rules(await auditHistory(open.appends, { brokerKeys }))).toEqual(['R4.REFUND_OF_OPEN_CHAIN']);
  });

  it('R5.CUSTOMER_IDENTITY_EXPOSED: a name in a chain stream, an id in its metadata', async () => {
    const h = honestHistory();
    // A v1 revocation, from before reasons were codes: its free text is in the stored data.
    h.add('chain-ch1', {
      type: 'ChainRevoked',
      version: 1,
      data: { chainId: 'ch1', reason: 'fraud reported by alice  SMITH', at: h.at() },
    } as unknown as AuditedEvent);
    h.spend('ch1', 'v2');
    const leaky = [
      ...h.appends.slice(0, -1),
      { ...h.appends[h.appends.length - 1]!, actor: 'customer:cust_alice' },
    ];
    const report = await auditHistory(leaky, { brokerKeys });
    expectNamed(report, 'R5.CUSTOMER_IDENTITY_EXPOSED', BigInt(leaky.length - 1), 'chain-ch1');
    expect(
      report.violations.filter((v) => v.code === 'R5.CUSTOMER_IDENTITY_EXPOSED').map((v) => v.detail),
    ).toEqual([
      'ChainRevoked in chain-ch1 holds the name of customer cust_alice at data.reason',
      'CoinsSpent in chain-ch1 holds the customer id of customer cust_alice at metadata.actor',
    ]);
  });
});

describe('Audit of the per-chain redemption ledger (redeemed-<chainId>)', () => {
  it('R3.REDEMPTION_LEDGER_MISMATCH: an item accepted without its ledger entry', async () => {
    const h = honestHistory();
    const i = indexOf(h.appends, 'RangeRedeemed', 2);
    const missing = [...h.appends.slice(0, i), ...h.appends.slice(i + 1)];
    const report = await auditHistory(missing, { brokerKeys });
    expectNamed(report, 'R3.REDEMPTION_LEDGER_MISMATCH', null, 'redeemed-ch1');
    expect(rules(report)).toEqual(['R3.REDEMPTION_LEDGER_MISMATCH']);
  });

  it('R3.OVERLAPPING_REDEMPTION and R3.ITEM_NOT_IN_BATCH in the ledger itself', async () => {
    const h = honestHistory();
    const entry = h.appends[indexOf(h.appends, 'RangeRedeemed', 0)];
    if (entry === undefined) throw new Error('no ledger entry');
    const again = [
      ...h.appends,
      entry,
      { ...entry, event: { ...entry.event, data: { ...entry.event.data, item: 1 } } },
    ];
    const report = await auditHistory(again as typeof h.appends, { brokerKeys });
    expectNamed(report, 'R3.OVERLAPPING_REDEMPTION', BigInt(again.length - 1), 'redeemed-ch1');
    expectNamed(report, 'R3.ITEM_NOT_IN_BATCH', BigInt(again.length), 'redeemed-ch1');
  });
});

describe('Audit against the simulated bank’s ledger (bankaccount-<id>)', () => {
  function booked(h: History, paymentRef: string, direction: 'debit' | 'credit', amount: number): Append {
    const data = {
      accountId: 'acc_1',
      direction,
      amount,
      currency: 'NZD',
      idempotencyKey: paymentRef,
      reference: 'x',
      paymentRef,
      at: h.at(),
    };
    return rawAppend('bankaccount-acc_1', 'BankPaymentBooked', data);
  }

  function withBank(h: History): Append[] {
    return [
      booked(h, 'bank_p1', 'debit', 200),
      booked(h, 'bank_p2', 'debit', 50),
      ...h.appends,
      booked(h, 'pay_b1', 'credit', 35),
      booked(h, 'pay_b2', 'credit', 40),
      booked(h, 'refund_ch2', 'credit', 95),
    ];
  }

  it('R4.REFUND_PAID_TWICE: the bank booked one chain’s refund key at two accounts', async () => {
    const h = honestHistory();
    const appends = [
      ...withBank(h),
      rawAppend('bankaccount-acc_2', 'BankPaymentBooked', {
        accountId: 'acc_2',
        direction: 'credit',
        amount: 95,
        currency: 'NZD',
        idempotencyKey: 'refund_ch2',
        reference: 'ch2',
        paymentRef: 'bank_other',
        at: h.at(),
      }),
    ];
    const report = await auditHistory(appends, { brokerKeys });
    expect(rules(report)).toEqual(['R4.REFUND_PAID_TWICE']);
  });

  it('finds every payment NetPay records among the bank’s bookings', async () => {
    const report = await auditHistory(withBank(honestHistory()), { brokerKeys });
    expect(report.violations).toEqual([]);
    expect(report.warnings).toEqual([]);
  });

  it('R4.PAYMENT_NOT_IN_BANK_LEDGER: a payout the bank never booked; an unrecorded booking is a warning', async () => {
    const h = honestHistory();
    const appends = withBank(h).filter(
      (a) =>
        (a.event.data as { paymentRef?: string }).paymentRef !== 'pay_b2' || a.stream !== 'bankaccount-acc_1',
    );
    appends.push(booked(h, 'bank_unknown', 'debit', 10));
    const report = await auditHistory(appends, { brokerKeys });
    const paid = indexOf(appends, 'VendorPaid', 1);
    expectNamed(report, 'R4.PAYMENT_NOT_IN_BANK_LEDGER', BigInt(paid + 1), 'redemption-v2_20261120');
    expect(rules(report)).toEqual(['R4.PAYMENT_NOT_IN_BANK_LEDGER']);
    expect(report.warnings.map((w) => w.code)).toEqual(['W.BANK_PAYMENT_NOT_RECORDED']);
  });
});
