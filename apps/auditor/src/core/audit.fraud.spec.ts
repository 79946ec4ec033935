import { describe, expect, it } from '@jest/globals';
import { type FraudEvidence, type RedemptionItemRejected, signRecord, verdictSigningBytes } from '#events';
import {
  createSigner,
  generateSigningKey,
  signRevocationNotice,
  type SignedRevocationNotice,
} from '#protocol';
import { auditHistory } from '../../test/audit-history.js';
import { fixedBytes, History } from '../../test/history.js';
import type { AuditReport } from './report.js';

const FRAUD_STREAM = 'redemption-vx_20261120';

function r7(report: AuditReport): string[] {
  return report.violations.filter((v) => v.code.startsWith('R7.')).map((v) => v.code);
}

/**
 * vx is refused two items as fraud (seed 004's fraud shape: positions it was not paid), the
 * broker records two strikes and suspends it; `after` runs while it is suspended, then the
 * operator lifts the suspension and vx is handed the chain.
 */
function fraudHistory(
  after: (h: History) => void = () => undefined,
  tamper: {
    notice?: (n: SignedRevocationNotice) => SignedRevocationNotice;
    evidence?: (e: FraudEvidence[]) => FraudEvidence[];
    lift?: (n: SignedRevocationNotice) => SignedRevocationNotice;
  } = {},
): History {
  const h = new History()
    .registerVendor('va')
    .registerVendor('vx')
    .registerCustomer('cust_ann', 'Ann Lee')
    .purchase('p1', 'cust_ann', ['ch1'])
    .spend('ch1', 'va', 2);
  const items = [1, 2].map((i) => ({
    chainId: 'ch1',
    fromIndex: i,
    toIndex: i,
    proofPayword: h.chain('ch1').payword(i),
  }));
  h.add(
    FRAUD_STREAM,
    {
      type: 'RedemptionBatchSealed',
      version: 1,
      data: {
        batchId: 'claim_vx',
        vendorId: 'vx',
        businessDay: '2026-11-20',
        items,
        source: 'vendor',
        at: h.at(),
      },
    },
    'vendor:vx',
  );
  const evidence: FraudEvidence[] = items.map((item, i) => {
    const data: RedemptionItemRejected['data'] = {
      batchId: 'claim_vx',
      item: i,
      chainId: item.chainId,
      fromIndex: item.fromIndex,
      toIndex: item.toIndex,
      reason: 'REDEMPTION.NOT_SPENT_BY_VENDOR',
      detail: 'spent at va',
      at: h.at(),
    };
    const signature = signRecord(
      h.worker,
      verdictSigningBytes(FRAUD_STREAM, { type: 'RedemptionItemRejected', data }),
    );
    const verdict = { ...data, signature };
    h.add(FRAUD_STREAM, { type: 'RedemptionItemRejected', version: 1, data: verdict }, 'redemption');
    return { stream: FRAUD_STREAM, verdict };
  });
  for (const e of evidence)
    h.add('vendor-vx', {
      type: 'VendorFraudRecorded',
      version: 1,
      data: { vendorId: 'vx', evidence: e, at: h.at() },
    });
  const at = h.at();
  const reason = 'FRAUD.REPEATED_CLAIMS: 2 items refused as fraud';
  const notice = (tamper.notice ?? ((n) => n))(
    signRevocationNotice({ kind: 'vendor', id: 'vx', reason, at, brokerKeyId: h.broker.keyId }, h.broker),
  );
  h.add('vendor-vx', {
    type: 'VendorSuspended',
    version: 1,
    data: { vendorId: 'vx', reason, evidence: (tamper.evidence ?? ((e) => e))(evidence), notice, at },
  });
  after(h);
  const liftAt = h.at();
  const lift = (tamper.lift ?? ((n) => n))(
    signRevocationNotice(
      {
        kind: 'vendor',
        id: 'vx',
        reason: 'OPERATOR.REINSTATED',
        at: liftAt,
        brokerKeyId: h.broker.keyId,
        lifted: true,
      },
      h.broker,
    ),
  );
  h.add(
    'vendor-vx',
    {
      type: 'VendorReinstated',
      version: 1,
      data: { vendorId: 'vx', note: 'OPERATOR.REINSTATED', notice: lift, at: liftAt },
    },
    'operator',
  );
  return h.handOff('ch1', 'va', 'vx').spend('ch1', 'vx', 1);
}

const audit = (h: History) =>
  auditHistory(h.appends, { brokerKeys: h.brokerKeys, redemptionKeys: h.redemptionKeys });

describe('Audit of the fraud response (R7)', () => {
  it('an honest suspension and lift: no R7 finding; a hand-off after the lift is fine', async () => {
    expect(r7(await audit(fraudHistory()))).toEqual([]);
  });

  it('R7.HANDOFF_TO_SUSPENDED and R7.CLAIM_BY_SUSPENDED: the chain moved to vx while suspended', async () => {
    const handed = await audit(fraudHistory((h) => h.handOff('ch1', 'va', 'vx')));
    expect(r7(handed)).toEqual(['R7.HANDOFF_TO_SUSPENDED']);
    const claimed = await audit(fraudHistory((h) => h.claim('ch1', 'va', 'vx')));
    expect(r7(claimed)).toEqual(['R7.CLAIM_BY_SUSPENDED']);
  });

  it('R7.SUSPENDED_VENDOR_PAID: a payout to vx while suspended (not to va)', async () => {
    const vxPaid = await audit(fraudHistory((h) => h.redeem('b_vx', 'vx', [['ch1', 1, 1]])));
    expect(r7(vxPaid)).toEqual(['R7.SUSPENDED_VENDOR_PAID']);
    const vaPaid = await audit(fraudHistory((h) => h.redeem('b_va', 'va', [['ch1', 1, 2]])));
    expect(r7(vaPaid)).toEqual([]);
  });

  it('R7.SUSPENSION_UNSIGNED: a suspension or lift whose notice the broker did not sign, or that names another vendor', async () => {
    const rogue = createSigner(generateSigningKey('broker_k1', fixedBytes('rogue')));
    const forged = await audit(
      fraudHistory(undefined, {
        notice: (n) => signRevocationNotice({ ...n, brokerKeyId: rogue.keyId }, rogue),
      }),
    );
    expect(r7(forged)).toContain('R7.SUSPENSION_UNSIGNED');
    const other = await audit(fraudHistory(undefined, { notice: (n) => ({ ...n, id: 'va' }) }));
    // Not applied: the (genuine) lift that follows finds nothing to lift, and reports nothing.
    expect(r7(other)).toEqual(['R7.SUSPENSION_UNSIGNED']);
    // A suspension passed off as a lift.
    const notLifted = await audit(
      fraudHistory(undefined, { lift: ({ lifted: _l, ...n }) => signRevocationNotice(n, fixedBroker()) }),
    );
    // Not applied: vx stays suspended, so the hand-off after it is named too.
    expect(r7(notLifted)).toEqual(['R7.SUSPENSION_UNSIGNED', 'R7.HANDOFF_TO_SUSPENDED']);
  });

  it('R7.SUSPENSION_WITHOUT_EVIDENCE: no evidence, evidence the log does not hold, or not fraud', async () => {
    expect(r7(await audit(fraudHistory(undefined, { evidence: () => [] })))).toEqual([
      'R7.SUSPENSION_WITHOUT_EVIDENCE',
    ]);
    const invented = await audit(
      fraudHistory(undefined, {
        evidence: (e) => e.map((x) => ({ ...x, verdict: { ...x.verdict, batchId: 'never_sealed' } })),
      }),
    );
    expect(r7(invented)).toEqual(['R7.SUSPENSION_WITHOUT_EVIDENCE', 'R7.SUSPENSION_WITHOUT_EVIDENCE']);
    const notFraud = await audit(
      fraudHistory(undefined, {
        evidence: (e) => [{ ...e[0]!, verdict: { ...e[0]!.verdict, reason: 'REDEMPTION.OVERLAP' } }],
      }),
    );
    expect(r7(notFraud)).toEqual(['R7.SUSPENSION_WITHOUT_EVIDENCE']);
  });
});

function fixedBroker() {
  return new History().broker;
}
