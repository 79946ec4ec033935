import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  deterministicEventId,
  redemptionLedgerStream,
  reservationSigningBytes,
  signRecord,
  streams,
  verdictSigningBytes,
  type RangeRedeemed,
  type RedemptionItemAccepted,
} from '#events';
import { createSigner, signingKeyFromPrivate, type Signer } from '#protocol';
import { nightFixture, WORKER_SIGNER, type NightFixture } from '../../test/night-fixture.js';
import { honestDay } from '../../test/scenarios.js';
import { FORGERY, REDEMPTION } from '../domain/reasons.js';

const DAY = '2026-03-10';
const STREAM = streams.redemption('va', DAY);

/**
 * Someone with write access to the store beyond `chain-*` (a leaked credential, a compromised
 * process) writes the redemption worker's bookkeeping itself: a batch, a reservation of its item
 * and an accepted verdict for coins nobody spent. The night must not pay on any of it.
 */
describe('a night over forged redemption records', () => {
  let f: NightFixture;
  let n = 0;

  beforeEach(async () => {
    f = await nightFixture();
    await f.vendors('va', 'vb', 'vc');
  });
  afterEach(() => f.dispose());

  const write = async (stream: string, type: string, data: object): Promise<void> => {
    n += 1;
    const metadata = { correlationId: `forge${n}`, causationId: `forge${n}`, actor: 'redemption' };
    await f.store.appendToStream(stream, [
      { id: deterministicEventId('forger', n), type, version: 1, data, metadata },
    ]);
  };

  /** A vendor batch for c1 1..20 (the chain shows 1..10 spent, not all by va), reserved and accepted. */
  const forgeBatch = async (
    signer?: Signer,
    range: { fromIndex: number; toIndex: number } = { fromIndex: 1, toIndex: 20 },
    amount = 100_000,
  ): Promise<string> => {
    const batchId = 'forged_batch';
    const at = f.clock.now().toISOString();
    const proofPayword = f.world.chain('c1').payword(range.toIndex);
    await write(STREAM, 'RedemptionBatchSealed', {
      batchId,
      vendorId: 'va',
      businessDay: DAY,
      items: [{ chainId: 'c1', ...range, proofPayword }],
      source: 'vendor',
      at,
    });
    const reservation: RangeRedeemed['data'] = {
      chainId: 'c1',
      vendorId: 'va',
      batchId,
      item: 0,
      ...range,
      at,
    };
    await write(redemptionLedgerStream('c1'), 'RangeRedeemed', {
      ...reservation,
      ...(signer ? { signature: signRecord(signer, reservationSigningBytes(reservation)) } : {}),
    });
    const verdict: RedemptionItemAccepted['data'] = {
      batchId,
      item: 0,
      chainId: 'c1',
      ...range,
      amount,
      currency: 'NZD',
      at,
    };
    const signature = signer
      ? signRecord(signer, verdictSigningBytes(STREAM, { type: 'RedemptionItemAccepted', data: verdict }))
      : undefined;
    await write(STREAM, 'RedemptionItemAccepted', { ...verdict, ...(signature ? { signature } : {}) });
    return batchId;
  };

  const forgeries = async (): Promise<{ reason: string; eventType: string }[]> =>
    (await f.store.readStream(STREAM))
      .filter((e) => e.type === 'RedemptionForgeryDetected')
      .map((e) => {
        const d = e.data as { reason: string; eventType: string };
        return { reason: d.reason, eventType: d.eventType };
      });

  const counted = (reason: string): number =>
    f.metrics.counter('netpay_redemption_forgeries_total', '', ['reason']).get({ reason });

  it('pays nothing on an unsigned reservation and verdict for coins never spent, and reports both', async () => {
    await honestDay(f.world);
    const batchId = await forgeBatch();

    const report = await f.worker.night.run(DAY);

    expect(report.failures).toEqual([]);
    // va earned 30 honestly; the forged 100,000 is not paid.
    expect(await f.balance('va')).toBe(30);
    const forged = report.outcomes.find((o) => o.batchId === batchId);
    expect(forged).toMatchObject({ status: 'nothing-to-pay', amount: 0 });
    expect(await forgeries()).toEqual(
      expect.arrayContaining([
        { reason: FORGERY.FORGED_VERDICT, eventType: 'RedemptionItemAccepted' },
        { reason: FORGERY.FORGED_RESERVATION, eventType: 'RangeRedeemed' },
      ]),
    );
    expect(counted(FORGERY.FORGED_VERDICT)).toBe(1);
    expect(counted(FORGERY.FORGED_RESERVATION)).toBeGreaterThanOrEqual(1);
    expect(
      f.logLines.some((l) => l.includes('FORGERY REDEMPTION.FORGED_VERDICT') && l.includes('"level":"warn"')),
    ).toBe(true);
    // The worker decided the item itself, from the chain: not spent.
    const own = (await f.store.readStream(STREAM)).filter(
      (e) =>
        e.type === 'RedemptionItemRejected' &&
        (e.data as { batchId: string; signature?: unknown }).batchId === batchId &&
        (e.data as { signature?: unknown }).signature !== undefined,
    );
    expect(own.map((e) => (e.data as { reason: string }).reason)).toEqual([REDEMPTION.NOT_SPENT]);
  });

  it('refuses records signed with a key that is not the worker’s', async () => {
    await honestDay(f.world);
    const rogue = createSigner(signingKeyFromPrivate(WORKER_SIGNER.keyId, '5c'.repeat(32)));
    await forgeBatch(rogue);
    await f.worker.night.run(DAY);
    expect(await f.balance('va')).toBe(30);
    expect((await forgeries()).map((x) => x.reason)).toEqual(
      expect.arrayContaining([FORGERY.FORGED_VERDICT, FORGERY.FORGED_RESERVATION]),
    );
  });

  it('does not let a forged reservation take an honest vendor’s range, and stays idempotent on a rerun', async () => {
    await honestDay(f.world);
    // Someone reserves va's 1..5 on c1 for a batch of vc, hoping the honest item is refused.
    await write(redemptionLedgerStream('c1'), 'RangeRedeemed', {
      chainId: 'c1',
      vendorId: 'vc',
      batchId: 'ghost',
      item: 0,
      fromIndex: 1,
      toIndex: 5,
      at: f.clock.now().toISOString(),
    });
    await f.worker.night.run(DAY);
    expect([await f.balance('va'), await f.balance('vb'), await f.balance('vc')]).toEqual([30, 30, 15]);
    expect((await forgeries()).map((x) => x.reason)).toEqual([FORGERY.FORGED_RESERVATION]);

    const before = await f.store.readAll();
    await f.worker.night.run(DAY);
    expect(await f.store.readAll()).toHaveLength(before.length);
    expect([await f.balance('va'), await f.balance('vb'), await f.balance('vc')]).toEqual([30, 30, 15]);
  });

  it('re-verifies signed records against the chain before paying (a stolen worker key pays nothing unspent)', async () => {
    await honestDay(f.world);
    // Records that verify with the worker's key, on a range the chain does not show spent by va.
    const batchId = await forgeBatch(WORKER_SIGNER);
    const report = await f.worker.night.run(DAY);
    expect(report.outcomes.find((o) => o.batchId === batchId)).toMatchObject({ status: 'refused' });
    // A stolen key can block (its signed reservation covers va's honest 1..5 and 10..10), never pay.
    expect(await f.balance('va')).toBe(0);
    expect((await forgeries()).map((x) => x.reason)).toContain(FORGERY.UNVERIFIED_PAYMENT);
    expect(counted(FORGERY.UNVERIFIED_PAYMENT)).toBe(1);
  });

  it('refuses a signed verdict whose amount the chain does not give', async () => {
    await honestDay(f.world);
    // va really spent 1..5 on c1 (5 coins × 5): a verdict signed for 100,000 is not paid.
    const batchId = await forgeBatch(WORKER_SIGNER, { fromIndex: 1, toIndex: 5 });
    const report = await f.worker.night.run(DAY);
    expect(report.outcomes.find((o) => o.batchId === batchId)).toMatchObject({ status: 'refused' });
    expect(await f.balance('va')).toBeLessThanOrEqual(30);
  });

  it('does not let a forged verdict settle a batch that was never verified', async () => {
    await honestDay(f.world);
    await write(STREAM, 'RedemptionBatchSealed', {
      batchId: 'va_claim',
      vendorId: 'va',
      businessDay: DAY,
      items: [{ chainId: 'c1', fromIndex: 10, toIndex: 10, proofPayword: f.world.chain('c1').payword(10) }],
      source: 'vendor',
      at: f.clock.now().toISOString(),
    });
    await write(STREAM, 'RedemptionItemRejected', {
      batchId: 'va_claim',
      item: 0,
      chainId: 'c1',
      fromIndex: 10,
      toIndex: 10,
      reason: REDEMPTION.NOT_SPENT,
      detail: 'forged',
      at: f.clock.now().toISOString(),
    });
    await f.worker.projection.waitUntilCaughtUp();
    expect((await f.worker.projection.view.openBatches()).map((b) => b.batchId)).toContain('va_claim');
    const report = await f.worker.night.run(DAY);
    expect(report.outcomes.find((o) => o.batchId === 'va_claim')).toMatchObject({
      status: 'paid',
      amount: 5,
    });
    expect(await f.balance('va')).toBe(30);
  });

  it('does not take a batch as paid on a payout record it did not sign', async () => {
    await honestDay(f.world);
    await write(STREAM, 'RedemptionBatchSealed', {
      batchId: 'va_claim',
      vendorId: 'va',
      businessDay: DAY,
      items: [{ chainId: 'c1', fromIndex: 10, toIndex: 10, proofPayword: f.world.chain('c1').payword(10) }],
      source: 'vendor',
      at: f.clock.now().toISOString(),
    });
    await write(STREAM, 'VendorPaid', {
      batchId: 'va_claim',
      vendorId: 'va',
      amount: 5,
      currency: 'NZD',
      paymentRef: 'nothing_moved',
      at: f.clock.now().toISOString(),
    });
    const report = await f.worker.night.run(DAY);
    expect(report.outcomes.find((o) => o.batchId === 'va_claim')).toMatchObject({
      status: 'paid',
      amount: 5,
    });
    expect(await f.balance('va')).toBe(30);
    expect((await forgeries()).map((x) => x.reason)).toContain(FORGERY.FORGED_PAYOUT);
  });
});
