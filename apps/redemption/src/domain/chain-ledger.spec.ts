import { describe, expect, it } from '@jest/globals';
import { InMemoryEventStore } from '#event-store';
import type { ChainEvent } from '#events';
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
    const history = await new RedemptionReads(store).chainHistory('c1');
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
    expect(tampered.status === 'issued' && tampered.segments.map((s) => s.vendorId)).toEqual(['va']);
    expect(tampered.status === 'issued' && tampered.anomalies).toHaveLength(2);
    expect(honest.status === 'issued' && segmentAt(honest.segments, 4)?.vendorId).toBe('vb');
  });
});
