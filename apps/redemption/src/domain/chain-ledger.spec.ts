import { describe, expect, it } from '@jest/globals';
import { InMemoryEventStore } from '#event-store';
import type { ChainEvent } from '#events';
import { signHandOffCertificate } from '#protocol';
import { ChainWorld } from '../../test/chain-world.js';
import { RedemptionReads } from '../night/store-reads.js';
import { replayChain, segmentAt } from './chain-ledger.js';

describe('replayChain', () => {
  it('remembers only valid signatures: a tampered touchstone or certificate never rides on a cached check', async () => {
    const store = new InMemoryEventStore();
    const world = new ChainWorld(store);
    await world.issue('c1');
    await world.spend('c1', 'va', 2);
    await world.handOff('c1', 'va', 'vb');
    await world.spend('c1', 'vb', 3);
    const history = await new RedemptionReads(store).chainHistory('c1', world.brokerKeys);
    const verified = new Set<string>();
    const vendorKeys = (v: string) => [
      { keyId: world.vendorSigner(v).keyId, publicKey: world.vendorSigner(v).publicKey, ownerId: v },
    ];
    const keys = { broker: world.brokerKeys, vendorKeys, verified };
    const honest = replayChain('c1', history, keys);
    expect(honest.status === 'issued' && honest.segments.map((s) => s.vendorId)).toEqual(['va', 'vb']);
    expect(verified.size).toBe(2);

    const [issued, , handOff] = history as [
      Extract<ChainEvent, { type: 'ChainIssued' }>,
      ChainEvent,
      Extract<ChainEvent, { type: 'IndexHandedOff' }>,
    ];
    const dearer = {
      ...issued,
      data: { ...issued.data, touchstone: { ...issued.data.touchstone, coinValue: 500 } },
    };
    expect(replayChain('c1', [dearer, ...history.slice(1)], keys)).toMatchObject({
      status: 'bad-touchstone',
    });
    const redirected = {
      ...handOff,
      data: { ...handOff.data, certificate: { ...handOff.data.certificate, toVendor: 'vc' } },
    };
    const tampered = replayChain('c1', [...history.slice(0, 2), redirected, ...history.slice(3)], keys);
    // vb's spend after the tampered hand-off consumes its positions (its words hash down), unpaid.
    expect(
      tampered.status === 'issued' && tampered.segments.map((s) => [s.vendorId, s.unpaid !== undefined]),
    ).toEqual([
      ['va', false],
      ['vb', true],
    ]);
    expect(tampered.status === 'issued' && tampered.anomalies).toHaveLength(2);
    expect(honest.status === 'issued' && segmentAt(honest.segments, 4)?.vendorId).toBe('vb');
  });
});

describe('replayChain of a server-side wallet', () => {
  it('pays only what the holder spent within its checked-out slice, and no hand-off from nobody', async () => {
    const store = new InMemoryEventStore();
    const world = new ChainWorld(store);
    const chain = await world.issue('w1', { wallet: 'server' });
    const at = '2026-03-10T01:00:00.000Z';
    const spend = (vendorId: string, fromIndex: number, toIndex: number): ChainEvent => ({
      type: 'CoinsSpent',
      version: 1,
      data: {
        chainId: 'w1',
        vendorId,
        fromIndex,
        toIndex,
        payword: chain.payword(toIndex),
        receiptId: 'r',
        at,
      },
    });
    // Planted: a spend before any checkout (nobody may take a server-side wallet by spending).
    await world.appendRaw('w1', spend('vx', 1, 1));
    const vx = world.vendorSigner('vx');
    const fromNobody = signHandOffCertificate(
      {
        chainId: 'w1',
        fromVendor: 'vx',
        toVendor: 'vy',
        index: 1,
        lastPayword: chain.root,
        at,
        vendorKeyId: vx.keyId,
      },
      vx,
    );
    await world.appendRaw('w1', {
      type: 'IndexHandedOff',
      version: 1,
      data: { certificate: fromNobody, at },
    });
    const history = await new RedemptionReads(store).chainHistory('w1', world.brokerKeys);
    const vendorKeys = (v: string) => [
      { keyId: world.vendorSigner(v).keyId, publicKey: world.vendorSigner(v).publicKey, ownerId: v },
    ];
    const early = replayChain('w1', history, { broker: world.brokerKeys, vendorKeys });
    // The hand-off from nobody carries no key certificate: the chain read does not admit it (as no
    // fold does); the spend by a vendor that never checked the wallet out is the one anomaly, its
    // position consumed (every fold moves the index for a word that hashes down) but unpaid.
    expect(early.status === 'issued' && [early.index, early.anomalies.length]).toEqual([2, 1]);
    expect(early.status === 'issued' && early.segments.every((s) => s.unpaid !== undefined)).toBe(true);

    const fresh = new InMemoryEventStore();
    const honest = new ChainWorld(fresh);
    const w2 = await honest.issue('w2', { wallet: 'server' });
    await honest.checkout('w2', 'va', 3);
    await honest.spend('w2', 'va', 2);
    await honest.appendRaw('w2', {
      type: 'CoinsSpent',
      version: 1,
      data: {
        chainId: 'w2',
        vendorId: 'va',
        fromIndex: 3,
        toIndex: 5,
        payword: w2.payword(5),
        receiptId: 'r',
        at,
      },
    });
    const ledger = replayChain('w2', await new RedemptionReads(fresh).chainHistory('w2', world.brokerKeys), {
      broker: honest.brokerKeys,
      vendorKeys,
    });
    // The spend past the slice consumes 3..5 (every fold takes it) and is paid to no one.
    expect(
      ledger.status === 'issued' &&
        ledger.segments.map((s) => [s.vendorId, s.fromIndex, s.toIndex, s.unpaid !== undefined]),
    ).toEqual([
      ['va', 1, 2, false],
      ['va', 3, 5, true],
    ]);
    expect(ledger.status === 'issued' && ledger.anomalies[0]).toMatch(/beyond the checked-out slice/);
  });

  it('never pays what a vendor recorded after the customer withdrew its slice', async () => {
    const store = new InMemoryEventStore();
    const world = new ChainWorld(store);
    const chain = await world.issue('w3', { wallet: 'server' });
    await world.checkout('w3', 'va', 10);
    await world.spend('w3', 'va', 2);
    const at = '2026-03-10T01:00:00.000Z';
    await world.appendRaw('w3', {
      type: 'SliceWithdrawn',
      version: 1,
      data: { chainId: 'w3', vendorId: 'va', index: 3, lastPayword: chain.payword(2), at },
    });
    // Planted: the vendor goes on spending its old slice, with valid paywords, past the decider.
    await world.appendRaw('w3', {
      type: 'CoinsSpent',
      version: 1,
      data: {
        chainId: 'w3',
        vendorId: 'va',
        fromIndex: 3,
        toIndex: 4,
        payword: chain.payword(4),
        receiptId: 'r',
        at,
      },
    });
    const vendorKeys = (v: string) => [
      { keyId: world.vendorSigner(v).keyId, publicKey: world.vendorSigner(v).publicKey, ownerId: v },
    ];
    const ledger = replayChain('w3', await new RedemptionReads(store).chainHistory('w3', world.brokerKeys), {
      broker: world.brokerKeys,
      vendorKeys,
    });
    expect(
      ledger.status === 'issued' &&
        ledger.segments.map((s) => [s.vendorId, s.fromIndex, s.toIndex, s.unpaid !== undefined]),
    ).toEqual([
      ['va', 1, 2, false],
      ['va', 3, 4, true],
    ]);
    expect(ledger.status === 'issued' && ledger.index).toBe(5);
    expect(ledger.status === 'issued' && ledger.anomalies).toEqual([
      expect.stringMatching(/after the customer withdrew its slice/),
    ]);
  });
});
