import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { streams, type RedemptionItem } from '#events';
import { NetPayError } from '#platform';
import { createSigner, signingKeyFromPrivate, signRevocationNotice } from '#protocol';
import { nightFixture, type NightFixture } from '../../test/night-fixture.js';
import { honestDay } from '../../test/scenarios.js';
import { signVendorClaim } from '../domain/vendor-claim.js';
import { REDEMPTION } from '../domain/reasons.js';

const DAY = '2026-03-10';

describe('a night with dishonest vendor claims', () => {
  let f: NightFixture;

  beforeEach(async () => {
    f = await nightFixture();
    await f.vendors('va', 'vb', 'vc');
  });
  afterEach(() => f.dispose());

  const item = (
    chainId: string,
    fromIndex: number,
    toIndex: number,
    proofPayword?: string,
  ): RedemptionItem => ({
    chainId,
    fromIndex,
    toIndex,
    proofPayword: proofPayword ?? f.world.chain(chainId).payword(toIndex),
  });

  const claim = (vendorId: string, claimId: string, items: RedemptionItem[], day = DAY) =>
    f.worker.claims.submit(
      signVendorClaim(
        { vendorId, businessDay: day, claimId, items, vendorKeyId: f.world.vendorSigner(vendorId).keyId },
        f.world.vendorSigner(vendorId),
      ),
    );

  const rejections = (reason: string): number =>
    f.metrics.counter('netpay_redemption_items_rejected_total', '', ['reason']).get({ reason });

  const verdictsOf = async (vendorId: string, batchId: string): Promise<string[]> =>
    (await f.store.readStream(streams.redemption(vendorId, DAY)))
      .filter((e) => (e.data as { batchId: string }).batchId === batchId)
      .flatMap((e) =>
        e.type === 'RedemptionItemAccepted'
          ? ['ok']
          : e.type === 'RedemptionItemRejected'
            ? [(e.data as { reason: string }).reason]
            : [],
      );

  it("catches seed 004's fraud item by item, flags it, and still pays the honest coins", async () => {
    // The customer pays W[1] to va, W[2] to vb, W[3] to va; va derives W[2] from W[3] and claims it.
    await f.world.issue('s4');
    await f.world.spend('s4', 'va', 1);
    await f.world.handOff('s4', 'va', 'vb');
    await f.world.spend('s4', 'vb', 1);
    await f.world.handOff('s4', 'vb', 'va');
    await f.world.spend('s4', 'va', 1);
    const derived = f.world.chain('s4').payword(2);
    const fraud = await claim('va', 'greedy', [
      item('s4', 1, 1),
      item('s4', 2, 2, derived),
      item('s4', 3, 3),
    ]);
    expect(fraud.created).toBe(true);

    const report = await f.worker.night.run(DAY);
    expect(report.failures).toEqual([]);
    expect(await verdictsOf('va', fraud.batchId)).toEqual(['ok', REDEMPTION.NOT_SPENT_BY_VENDOR, 'ok']);
    expect(rejections(REDEMPTION.NOT_SPENT_BY_VENDOR)).toBe(1);
    expect(
      f.logLines.some(
        (l) => l.includes('FLAGGED REDEMPTION.NOT_SPENT_BY_VENDOR') && l.includes('"level":"warn"'),
      ),
    ).toBe(true);
    // va's own coins are paid once (its claim came first; the broker's batch finds them redeemed); vb is paid for W[2].
    expect([await f.balance('va'), await f.balance('vb')]).toEqual([10, 5]);
    expect(rejections(REDEMPTION.ALREADY_REDEEMED)).toBe(2);
  });

  it('rejects ranges never spent, beyond what was spent, and a bad proof, and pays the rest of the claim', async () => {
    await honestDay(f.world);
    const c1 = f.world.chain('c1');
    const submitted = await claim('va', 'mixed', [
      item('c1', 1, 5),
      item('c1', 50, 52),
      item('c1', 10, 12),
      item('c1', 10, 10, c1.payword(9)),
    ]);
    await f.worker.night.run(DAY);
    expect(await verdictsOf('va', submitted.batchId)).toEqual([
      'ok',
      REDEMPTION.NOT_SPENT,
      REDEMPTION.NOT_SPENT,
      REDEMPTION.BAD_PROOF,
    ]);
    // 1..5 from the claim, 10..10 from the broker's batch (its 1..5 was already redeemed).
    expect(await f.balance('va')).toBe(30);
  });

  it('rejects the same range claimed in two batches, and again on a later night', async () => {
    await honestDay(f.world);
    const one = await claim('vb', 'first', [item('c1', 6, 9)]);
    const two = await claim('vb', 'second', [item('c1', 6, 9), item('c1', 7, 8)]);
    await f.worker.night.run(DAY);
    expect(await verdictsOf('vb', one.batchId)).toEqual(['ok']);
    expect(await verdictsOf('vb', two.batchId)).toEqual([
      REDEMPTION.ALREADY_REDEEMED,
      REDEMPTION.ALREADY_REDEEMED,
    ]);
    expect(await f.balance('vb')).toBe(30);

    f.clock.advance(24 * 3600_000);
    const late = await claim('vb', 'again', [item('c2', 1, 2), item('c1', 6, 7)]);
    await f.worker.night.run();
    expect(await verdictsOf('vb', late.batchId)).toEqual([
      REDEMPTION.ALREADY_REDEEMED,
      REDEMPTION.ALREADY_REDEEMED,
    ]);
    expect(await f.balance('vb')).toBe(30);
  });

  it('refuses claims not signed by the vendor, and treats a repeated claim id as the same claim', async () => {
    await honestDay(f.world);
    const rogue = createSigner(signingKeyFromPrivate('va_k1', '77'.repeat(32)));
    const forged = signVendorClaim(
      { vendorId: 'va', businessDay: DAY, claimId: 'x1', items: [item('c1', 1, 5)], vendorKeyId: 'va_k1' },
      rogue,
    );
    await expect(f.worker.claims.submit(forged)).rejects.toMatchObject({
      code: 'REDEMPTION.CLAIM_SIGNATURE_INVALID',
    });
    const byVc = signVendorClaim(
      {
        vendorId: 'va',
        businessDay: DAY,
        claimId: 'x2',
        items: [item('c1', 1, 5)],
        vendorKeyId: f.world.vendorSigner('vc').keyId,
      },
      f.world.vendorSigner('vc'),
    );
    await expect(f.worker.claims.submit(byVc)).rejects.toBeInstanceOf(NetPayError);
    const first = await claim('va', 'same', [item('c1', 1, 5)]);
    const retry = await claim('va', 'same', [item('c1', 1, 5)]);
    expect(retry).toEqual({ ...first, created: false });
    await expect(claim('va', 'same', [item('c1', 1, 3)])).rejects.toMatchObject({
      code: 'REDEMPTION.CLAIM_ID_REUSED',
    });
    await expect(claim('nobody', 'n1', [item('c1', 1, 5)])).rejects.toMatchObject({
      code: 'REDEMPTION.VENDOR_NOT_FOUND',
    });
  });

  /** The broker's suspension (or lift) of `vendorId`, as the broker writes it in `vendor-<id>`. */
  const standing = async (
    vendorId: string,
    type: 'VendorSuspended' | 'VendorReinstated',
    signer = f.world.broker,
  ) => {
    const at = new Date().toISOString();
    const lifted = type === 'VendorReinstated';
    const notice = signRevocationNotice(
      {
        kind: 'vendor',
        id: vendorId,
        reason: 'FRAUD',
        at,
        brokerKeyId: signer.keyId,
        ...(lifted ? { lifted } : {}),
      },
      signer,
    );
    const data = lifted
      ? { vendorId, note: 'OPERATOR.REINSTATED', notice, at }
      : { vendorId, reason: 'FRAUD', evidence: [], notice, at };
    await f.store.appendToStream(streams.vendor(vendorId), [
      {
        id: randomUUID(),
        type,
        version: 1,
        data,
        metadata: { correlationId: 'c', causationId: 'c', actor: 'broker' },
      },
    ]);
  };

  it('holds every payout of a suspended vendor (its honest coins too) and pays them after the lift', async () => {
    await honestDay(f.world);
    await standing('va', 'VendorSuspended');
    const held = await f.worker.night.run(DAY);
    expect(held.failures).toEqual([]);
    expect(await f.balance('va')).toBe(0);
    expect(await f.balance('vb')).toBeGreaterThan(0);
    expect(f.logLines.some((l) => l.includes('held: the vendor is suspended for fraud'))).toBe(true);
    await standing('va', 'VendorReinstated');
    await f.worker.night.run(DAY);
    expect(await f.balance('va')).toBeGreaterThan(0);
  });

  it('a suspension the broker did not sign holds nothing', async () => {
    await honestDay(f.world);
    await standing('va', 'VendorSuspended', createSigner(signingKeyFromPrivate('broker_1', '22'.repeat(32))));
    await f.worker.night.run(DAY);
    expect(await f.balance('va')).toBeGreaterThan(0);
  });
});
