import { describe, expect, it } from '@jest/globals';
import type { StoredEvent } from '#events';
import { WalletHistoryReadModel } from './wallet-history.read-model.js';

let position = 0n;
function stored(type: string, data: Record<string, unknown>): StoredEvent {
  position += 1n;
  return {
    type,
    version: type === 'ChainRevoked' ? 2 : 1,
    data,
    id: `e${position}`,
    streamName: 's',
    revision: 0,
    position,
    metadata: {},
  } as unknown as StoredEvent;
}

describe('WalletHistoryReadModel', () => {
  it('joins chain events that came before the purchase naming their customer, in time order', () => {
    const model = new WalletHistoryReadModel();
    model.apply(
      stored('CoinsSpent', {
        chainId: 'c1',
        vendorId: 'newspaper',
        fromIndex: 1,
        toIndex: 2,
        payword: 'ab',
        receiptId: 'r1',
        at: '2026-01-01T10:00:02.000Z',
      }),
    );
    model.apply(
      stored('CoinsPurchased', {
        purchaseId: 'p1',
        customerId: 'ada',
        chainIds: ['c1'],
        coins: 20,
        coinValue: 5,
        amount: 100,
        currency: 'NZD',
        wallet: 'client',
        paymentRef: 'x',
        at: '2026-01-01T10:00:00.000Z',
      }),
    );
    model.apply(
      stored('IndexHandedOff', {
        certificate: { chainId: 'c1', fromVendor: 'newspaper', toVendor: 'greetings', index: 3 },
        at: '2026-01-01T10:00:03.000Z',
      }),
    );
    model.apply(
      stored('ChainClaimed', {
        chainId: 'c1',
        fromVendor: 'greetings',
        toVendor: 'music',
        index: 6,
        lastPayword: 'cd',
        reason: 'holder-timeout',
        at: '2026-01-01T10:00:04.000Z',
      }),
    );
    model.apply(
      stored('CoinsSpent', {
        chainId: 'other',
        vendorId: 'music',
        fromIndex: 1,
        toIndex: 1,
        payword: 'ef',
        receiptId: 'r9',
        at: '2026-01-01T10:00:01.000Z',
      }),
    );
    const entries = model.historyOf('ada', ['c1']);
    expect(entries.map((e) => e.kind)).toEqual(['purchase', 'spend', 'hand-off', 'hand-off']);
    expect(entries[1]).toMatchObject({ vendorId: 'newspaper', coins: 2, receiptId: 'r1' });
    expect(entries[2]).toMatchObject({ fromVendor: 'newspaper', toVendor: 'greetings', via: 'certificate' });
    expect(entries[3]).toMatchObject({ toVendor: 'music', via: 'claim' });
    expect(model.historyOf('bob', [])).toEqual([]);
  });

  it('keeps the authorised vendors as authorised and withdrawn', () => {
    const model = new WalletHistoryReadModel();
    const at = '2026-01-01T10:00:00.000Z';
    model.apply(stored('VendorAuthorised', { customerId: 'ada', vendorId: 'news', at }));
    model.apply(stored('VendorAuthorised', { customerId: 'ada', vendorId: 'cards', at }));
    model.apply(stored('VendorDeauthorised', { customerId: 'ada', vendorId: 'news', at }));
    expect(model.authorisedVendors('ada')).toEqual(['cards']);
    expect(model.authorisedVendors('bob')).toEqual([]);
  });

  it('shows what each spend paid for, refunds, and the spends per vendor', () => {
    const model = new WalletHistoryReadModel();
    const spend = (
      receiptId: string,
      vendorId: string,
      from: number,
      to: number,
      resource: string,
      s: number,
    ) =>
      stored('CoinsSpent', {
        chainId: 'c2',
        vendorId,
        fromIndex: from,
        toIndex: to,
        payword: 'ab',
        receiptId,
        resource,
        at: `2026-01-02T10:00:0${s}.000Z`,
      });
    model.apply(spend('r1', 'music', 1, 5, 'GET /clips/c1', 1));
    model.apply(spend('r2', 'music', 6, 10, 'GET /clips/c2', 2));
    model.apply(spend('r3', 'greetings', 11, 13, 'GET /cards/k1', 3));
    model.apply(
      stored('CoinsRefunded', {
        customerId: 'ada',
        chainId: 'c2',
        amount: 35,
        currency: 'NZD',
        paymentRef: 'refund_c2',
        at: '2026-01-02T10:00:05.000Z',
      }),
    );
    const entries = model.historyOf('ada', ['c2']);
    expect(entries.map((e) => e.kind)).toEqual(['spend', 'spend', 'spend', 'refund']);
    expect(entries[2]).toMatchObject({ vendorId: 'greetings', resource: 'GET /cards/k1', coins: 3 });
    expect(entries[3]).toMatchObject({ amount: 35, currency: 'NZD', chainId: 'c2' });
    expect(WalletHistoryReadModel.spentPerVendor(entries)).toEqual([
      { vendorId: 'greetings', purchases: 1, coins: 3, lastAt: '2026-01-02T10:00:03.000Z' },
      { vendorId: 'music', purchases: 2, coins: 10, lastAt: '2026-01-02T10:00:02.000Z' },
    ]);
  });

  it("shows an expired chain's refund (policy refund); a value the broker kept is no refund", () => {
    const model = new WalletHistoryReadModel();
    const settled = (chainId: string, policy: 'refunded' | 'kept') =>
      stored('CoinsExpiredSettled', {
        customerId: 'bea',
        chainId,
        amount: 60,
        currency: 'NZD',
        policy,
        ...(policy === 'refunded' ? { paymentRef: `pay_${chainId}` } : {}),
        at: '2026-01-05T00:20:00.000Z',
      });
    model.apply(settled('c3', 'refunded'));
    model.apply(settled('c4', 'kept'));
    expect(model.historyOf('bea', ['c3', 'c4'])).toEqual([
      {
        kind: 'refund',
        at: '2026-01-05T00:20:00.000Z',
        chainId: 'c3',
        amount: 60,
        currency: 'NZD',
        paymentRef: 'pay_c3',
      },
    ]);
  });
});
