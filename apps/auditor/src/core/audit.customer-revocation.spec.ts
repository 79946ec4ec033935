import { describe, expect, it } from '@jest/globals';
import {
  createSigner,
  generateSigningKey,
  signRevocationNotice,
  type SignedRevocationNotice,
} from '#protocol';
import { auditHistory } from '../../test/audit-history.js';
import { fixedBytes, History } from '../../test/history.js';
import type { AuditReport } from './report.js';

function r7(report: AuditReport): string[] {
  return report.violations.filter((v) => v.code.startsWith('R7.')).map((v) => v.code);
}

/**
 * Ann buys a chain, the operator revokes her (CustomerRevoked + ChainRevoked fraud), `during`
 * runs while she is revoked, the operator lifts it and she buys again (allowed after the lift).
 */
function revocationHistory(
  during: (h: History) => void = () => undefined,
  tamper: {
    notice?: (n: SignedRevocationNotice) => SignedRevocationNotice;
    lift?: (n: SignedRevocationNotice) => SignedRevocationNotice;
  } = {},
): History {
  const h = new History()
    .registerVendor('va')
    .registerCustomer('cust_ann', 'Ann Lee')
    .purchase('p1', 'cust_ann', ['ch1']);
  h.spend('ch1', 'va', 2);
  const at = h.at();
  const reason = 'FRAUD.DOUBLE_SPEND_ATTEMPT' as const;
  const notice = (tamper.notice ?? ((n) => n))(
    signRevocationNotice(
      { kind: 'customer', id: 'cust_ann', reason, at, brokerKeyId: h.broker.keyId },
      h.broker,
    ),
  );
  h.add(
    'customer-cust_ann',
    {
      type: 'CustomerRevoked',
      version: 1,
      data: { customerId: 'cust_ann', reason, evidence: ['case_42'], notice, at },
    },
    'operator',
  );
  h.add(
    'chain-ch1',
    { type: 'ChainRevoked', version: 2, data: { chainId: 'ch1', reason: 'fraud', at: h.at() } },
    'operator',
  );
  during(h);
  const liftAt = h.at();
  const lift = (tamper.lift ?? ((n) => n))(
    signRevocationNotice(
      {
        kind: 'customer',
        id: 'cust_ann',
        reason: 'OPERATOR.REINSTATED',
        at: liftAt,
        brokerKeyId: h.broker.keyId,
        lifted: true,
      },
      h.broker,
    ),
  );
  h.add(
    'customer-cust_ann',
    {
      type: 'CustomerReinstated',
      version: 1,
      data: { customerId: 'cust_ann', note: 'OPERATOR.REINSTATED', notice: lift, at: liftAt },
    },
    'operator',
  );
  return h.purchase('p3', 'cust_ann', ['ch3']);
}

const audit = (h: History) =>
  auditHistory(h.appends, { brokerKeys: h.brokerKeys, redemptionKeys: h.redemptionKeys });

describe('Audit of customer revocations (R7)', () => {
  it('an honest revocation and lift, and a purchase after the lift: no R7 finding', async () => {
    const report = await audit(revocationHistory());
    expect(r7(report)).toEqual([]);
  });

  it('R7.PURCHASE_BY_REVOKED_CUSTOMER: a purchase while revoked (not one after the lift)', async () => {
    const report = await audit(revocationHistory((h) => h.purchase('p2', 'cust_ann', ['ch2'])));
    expect(r7(report)).toEqual(['R7.PURCHASE_BY_REVOKED_CUSTOMER']);
    expect(report.violations.find((v) => v.code === 'R7.PURCHASE_BY_REVOKED_CUSTOMER')?.detail).toContain(
      'p2',
    );
  });

  it('R7.PURCHASE_BY_REVOKED_CUSTOMER: a purchase by another customer registered with the revoked one’s bank account', async () => {
    const report = await audit(
      revocationHistory((h) =>
        h
          .registerCustomer('cust_ann2', 'Ann Lee', 'NZ-CUST-cust_ann')
          .registerCustomer('cust_bob', 'Bob Ray')
          .purchase('p2', 'cust_ann2', ['ch2'])
          .purchase('p4', 'cust_bob', ['ch4']),
      ),
    );
    expect(r7(report)).toEqual(['R7.PURCHASE_BY_REVOKED_CUSTOMER']);
    const detail = report.violations.find((v) => v.code === 'R7.PURCHASE_BY_REVOKED_CUSTOMER')?.detail;
    expect(detail).toContain('p2');
    expect(detail).toContain('cust_ann2');
  });

  it('R7.CUSTOMER_REVOCATION_UNSIGNED: a revocation not signed by the broker, naming another customer, or a lift that is not one', async () => {
    const rogue = createSigner(generateSigningKey('broker_k1', fixedBytes('rogue')));
    const forged = await audit(
      revocationHistory((h) => h.purchase('p2', 'cust_ann', ['ch2']), {
        notice: (n) => signRevocationNotice({ ...n, brokerKeyId: rogue.keyId }, rogue),
      }),
    );
    // Not applied: the purchase while "revoked" is not named.
    expect(r7(forged)).toEqual(['R7.CUSTOMER_REVOCATION_UNSIGNED']);
    const other = await audit(revocationHistory(undefined, { notice: (n) => ({ ...n, id: 'cust_bob' }) }));
    expect(r7(other)).toEqual(['R7.CUSTOMER_REVOCATION_UNSIGNED']);
    const notLifted = await audit(
      revocationHistory(undefined, {
        lift: ({ lifted: _l, ...n }) => signRevocationNotice(n, new History().broker),
      }),
    );
    // Not applied: Ann stays revoked, so her purchase after it is named too.
    expect(r7(notLifted)).toEqual(['R7.CUSTOMER_REVOCATION_UNSIGNED', 'R7.PURCHASE_BY_REVOKED_CUSTOMER']);
  });
});
