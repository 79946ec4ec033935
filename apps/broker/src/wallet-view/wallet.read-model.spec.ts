import { describe, expect, it } from '@jest/globals';
import type { NetPayEvent, StoredEvent } from '#events';
import type { Touchstone } from '#protocol';
import { remainingCoins, WalletReadModel } from './wallet.read-model.js';

let position = 0n;
function stored(event: NetPayEvent): StoredEvent {
  position += 1n;
  return {
    ...event,
    id: `e${position}`,
    streamName: 's-x',
    revision: 0,
    position,
    metadata: { correlationId: 'c', causationId: 'c', actor: 'a' },
  };
}
const touchstone = (chainId: string, length = 10): Touchstone => ({
  chainId,
  alg: 'sha256',
  root: '00'.repeat(32),
  length,
  coinValue: 5,
  currency: 'NZD',
  issuedAt: '2026-01-01T00:00:00.000Z',
  expiresAt: '2027-01-01T00:00:00.000Z',
  brokerKeyId: 'b1',
  signature: '00'.repeat(64),
});
const AT = '2026-02-01T00:00:00.000Z';
const issued = (chainId: string, wallet: 'client' | 'server' = 'client'): StoredEvent =>
  stored({
    type: 'ChainIssued',
    version: 1,
    data: { chainId, touchstone: touchstone(chainId), wallet, at: AT },
  });

describe('WalletReadModel', () => {
  it('links chains to their buyer even when the purchase arrives after the issue, and follows spends', () => {
    const model = new WalletReadModel();
    model.apply(issued('c1'));
    expect(model.chainsOfCustomer('cus_1')).toEqual([]);
    model.apply(
      stored({
        type: 'CoinsPurchased',
        version: 1,
        data: {
          purchaseId: 'p1',
          customerId: 'cus_1',
          chainIds: ['c1'],
          coins: 10,
          coinValue: 5,
          amount: 50,
          currency: 'NZD',
          wallet: 'client',
          paymentRef: 'r',
          at: AT,
        },
      }),
    );
    model.apply(
      stored({
        type: 'CoinsSpent',
        version: 1,
        data: {
          chainId: 'c1',
          vendorId: 'v1',
          fromIndex: 1,
          toIndex: 4,
          payword: '00'.repeat(32),
          receiptId: 'r1',
          at: AT,
        },
      }),
    );
    const [chain] = model.chainsOfCustomer('cus_1');
    expect(chain).toMatchObject({ chainId: 'c1', index: 5, holder: 'v1', status: 'open' });
    expect(remainingCoins(chain!)).toBe(6);
    expect(model.ownerOf('c1')).toBe('cus_1');
  });

  it('moves the holder on hand-off and claim, and lists revocations; closed and revoked chains have nothing left', () => {
    const model = new WalletReadModel();
    for (const id of ['c2', 'c3']) model.apply(issued(id, 'server'));
    model.apply(
      stored({
        type: 'WalletCheckedOut',
        version: 1,
        data: { chainId: 'c2', vendorId: 'v1', index: 1, lastPayword: '00'.repeat(32), sliceEnd: 5, at: AT },
      }),
    );
    model.apply(
      stored({
        type: 'ChainClaimed',
        version: 1,
        data: {
          chainId: 'c2',
          fromVendor: 'v1',
          toVendor: 'v2',
          index: 1,
          lastPayword: '00'.repeat(32),
          reason: 'holder-timeout',
          at: AT,
        },
      }),
    );
    model.apply(
      stored({ type: 'ChainRevoked', version: 2, data: { chainId: 'c3', reason: 'fraud', at: AT } }),
    );
    model.apply(
      stored({
        type: 'ChainClosed',
        version: 1,
        data: { chainId: 'c2', index: 3, reason: 'lost-wallet', reissuedAs: 'c9', at: AT },
      }),
    );
    expect(model.chain('c2')).toMatchObject({ holder: 'v2', status: 'closed', index: 3, reissuedAs: 'c9' });
    expect(remainingCoins(model.chain('c2')!)).toBe(0);
    expect(remainingCoins(model.chain('c3')!)).toBe(0);
    expect(model.revocations()).toEqual([{ chainId: 'c3', reason: 'fraud', at: AT }]);
  });

  it("learns a re-issue's successor from the customer's stream, the closed chain stream naming none", () => {
    const model = new WalletReadModel();
    model.apply(issued('c4'));
    model.apply(
      stored({
        type: 'ChainClosed',
        version: 1,
        data: { chainId: 'c4', index: 2, reason: 'lost-wallet', at: AT },
      }),
    );
    model.apply(
      stored({
        type: 'ChainReissued',
        version: 1,
        data: { customerId: 'cu1', fromChainId: 'c4', toChainId: 'c5', coins: 9, at: AT },
      }),
    );
    expect(model.chain('c4')).toMatchObject({ status: 'closed', reissuedAs: 'c5' });
    expect(model.ownerOf('c5')).toBe('cu1');
  });
});
