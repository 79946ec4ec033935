import { describe, expect, it } from '@jest/globals';
import {
  type FraudEvidence,
  type RedemptionItemRejected,
  signRecord,
  type StoredEvent,
  verdictSigningBytes,
} from '#events';
import {
  createSigner,
  generateSigningKey,
  publicKeyRecord,
  signRevocationNotice,
  verifyRevocationNotice,
} from '#protocol';
import {
  cleanStanding,
  decideFraud,
  decideReinstate,
  evolveStanding,
  type FraudPolicy,
  isFraudEvidence,
  type VendorStanding,
} from './vendor-standing.js';

const worker = createSigner(generateSigningKey('worker-1'));
const workerKeys = [publicKeyRecord(worker, 'redemption')];
const broker = createSigner(generateSigningKey('broker-1'));
const AT = '2026-11-20T02:00:00.000Z';
const STREAM = 'redemption-vx_20261119';

function refusal(
  item: number,
  reason = 'REDEMPTION.NOT_SPENT_BY_VENDOR',
  stream = STREAM,
  by = worker,
): FraudEvidence {
  const unsigned: RedemptionItemRejected['data'] = {
    batchId: 'b1',
    item,
    chainId: 'c1',
    fromIndex: item + 1,
    toIndex: item + 1,
    reason,
    detail: 'spent at another vendor',
    at: AT,
  };
  const signature = signRecord(
    by,
    verdictSigningBytes(stream, { type: 'RedemptionItemRejected', data: unsigned }),
  );
  return { stream, verdict: { ...unsigned, signature } };
}

const sign: FraudPolicy['sign'] = (body) =>
  signRevocationNotice({ ...body, brokerKeyId: broker.keyId }, broker);
const policy = (suspendAfter = 3): FraudPolicy => ({ suspendAfter, at: AT, sign });

/** Applies decided events as the store would give them back. */
function apply(state: VendorStanding, events: readonly { type: string; data: unknown }[]): VendorStanding {
  return events.reduce((s, e) => evolveStanding(s, e as StoredEvent), state);
}

describe('fraud policy: strikes, suspension, lift', () => {
  it('suspends at the third signed fraud refusal, with a broker-signed notice citing all three', () => {
    let state = cleanStanding;
    for (const item of [0, 1]) {
      const events = decideFraud(state, 'vx', refusal(item), policy());
      expect(events.map((e) => e.type)).toEqual(['VendorFraudRecorded']);
      state = apply(state, events);
    }
    const third = decideFraud(state, 'vx', refusal(2), policy());
    expect(third.map((e) => e.type)).toEqual(['VendorFraudRecorded', 'VendorSuspended']);
    const suspended = third[1]!;
    if (suspended.type !== 'VendorSuspended') throw new Error('expected a suspension');
    expect(suspended.data.evidence.map((e) => e.verdict.item)).toEqual([0, 1, 2]);
    expect(suspended.data.notice).toMatchObject({ kind: 'vendor', id: 'vx', at: AT });
    expect(verifyRevocationNotice(suspended.data.notice, [publicKeyRecord(broker, 'broker')]).ok).toBe(true);
    state = apply(state, third);
    expect(state.suspended?.at).toBe(AT);
    // A fourth strike while suspended suspends nothing again.
    expect(decideFraud(state, 'vx', refusal(3), policy()).map((e) => e.type)).toEqual([
      'VendorFraudRecorded',
    ]);
  });

  it('counts a verdict once, however often it is read (a replayed subscription)', () => {
    let state = cleanStanding;
    for (let i = 0; i < 5; i++) state = apply(state, decideFraud(state, 'vx', refusal(0), policy()));
    expect(state.strikes).toHaveLength(1);
    expect(decideFraud(state, 'vx', refusal(0), policy())).toEqual([]);
  });

  it('never suspends with FRAUD_SUSPEND_AFTER=0', () => {
    let state = cleanStanding;
    for (const item of [0, 1, 2, 3]) state = apply(state, decideFraud(state, 'vx', refusal(item), policy(0)));
    expect(state.suspended).toBeUndefined();
    expect(state.strikes).toHaveLength(4);
  });

  it('a lift is signed, clears the strikes, and a retried lift appends nothing', () => {
    let state = cleanStanding;
    for (const item of [0, 1, 2]) state = apply(state, decideFraud(state, 'vx', refusal(item), policy()));
    expect(state.suspended).toBeDefined();
    const lift = decideReinstate(state, 'vx', 'OPERATOR.REINSTATED', policy());
    expect(lift).toHaveLength(1);
    expect(lift[0]!.data.notice).toMatchObject({ kind: 'vendor', id: 'vx', lifted: true });
    state = apply(state, lift);
    expect(state.suspended).toBeUndefined();
    expect(state.strikes).toEqual([]);
    expect(decideReinstate(state, 'vx', 'OPERATOR.REINSTATED', policy())).toEqual([]);
    // Strikes count again from zero: two more do not suspend.
    for (const item of [3, 4]) state = apply(state, decideFraud(state, 'vx', refusal(item), policy()));
    expect(state.suspended).toBeUndefined();
  });

  it('takes as evidence only a refusal the worker signed, for fraud, in the vendor’s own stream', () => {
    expect(isFraudEvidence(refusal(0), 'vx', workerKeys)).toBe(true);
    const rogue = createSigner(generateSigningKey('worker-1'));
    expect(isFraudEvidence(refusal(0, undefined, STREAM, rogue), 'vx', workerKeys)).toBe(false);
    const { signature: _s, ...unsigned } = refusal(0).verdict;
    expect(isFraudEvidence({ stream: STREAM, verdict: unsigned }, 'vx', workerKeys)).toBe(false);
    expect(isFraudEvidence(refusal(0, 'REDEMPTION.OVERLAP'), 'vx', workerKeys)).toBe(false);
    expect(isFraudEvidence(refusal(0), 'vy', workerKeys)).toBe(false);
    // A verdict copied into another vendor's stream name does not verify there.
    const copied = { ...refusal(0), stream: 'redemption-vy_20261119' };
    expect(isFraudEvidence(copied, 'vy', workerKeys)).toBe(false);
  });
});
