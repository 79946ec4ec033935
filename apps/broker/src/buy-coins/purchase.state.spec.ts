import { describe, expect, it } from '@jest/globals';
import type { StoredEvent } from '#events';
import { absentPurchase, evolvePurchase, planChainLengths } from './purchase.state.js';

describe('purchase state', () => {
  it('splits coins into chains of at most the maximum length', () => {
    expect(planChainLengths(120, 50)).toEqual([50, 50, 20]);
    expect(planChainLengths(50, 50)).toEqual([50]);
    expect(planChainLengths(1, 50)).toEqual([1]);
  });

  it('keeps the first outcome: a later event cannot turn a decline into a purchase', () => {
    const meta = {
      id: 'e',
      streamName: 'purchase-p1',
      revision: 0,
      position: 1n,
      metadata: { correlationId: 'c', causationId: 'c', actor: 'a' },
    };
    const declined = {
      ...meta,
      type: 'PurchaseDeclined',
      version: 1,
      data: {
        purchaseId: 'p1',
        customerId: 'c',
        amount: 5,
        currency: 'NZD',
        reason: 'insufficient-funds',
        at: 'x',
      },
    } as StoredEvent;
    const bought = { ...meta, type: 'CoinsPurchased', version: 1, data: { purchaseId: 'p1' } } as StoredEvent;
    const state = [declined, bought].reduce(evolvePurchase, absentPurchase);
    expect(state.status).toBe('declined');
  });
});
