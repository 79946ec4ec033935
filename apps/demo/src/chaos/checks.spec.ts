import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { InMemoryEventStore } from '#event-store';
import { payMismatches, verifyStore } from './checks.js';
import { type Ack, LoadLedger } from './load.js';

async function world(): Promise<InMemoryEventStore> {
  const store = new InMemoryEventStore();
  await store.appendToStream('chain-c1', [
    {
      id: randomUUID(),
      type: 'ChainIssued',
      version: 1,
      data: { chainId: 'c1', touchstone: { chainId: 'c1', coinValue: 5 } },
      metadata: { correlationId: 'test', causationId: 'test', actor: 'test' },
    },
  ]);
  return store;
}

async function spend(
  store: InMemoryEventStore,
  vendorId: string,
  from: number,
  to: number,
  receiptId: string,
) {
  await store.appendToStream('chain-c1', [
    {
      id: randomUUID(),
      type: 'CoinsSpent',
      version: 1,
      data: { chainId: 'c1', vendorId, fromIndex: from, toIndex: to, payword: 'ab', receiptId, at: '' },
      metadata: { correlationId: 'test', causationId: 'test', actor: 'test' },
    },
  ]);
}

const ack = (vendorId: string, from: number, to: number, receiptId: string): Ack => ({
  receiptId,
  vendorId,
  chainId: 'c1',
  fromIndex: from,
  toIndex: to,
});

// The fault suite's own judge: it must see a lost spend and a position accepted twice.
describe('fault suite checks', () => {
  it('finds every acknowledged spend and sums each vendor’s sales', async () => {
    const store = await world();
    await spend(store, 'va', 1, 2, 'r1');
    await spend(store, 'vb', 3, 5, 'r2');
    const verdict = await verifyStore(store, [ack('va', 1, 2, 'r1'), ack('vb', 3, 5, 'r2')]);
    expect(verdict).toEqual({
      acknowledged: 2,
      lost: 0,
      doubleAccepted: 0,
      spends: 2,
      sold: { va: 10, vb: 15 },
    });
    expect(payMismatches(verdict.sold, { va: 10, vb: 15 })).toEqual([]);
    expect(payMismatches(verdict.sold, { va: 10, vb: 20 })).toEqual(['vb: paid 20 ≠ sold 15']);
  });

  it('counts an acknowledged spend missing from the store, or stored with other positions, as lost', async () => {
    const store = await world();
    await spend(store, 'va', 1, 2, 'r1');
    const verdict = await verifyStore(store, [
      ack('va', 1, 2, 'r1'),
      ack('va', 3, 4, 'r-missing'),
      ack('vb', 1, 2, 'r1'), // same receipt id, another vendor
    ]);
    expect(verdict.lost).toBe(2);
  });

  it('counts positions recorded by two spends of one chain', async () => {
    const store = await world();
    await spend(store, 'va', 1, 3, 'r1');
    await spend(store, 'vb', 3, 4, 'r2');
    expect((await verifyStore(store, [])).doubleAccepted).toBe(1);
  });

  it('counts two receipts for overlapping positions of one chain; a retry’s same receipt is one', () => {
    const ledger = new LoadLedger();
    ledger.ack(ack('va', 1, 2, 'r1'));
    ledger.ack(ack('va', 1, 2, 'r1'));
    ledger.ack(ack('va', 3, 4, 'r2'));
    expect(ledger.doubleAcknowledged).toBe(0);
    ledger.ack(ack('vb', 4, 5, 'r3'));
    expect(ledger.doubleAcknowledged).toBe(1);
    expect(ledger.acks.size).toBe(3);
  });
});
