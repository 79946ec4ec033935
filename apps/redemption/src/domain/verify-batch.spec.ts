import { beforeEach, describe, expect, it } from '@jest/globals';
import { InMemoryEventStore } from '#event-store';
import type { RedemptionItem } from '#events';
import { createSigner, signHandOffCertificate, signingKeyFromPrivate } from '#protocol';
import { ChainWorld } from '../../test/chain-world.js';
import { RedemptionReads } from '../night/store-reads.js';
import { replayChain, type ChainLedger } from './chain-ledger.js';
import { REDEMPTION } from './reasons.js';
import { verifyBatch, type RedeemedRange } from './verify-batch.js';

/**
 * c1 (5 NZD cents a coin): va 1..3, va 4..5, hand-off va→vb, vb 6..9, hand-off vb→va, va 10..10.
 * s4 (seed 004's case): va 1..1, va→vb, vb 2..2, vb→va, va 3..3.
 */
describe('verifyBatch', () => {
  let world: ChainWorld;
  let reads: RedemptionReads;
  let chains: Map<string, ChainLedger>;

  const item = (chainId: string, fromIndex: number, toIndex: number, proof?: string): RedemptionItem => ({
    chainId,
    fromIndex,
    toIndex,
    proofPayword: proof ?? world.chain(chainId).payword(toIndex),
  });

  const verify = (vendorId: string, items: RedemptionItem[], redeemed: [string, RedeemedRange[]][] = []) =>
    verifyBatch({ batch: { batchId: 'b1', vendorId, items }, chains, redeemed: new Map(redeemed) });

  const replayAll = async (...chainIds: string[]): Promise<void> => {
    chains = new Map();
    for (const id of chainIds) {
      const history = await reads.chainHistory(id, world.brokerKeys);
      const keys = {
        broker: world.brokerKeys,
        vendorKeys: (v: string) => [
          { keyId: world.vendorSigner(v).keyId, publicKey: world.vendorSigner(v).publicKey, ownerId: v },
        ],
      };
      chains.set(id, replayChain(id, history, keys));
    }
  };

  beforeEach(async () => {
    const store = new InMemoryEventStore();
    world = new ChainWorld(store);
    reads = new RedemptionReads(store);
    await world.issue('c1');
    await world.spend('c1', 'va', 3);
    await world.spend('c1', 'va', 2);
    await world.handOff('c1', 'va', 'vb');
    await world.spend('c1', 'vb', 4);
    await world.handOff('c1', 'vb', 'va');
    await world.spend('c1', 'va', 1);
    await world.issue('s4');
    await world.spend('s4', 'va', 1);
    await world.handOff('s4', 'va', 'vb');
    await world.spend('s4', 'vb', 1);
    await world.handOff('s4', 'vb', 'va');
    await world.spend('s4', 'va', 1);
    await replayAll('c1', 's4');
  });

  it('replays valid spends that tile [1, I) and accepts what each vendor spent, valued by the touchstone', () => {
    const c1 = chains.get('c1')!;
    expect(c1.status === 'issued' && c1.segments.map((s) => [s.vendorId, s.fromIndex, s.toIndex])).toEqual([
      ['va', 1, 3],
      ['va', 4, 5],
      ['vb', 6, 9],
      ['va', 10, 10],
    ]);
    const a = verify('va', [item('c1', 1, 5), item('c1', 10, 10)]);
    expect(a.verdicts.map((v) => v.ok)).toEqual([true, true]);
    expect(a).toMatchObject({ currency: 'NZD', total: 30 });
    expect(verify('vb', [item('c1', 6, 9)])).toMatchObject({ total: 20 });
    // A sub-range of the vendor's own spends is redeemable too (the vendor can hash down to its end).
    expect(verify('va', [item('c1', 2, 4)]).verdicts[0]).toMatchObject({ ok: true, amount: 15 });
  });

  it("rejects seed 004's fraud: a vendor deriving a payword spent elsewhere by hashing a later one it saw", () => {
    // va saw W[3]; hashing it once gives W[2], which the customer paid to vb.
    const derived = world.chain('s4').payword(2);
    const v = verify('va', [item('s4', 1, 1), item('s4', 2, 2, derived), item('s4', 3, 3), item('s4', 1, 3)]);
    expect(v.verdicts.map((x) => (x.ok ? 'ok' : x.reason))).toEqual([
      'ok',
      REDEMPTION.NOT_SPENT_BY_VENDOR,
      'ok',
      REDEMPTION.NOT_SPENT_BY_VENDOR,
    ]);
    expect(v.total).toBe(10);
    expect(verify('vb', [item('s4', 2, 2)]).total).toBe(5);
  });

  it('rejects ranges not spent at all, or reaching beyond what was spent', () => {
    const v = verify('va', [item('c1', 50, 52), item('c1', 10, 12), item('c1', 1, 101, 'ab'.repeat(32))]);
    expect(v.verdicts.map((x) => !x.ok && x.reason)).toEqual([
      REDEMPTION.NOT_SPENT,
      REDEMPTION.NOT_SPENT,
      REDEMPTION.NOT_SPENT,
    ]);
  });

  it('rejects a proof that is not W[toIndex] of this chain', () => {
    const c1 = world.chain('c1');
    const v = verify('va', [
      item('c1', 1, 5, c1.payword(4)),
      item('c1', 1, 5, world.chain('s4').payword(5)),
      item('c1', 1, 5, 'zz'),
    ]);
    expect(v.verdicts.map((x) => !x.ok && x.reason)).toEqual([
      REDEMPTION.BAD_PROOF,
      REDEMPTION.BAD_PROOF,
      REDEMPTION.BAD_PROOF,
    ]);
  });

  it('rejects the same range twice in one batch, and ranges redeemed before (another batch, another night)', () => {
    const same = verify('va', [item('c1', 1, 5), item('c1', 1, 5), item('c1', 2, 3)]);
    expect(same.verdicts.map((x) => (x.ok ? 'ok' : x.reason))).toEqual([
      'ok',
      REDEMPTION.ALREADY_REDEEMED,
      REDEMPTION.ALREADY_REDEEMED,
    ]);
    const earlier: RedeemedRange = { fromIndex: 1, toIndex: 3, vendorId: 'va', batchId: 'b0', item: 0 };
    const v = verify('va', [item('c1', 1, 3), item('c1', 3, 5), item('c1', 4, 5)], [['c1', [earlier]]]);
    expect(v.verdicts.map((x) => (x.ok ? 'ok' : x.reason))).toEqual([
      REDEMPTION.ALREADY_REDEEMED,
      REDEMPTION.OVERLAP,
      'ok',
    ]);
  });

  it('accepts an item the ledger shows reserved by this very batch and item (a crashed run)', () => {
    const own: RedeemedRange = { fromIndex: 1, toIndex: 5, vendorId: 'va', batchId: 'b1', item: 0 };
    const v = verify('va', [item('c1', 1, 5), item('c1', 1, 5)], [['c1', [own]]]);
    expect(v.verdicts[0]).toMatchObject({ ok: true, reserved: true, amount: 25 });
    expect(v.verdicts[1]).toMatchObject({ ok: false, reason: REDEMPTION.ALREADY_REDEEMED });
  });

  it('rejects unknown chains, untrusted touchstones, malformed ranges and a second currency', async () => {
    const rogue = createSigner(signingKeyFromPrivate('broker_1', '99'.repeat(32)));
    await world.issue('forged', { signer: rogue });
    await world.spend('forged', 'va', 2);
    await world.issue('usd', { currency: 'USD' });
    await world.spend('usd', 'va', 2);
    await replayAll('c1', 'forged', 'usd');
    const v = verify('va', [
      item('c1', 1, 5),
      item('nochain', 1, 1, 'ab'.repeat(32)),
      item('forged', 1, 2),
      item('c1', 3, 2),
      item('usd', 1, 2),
    ]);
    expect(v.verdicts.map((x) => (x.ok ? 'ok' : x.reason))).toEqual([
      'ok',
      REDEMPTION.UNKNOWN_CHAIN,
      // The impostor signed the issue too: a ChainIssued the broker did not sign is no chain at all.
      REDEMPTION.UNKNOWN_CHAIN,
      REDEMPTION.MALFORMED_ITEM,
      REDEMPTION.CURRENCY_MISMATCH,
    ]);
  });

  it('pays nothing for spends the chain stream shows were not the holder’s, or came after a forged hand-off', async () => {
    await world.issue('c9');
    await world.spend('c9', 'va', 2);
    // A spend by vc while va holds the chain: never payable, whatever the store accepted.
    const c9 = world.chain('c9');
    await world.appendRaw('c9', {
      type: 'CoinsSpent',
      version: 1,
      data: {
        chainId: 'c9',
        vendorId: 'vc',
        fromIndex: 3,
        toIndex: 4,
        payword: c9.payword(4),
        receiptId: 'x',
        at: '2026-03-10T01:00:00.000Z',
      },
    });
    // A hand-off "from va" signed with vc's key, then vc spends.
    const vc = world.vendorSigner('vc');
    const forged = signHandOffCertificate(
      {
        chainId: 'c9',
        fromVendor: 'va',
        toVendor: 'vc',
        index: 5,
        lastPayword: c9.payword(4),
        at: '2026-03-10T01:00:00.000Z',
        vendorKeyId: vc.keyId,
      },
      vc,
    );
    await world.appendRaw('c9', {
      type: 'IndexHandedOff',
      version: 1,
      data: { certificate: forged, at: '2026-03-10T01:00:00.000Z' },
    });
    await world.spend('c9', 'vc', 2);
    await replayAll('c9');
    const ledger = chains.get('c9')!;
    // The forged hand-off carries no certificate of va's key: the chain read does not admit it
    // (as no fold does), so only vc's two spends are anomalies. Their words hash down, so the
    // replay (as every fold) takes the positions as spent, but by no holder: payable to no one.
    expect(ledger.status === 'issued' && ledger.anomalies).toHaveLength(2);
    const v = verify('vc', [item('c9', 3, 4), item('c9', 5, 6)]);
    expect(v.verdicts.map((x) => !x.ok && x.reason)).toEqual([
      REDEMPTION.NOT_SPENT_BY_VENDOR,
      REDEMPTION.NOT_SPENT_BY_VENDOR,
    ]);
    expect(v.total).toBe(0);
    expect(verify('va', [item('c9', 1, 2)]).total).toBe(10);
  });
});
