import { describe, expect, it } from '@jest/globals';
import { foldChain, type ChainState } from '#chain';
import type { ChainEvent } from '#events';
import {
  createSigner,
  generateChain,
  generateSigningKey,
  signHandOffCertificate,
  signTouchstone,
} from '#protocol';
import { catchUp } from './chain-catch-up.js';
import type { KnownChain } from './chain-record.js';

const broker = createSigner(generateSigningKey('b1'));
const va = createSigner(generateSigningKey('va1'));
const chain = generateChain({ chainId: 'c1', length: 30, alg: 'sha256' });
const AT = '2026-06-01T00:00:00.000Z';
const touchstone = signTouchstone(
  {
    chainId: 'c1',
    alg: 'sha256',
    root: chain.root,
    length: 30,
    coinValue: 5,
    currency: 'NZD',
    issuedAt: AT,
    expiresAt: '2027-01-01T00:00:00.000Z',
    brokerKeyId: 'b1',
  },
  broker,
);
const spent = (vendorId: string, from: number, to: number): ChainEvent => ({
  type: 'CoinsSpent',
  version: 1,
  data: {
    chainId: 'c1',
    vendorId,
    fromIndex: from,
    toIndex: to,
    payword: chain.payword(to),
    receiptId: `r${to}`,
    at: AT,
  },
});
const handedOff = (from: string, to: string, index: number): ChainEvent => ({
  type: 'IndexHandedOff',
  version: 1,
  data: {
    certificate: signHandOffCertificate(
      {
        chainId: 'c1',
        fromVendor: from,
        toVendor: to,
        index,
        lastPayword: chain.payword(index - 1),
        at: AT,
        vendorKeyId: va.keyId,
      },
      va,
    ),
    at: AT,
  },
});
const history: ChainEvent[] = [
  { type: 'ChainIssued', version: 1, data: { chainId: 'c1', touchstone, wallet: 'client', at: AT } },
  spent('va', 1, 2),
  spent('va', 3, 3),
  handedOff('va', 'vb', 4),
  spent('vb', 4, 6),
  {
    type: 'ChainClaimed',
    version: 1,
    data: {
      chainId: 'c1',
      fromVendor: 'vb',
      toVendor: 'vc',
      index: 7,
      lastPayword: chain.payword(6),
      reason: 'holder-timeout',
      at: AT,
    },
  },
  spent('vc', 7, 7),
  { type: 'ChainRevoked', version: 2, data: { chainId: 'c1', reason: 'fraud', at: AT } },
  { type: 'ChainClosed', version: 1, data: { chainId: 'c1', index: 8, reason: 'revoked', at: AT } },
];
const fold = (n: number): ChainState =>
  foldChain(history.slice(0, n).map((event, revision) => ({ event, revision })));
const essentials = (s: ChainState) =>
  s.status === 'absent'
    ? s
    : {
        status: s.status,
        holder: s.holder,
        index: s.index,
        lastPayword: s.lastPayword,
        revision: s.revision,
      };

describe('catching a chain state up from the stream’s last event', () => {
  it('agrees with folding the whole stream, from any earlier state, on holder, I, W[I-1], status and revision', () => {
    for (let known = 1; known < history.length; known++) {
      for (let upTo = known + 1; upTo <= history.length; upTo++) {
        const caught = catchUp(fold(known) as KnownChain, { event: history[upTo - 1]!, revision: upTo - 1 });
        // Undefined only where the last event cannot say it all (revoked/closed after a gap): the caller folds.
        const foldInstead =
          upTo > known + 1 && ['ChainRevoked', 'ChainClosed'].includes(history[upTo - 1]!.type);
        expect([known, upTo, caught && essentials(caught)]).toEqual([
          known,
          upTo,
          foldInstead ? undefined : essentials(fold(upTo)),
        ]);
      }
    }
  });

  it('keeps the last spend only when the last event is that spend', () => {
    const afterHandOff = catchUp(fold(2) as KnownChain, { event: history[3]!, revision: 3 });
    expect(afterHandOff && 'lastSpend' in afterHandOff ? afterHandOff.lastSpend : undefined).toBeUndefined();
    const afterSpend = catchUp(fold(2) as KnownChain, { event: history[4]!, revision: 4 });
    expect(afterSpend?.status === 'open' && afterSpend.lastSpend?.receiptId).toBe('r6');
  });

  it('folds instead when a spend, hand-off or claim across a gap does not hash down to the known state', () => {
    const known = fold(3) as KnownChain; // I = 4, W[3]
    const forgedSpend: ChainEvent = {
      type: 'CoinsSpent',
      version: 1,
      data: {
        chainId: 'c1',
        vendorId: 'vx',
        fromIndex: 4,
        toIndex: 30,
        payword: 'ab'.repeat(32),
        receiptId: 'x',
        at: AT,
      },
    };
    const forgedClaim: ChainEvent = {
      type: 'ChainClaimed',
      version: 1,
      data: {
        chainId: 'c1',
        fromVendor: 'va',
        toVendor: 'vx',
        index: 31,
        lastPayword: 'ab'.repeat(32),
        reason: 'holder-timeout',
        at: AT,
      },
    };
    expect(catchUp(known, { event: forgedSpend, revision: 9 })).toBeUndefined();
    expect(catchUp(known, { event: forgedClaim, revision: 9 })).toBeUndefined();
    // Next to the known revision the fold itself decides: a forged spend is ignored, the revision taken.
    const ignored: number[] = [];
    const next = catchUp(known, { event: forgedSpend, revision: 3 }, (e) => ignored.push(e.revision));
    expect(next && essentials(next)).toEqual({ ...essentials(known), revision: 3 });
    expect(ignored).toEqual([3]);
  });

  it('answers nothing for a revision it already has', () => {
    expect(catchUp(fold(3) as KnownChain, { event: history[2]!, revision: 2 })).toBeUndefined();
  });
});
