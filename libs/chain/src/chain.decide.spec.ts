import { describe, expect, it } from '@jest/globals';
import type { ChainEvent } from '#events';
import {
  createSigner,
  generateChain,
  generateSigningKey,
  signHandOffCertificate,
  signTouchstone,
  type Touchstone,
} from '#protocol';
import {
  decideClaim,
  decideCheckout,
  decideClose,
  decideHandOff,
  decideIssue,
  decideRevoke,
  decideSpend,
  decideWithdraw,
  type SpendCommand,
} from './chain.decide.js';
import { foldChain, type ChainState } from './chain.state.js';

const broker = createSigner(generateSigningKey('broker_1'));
const vendorA = createSigner(generateSigningKey('vendor_a_1'));
const chain = generateChain({ chainId: 'c1', length: 20, alg: 'sha256' });
const AT = '2026-11-21T10:00:00.000Z';

function touchstone(extra: Partial<Touchstone> = {}): Touchstone {
  return signTouchstone(
    {
      chainId: 'c1',
      alg: 'sha256',
      root: chain.root,
      length: 20,
      coinValue: 5,
      currency: 'NZD',
      issuedAt: '2026-11-21T00:00:00.000Z',
      expiresAt: '2026-12-21T00:00:00.000Z',
      brokerKeyId: broker.keyId,
      ...extra,
    },
    broker,
  );
}

const issued = (wallet: 'client' | 'server' = 'client', t = touchstone()): ChainEvent => ({
  type: 'ChainIssued',
  version: 1,
  data: { chainId: 'c1', touchstone: t, wallet, at: AT },
});

/** Given these events (revisions 0, 1, …), the state. */
const given = (...events: ChainEvent[]): ChainState =>
  foldChain(events.map((event, revision) => ({ event, revision })));

const spend = (
  vendorId: string,
  index: number,
  count: number,
  extra: Partial<SpendCommand> = {},
): SpendCommand => ({
  vendorId,
  count,
  receiptId: `r_${vendorId}_${index}`,
  at: AT,
  ...extra,
  proof: extra.proof ?? chain.spendProof(index, count),
});

function spent(vendorId: string, fromIndex: number, toIndex: number): ChainEvent {
  const data = {
    chainId: 'c1',
    vendorId,
    fromIndex,
    toIndex,
    payword: chain.payword(toIndex),
    receiptId: `r_${vendorId}_${fromIndex}`,
    at: AT,
  };
  return { type: 'CoinsSpent', version: 1, data };
}

function codeOf(decision: { ok: boolean }): string | undefined {
  return 'code' in decision ? (decision as { code: string }).code : undefined;
}

describe('chain aggregate', () => {
  it('issues a chain once', () => {
    const first = decideIssue(given(), { touchstone: touchstone(), wallet: 'client', at: AT });
    expect(first.ok && first.events[0]?.type).toBe('ChainIssued');
    expect(codeOf(decideIssue(given(issued()), { touchstone: touchstone(), wallet: 'client', at: AT }))).toBe(
      'CHAIN.ALREADY_ISSUED',
    );
  });

  it('takes the first spend anywhere and makes its vendor holder', () => {
    const state = given(issued());
    const decision = decideSpend(state, spend('va', 1, 3));
    expect(decision.ok && decision.events[0]?.data).toMatchObject({
      vendorId: 'va',
      fromIndex: 1,
      toIndex: 3,
    });
    const after = given(issued(), spent('va', 1, 3));
    expect(after.status === 'open' && [after.holder, after.index, after.lastPayword]).toEqual([
      'va',
      4,
      chain.payword(3),
    ]);
  });

  it('refuses a spend by a vendor that is not the holder', () => {
    expect(codeOf(decideSpend(given(issued(), spent('va', 1, 1)), spend('vb', 2, 1)))).toBe(
      'CHAIN.NOT_HOLDER',
    );
  });

  it('answers a retry of the last spend with the original record instead of spending again', () => {
    const state = given(issued(), spent('va', 1, 2));
    const retry = decideSpend(state, spend('va', 1, 2, { receiptId: 'another' }));
    expect(retry.ok && retry.events).toEqual([]);
    expect('duplicateOf' in retry && retry.duplicateOf.receiptId).toBe('r_va_1');
  });

  it('refuses a replayed payword at another vendor after a hand-off', () => {
    const cert = signHandOffCertificate(
      {
        chainId: 'c1',
        fromVendor: 'va',
        toVendor: 'vb',
        index: 3,
        lastPayword: chain.payword(2),
        at: AT,
        vendorKeyId: vendorA.keyId,
      },
      vendorA,
    );
    const state = given(issued(), spent('va', 1, 2), {
      type: 'IndexHandedOff',
      version: 1,
      data: { certificate: cert, at: AT },
    });
    expect(codeOf(decideSpend(state, spend('vb', 1, 2)))).toBe('SPEND.PAYWORD_REPLAYED');
    expect(codeOf(decideSpend(state, spend('va', 3, 1)))).toBe('CHAIN.NOT_HOLDER');
    expect(decideSpend(state, spend('vb', 3, 1)).ok).toBe(true);
  });

  it('refuses forged, skipped and out-of-range paywords with their protocol codes', () => {
    const state = given(issued());
    const forged = { chainId: 'c1', position: 1, payword: 'ab'.repeat(32) };
    expect(codeOf(decideSpend(state, spend('va', 1, 1, { proof: forged })))).toBe('SPEND.PAYWORD_FORGED');
    expect(codeOf(decideSpend(state, spend('va', 1, 1, { proof: chain.spendProof(1, 2) })))).toBe(
      'SPEND.PAYWORD_SKIPPED',
    );
    expect(codeOf(decideSpend(state, spend('va', 1, 21, { proof: chain.spendProof(1, 20) })))).toBe(
      'SPEND.CHAIN_EXHAUSTED',
    );
  });

  it('refuses expired, not-yet-valid and vendor-restricted chains', () => {
    const expired = given(issued('client', touchstone({ expiresAt: '2026-11-21T09:00:00.000Z' })));
    expect(codeOf(decideSpend(expired, spend('va', 1, 1)))).toBe('TOUCHSTONE.EXPIRED');
    const future = given(issued('client', touchstone({ issuedAt: '2026-11-21T11:00:00.000Z' })));
    expect(codeOf(decideSpend(future, spend('va', 1, 1)))).toBe('TOUCHSTONE.NOT_YET_VALID');
    const restricted = given(issued('client', touchstone({ vendorRestriction: ['vb'] })));
    expect(codeOf(decideSpend(restricted, spend('va', 1, 1)))).toBe('TOUCHSTONE.VENDOR_NOT_ALLOWED');
  });

  it('refuses every command on an absent, revoked or closed chain', () => {
    expect(codeOf(decideSpend(given(), spend('va', 1, 1)))).toBe('CHAIN.NOT_FOUND');
    const revoked = given(issued(), {
      type: 'ChainRevoked',
      version: 2,
      data: { chainId: 'c1', reason: 'fraud', at: AT },
    });
    expect(codeOf(decideSpend(revoked, spend('va', 1, 1)))).toBe('CHAIN.REVOKED');
    const closed = decideClose(given(issued(), spent('va', 1, 4)), {
      reason: 'lost-wallet',
      reissuedAs: 'c2',
      at: AT,
    });
    expect(closed.ok && closed.events[0]?.data).toMatchObject({ index: 5, reissuedAs: 'c2' });
    const closedState = given(issued(), ...(closed.ok ? closed.events : []));
    expect(codeOf(decideSpend(closedState, spend('va', 1, 1)))).toBe('CHAIN.CLOSED');
    expect(codeOf(decideRevoke(closedState, { reason: 'other', at: AT }))).toBe('CHAIN.CLOSED');
  });

  it('checks out only server-side wallets and keeps spends inside the slice', () => {
    expect(codeOf(decideCheckout(given(issued()), { vendorId: 'va', sliceEnd: 5, at: AT }))).toBe(
      'CHAIN.WRONG_WALLET_KIND',
    );
    const checkout = decideCheckout(given(issued('server')), { vendorId: 'va', sliceEnd: 5, at: AT });
    expect(checkout.ok).toBe(true);
    const state = given(issued('server'), ...(checkout.ok ? checkout.events : []));
    expect(decideSpend(state, spend('va', 1, 5)).ok).toBe(true);
    expect(codeOf(decideSpend(state, spend('va', 1, 6)))).toBe('CHAIN.BEYOND_SLICE');
    expect(codeOf(decideSpend(state, spend('vb', 1, 1)))).toBe('CHAIN.NOT_HOLDER');
    expect(codeOf(decideSpend(given(issued('server')), spend('va', 1, 1)))).toBe('CHAIN.NOT_CHECKED_OUT');
  });

  it('ends a withdrawn vendor’s slice: its spends are refused until it checks a new slice out', () => {
    const checkout = decideCheckout(given(issued('server')), { vendorId: 'va', sliceEnd: 10, at: AT });
    const checkedOut = checkout.ok ? checkout.events : [];
    const withdraw = decideWithdraw(given(issued('server'), ...checkedOut, spent('va', 1, 2)), {
      vendorId: 'va',
      at: AT,
    });
    expect(withdraw.ok && withdraw.events[0]?.data).toEqual({
      chainId: 'c1',
      vendorId: 'va',
      index: 3,
      lastPayword: chain.payword(2),
      at: AT,
    });
    const ended = given(
      issued('server'),
      ...checkedOut,
      spent('va', 1, 2),
      ...(withdraw.ok ? withdraw.events : []),
    );
    expect(ended.status === 'open' && [ended.holder, ended.sliceEnd, ended.index]).toEqual([
      undefined,
      undefined,
      3,
    ]);
    expect(codeOf(decideSpend(ended, spend('va', 3, 1)))).toBe('CHAIN.SLICE_WITHDRAWN');
    expect(codeOf(decideSpend(ended, spend('vb', 3, 1)))).toBe('CHAIN.NOT_CHECKED_OUT');
    // Nothing to end again, nor for a vendor that does not hold the wallet, nor on a client-side chain.
    expect(decideWithdraw(ended, { vendorId: 'va', at: AT })).toEqual({ ok: true, events: [] });
    expect(decideWithdraw(given(issued('server'), ...checkedOut), { vendorId: 'vb', at: AT })).toEqual({
      ok: true,
      events: [{ type: 'VendorWithdrawn', version: 1, data: { chainId: 'c1', vendorId: 'vb', at: AT } }],
    });
    expect(decideWithdraw(given(issued(), spent('va', 1, 1)), { vendorId: 'va', at: AT })).toEqual({
      ok: true,
      events: [],
    });
    // The rest is the wallet's: the next checkout, by anyone authorised, starts at 3.
    const again = decideCheckout(ended, { vendorId: 'va', sliceEnd: 12, at: AT });
    expect(again.ok && again.events[0]?.data).toMatchObject({ index: 3, sliceEnd: 12 });
    const resumed = given(
      issued('server'),
      ...checkedOut,
      spent('va', 1, 2),
      ...(withdraw.ok ? withdraw.events : []),
      ...(again.ok ? again.events : []),
    );
    expect(decideSpend(resumed, spend('va', 3, 1)).ok).toBe(true);
  });

  it('accepts a hand-off certificate only from the holder and only at the current index', () => {
    const state = given(issued(), spent('va', 1, 2));
    const body = {
      chainId: 'c1',
      fromVendor: 'va',
      toVendor: 'vb',
      index: 3,
      lastPayword: chain.payword(2),
      at: AT,
      vendorKeyId: vendorA.keyId,
    };
    expect(decideHandOff(state, { certificate: signHandOffCertificate(body, vendorA), at: AT }).ok).toBe(
      true,
    );
    const stale = signHandOffCertificate({ ...body, index: 2, lastPayword: chain.payword(1) }, vendorA);
    expect(codeOf(decideHandOff(state, { certificate: stale, at: AT }))).toBe('HANDOFF.CERTIFICATE_MISMATCH');
    const notHolder = signHandOffCertificate({ ...body, fromVendor: 'vc' }, vendorA);
    expect(codeOf(decideHandOff(state, { certificate: notHolder, at: AT }))).toBe('CHAIN.NOT_HOLDER');
    const nobodyHolds = signHandOffCertificate({ ...body, index: 1, lastPayword: chain.root }, vendorA);
    expect(codeOf(decideHandOff(given(issued()), { certificate: nobodyHolds, at: AT }))).toBe(
      'CHAIN.NOT_HOLDER',
    );
  });

  it('claims from a silent holder only while that holder still holds', () => {
    const state = given(issued(), spent('va', 1, 2));
    const claim = decideClaim(state, { fromVendor: 'va', toVendor: 'vb', at: AT });
    expect(claim.ok && claim.events[0]?.data).toMatchObject({ index: 3, lastPayword: chain.payword(2) });
    expect(codeOf(decideClaim(state, { fromVendor: 'vc', toVendor: 'vb', at: AT }))).toBe(
      'CLAIM.HOLDER_CHANGED',
    );
    const after = given(issued(), spent('va', 1, 2), ...(claim.ok ? claim.events : []));
    expect(after.status === 'open' && after.holder).toBe('vb');
    expect(codeOf(decideSpend(after, spend('va', 3, 1)))).toBe('CHAIN.NOT_HOLDER');
  });
});

describe('a vendor withdrawn while another holds the wallet', () => {
  const LATER = '2026-11-21T10:00:00.001Z';
  const withdrawnB = (at = AT): ChainEvent => ({
    type: 'VendorWithdrawn',
    version: 1,
    data: { chainId: 'c1', vendorId: 'vb', at },
  });
  const handOff = (state: ChainState, grantIssuedAt?: string) => {
    const open = state.status === 'open' ? state : undefined;
    const certificate = signHandOffCertificate(
      {
        chainId: 'c1',
        fromVendor: 'va',
        toVendor: 'vb',
        index: open?.index ?? 0,
        lastPayword: open?.lastPayword ?? '',
        at: LATER,
        vendorKeyId: vendorA.keyId,
      },
      vendorA,
    );
    return decideHandOff(state, { certificate, at: LATER, ...(grantIssuedAt ? { grantIssuedAt } : {}) });
  };
  const checkout = decideCheckout(given(issued('server')), { vendorId: 'va', sliceEnd: 10, at: AT });
  const held = [issued('server'), ...(checkout.ok ? checkout.events : []), spent('va', 1, 2)];

  it('records the withdrawal without moving the holder; a grant from before it is void', () => {
    const decision = decideWithdraw(given(...held), { vendorId: 'vb', at: AT });
    expect(decision).toEqual({ ok: true, events: [withdrawnB()] });
    const state = given(...held, withdrawnB());
    expect(state.status === 'open' && [state.holder, state.sliceEnd, state.withdrawals]).toEqual([
      'va',
      10,
      { vb: AT },
    ]);
    // A retried withdrawal appends nothing; an earlier time does not lower the latest.
    expect(decideWithdraw(state, { vendorId: 'vb', at: AT })).toEqual({ ok: true, events: [] });
    const older = given(...held, withdrawnB(), withdrawnB('2026-11-21T09:00:00.000Z'));
    expect(older.status === 'open' && older.withdrawals).toEqual({ vb: AT });
    // The holder may still spend; a hand-off to vb on a grant issued at or before the withdrawal
    // (or with no issue time) is refused, on a later grant (re-authorised) it goes through.
    expect(decideSpend(state, spend('va', 3, 1)).ok).toBe(true);
    expect(codeOf(handOff(state, AT))).toBe('HANDOFF.VENDOR_WITHDRAWN');
    expect(codeOf(handOff(state, '2026-11-21T09:59:00.000Z'))).toBe('HANDOFF.VENDOR_WITHDRAWN');
    expect(codeOf(handOff(state))).toBe('HANDOFF.VENDOR_WITHDRAWN');
    expect(handOff(state, LATER).ok).toBe(true);
    // Without a withdrawal, the grant's time does not matter.
    expect(handOff(given(...held), '2026-11-21T09:59:00.000Z').ok).toBe(true);
  });

  it('a holder’s own withdrawal (SliceWithdrawn) voids its older grants too', () => {
    const withdraw = decideWithdraw(given(...held), { vendorId: 'va', at: AT });
    const state = given(...held, ...(withdraw.ok ? withdraw.events : []));
    expect(state.status === 'open' && state.withdrawals).toEqual({ va: AT });
  });
});

describe('folds of what a reader believes', () => {
  it('keeps the stream’s last revision after ignored events, and a copied ChainIssued never resets a chain', () => {
    const state = foldChain(
      [
        { event: issued(), revision: 0 },
        { event: spent('v', 1, 2), revision: 1 },
        { event: issued(), revision: 2 },
      ],
      4,
    );
    expect(state).toMatchObject({ status: 'open', index: 3, revision: 4 });
  });

  it('does not believe a spend whose payword does not hash down to the last one, and says so', () => {
    const forged = (fromIndex: number, toIndex: number, payword: string): ChainEvent => ({
      type: 'CoinsSpent',
      version: 1,
      data: { chainId: 'c1', vendorId: 'vx', fromIndex, toIndex, payword, receiptId: 'rx', at: AT },
    });
    const ignored: { revision: number; vendorId: string; reason: string }[] = [];
    const state = foldChain(
      [
        { event: issued(), revision: 0 },
        { event: spent('va', 1, 2), revision: 1 },
        // A dishonest vendor: the chain's end with a made-up word, a real word at the wrong position,
        // a real word of an earlier position (a replay), then a word that is not hex at all.
        { event: forged(3, 20, 'cc'.repeat(32)), revision: 2 },
        { event: forged(3, 5, chain.payword(6)), revision: 3 },
        { event: forged(3, 3, chain.payword(2)), revision: 4 },
        { event: forged(3, 4, 'not a word'), revision: 5 },
        { event: spent('vb', 3, 4), revision: 6 },
      ],
      6,
      (event) => ignored.push(event),
    );
    expect(state).toMatchObject({
      status: 'open',
      index: 5,
      lastPayword: chain.payword(4),
      holder: 'vb',
      revision: 6,
    });
    expect(ignored.map((e) => [e.revision, e.vendorId])).toEqual([
      [2, 'vx'],
      [3, 'vx'],
      [4, 'vx'],
      [5, 'vx'],
    ]);
    // The honest vendor's next spend is decided on the true state.
    expect(decideSpend(state, spend('vb', 5, 2)).ok).toBe(true);
  });

  it('believes no spend after the close or the revocation, even one whose payword hashes down', () => {
    const closed: ChainEvent = {
      type: 'ChainClosed',
      version: 1,
      data: { chainId: 'c1', index: 3, reason: 'cashed-out', at: AT },
    };
    const revoked: ChainEvent = {
      type: 'ChainRevoked',
      version: 2,
      data: { chainId: 'c1', reason: 'stolen-wallet', at: AT },
    };
    for (const end of [closed, revoked]) {
      const ignored: { revision: number; vendorId: string; reason: string }[] = [];
      const state = foldChain(
        [
          { event: issued(), revision: 0 },
          { event: spent('va', 1, 2), revision: 1 },
          { event: end, revision: 2 },
          // The holder's real next words, appended after the end: a cash-out's refund stays 18 coins.
          { event: spent('va', 3, 10), revision: 3 },
        ],
        3,
        (event) => ignored.push(event),
      );
      expect(state).toMatchObject({ status: end === closed ? 'closed' : 'revoked', index: 3, revision: 3 });
      expect(ignored.map((e) => [e.revision, e.vendorId, e.reason])).toEqual([
        [3, 'va', `the chain is ${end === closed ? 'closed' : 'revoked'}`],
      ]);
    }
  });

  it('moves the holder only by a hand-off or claim from the holder at the chain’s state, and says so otherwise', () => {
    const body = {
      chainId: 'c1',
      fromVendor: 'va',
      toVendor: 'vx',
      index: 3,
      lastPayword: chain.payword(2),
      at: AT,
      vendorKeyId: vendorA.keyId,
    };
    const handedOff = (extra: Partial<typeof body>): ChainEvent => ({
      type: 'IndexHandedOff',
      version: 1,
      data: { certificate: signHandOffCertificate({ ...body, ...extra }, vendorA), at: AT },
    });
    const claimed = (extra: Record<string, unknown>): ChainEvent => ({
      type: 'ChainClaimed',
      version: 1,
      data: {
        chainId: 'c1',
        fromVendor: 'va',
        toVendor: 'vx',
        index: 3,
        lastPayword: chain.payword(2),
        reason: 'holder-timeout',
        at: AT,
        ...extra,
      },
    });
    const ignored: [number, string][] = [];
    const state = foldChain(
      [
        { event: issued(), revision: 0 },
        { event: spent('va', 1, 2), revision: 1 },
        // Not from the holder, at a stale index, for another chain, a claim from a non-holder, a
        // claim at another word: none moves the chain.
        { event: handedOff({ fromVendor: 'vb', toVendor: 'vx' }), revision: 2 },
        { event: handedOff({ index: 2, lastPayword: chain.payword(1) }), revision: 3 },
        { event: handedOff({ chainId: 'c2' }), revision: 4 },
        { event: claimed({ fromVendor: 'vb' }), revision: 5 },
        { event: claimed({ lastPayword: chain.payword(3) }), revision: 6 },
      ],
      6,
      (event) => ignored.push([event.revision, event.type]),
    );
    expect(state).toMatchObject({ status: 'open', holder: 'va', index: 3, revision: 6 });
    expect(ignored).toEqual([
      [2, 'IndexHandedOff'],
      [3, 'IndexHandedOff'],
      [4, 'IndexHandedOff'],
      [5, 'ChainClaimed'],
      [6, 'ChainClaimed'],
    ]);
    // The holder still spends; an honest claim from it moves the chain.
    expect(decideSpend(state, spend('va', 3, 1)).ok).toBe(true);
    const moved = foldChain([
      { event: issued(), revision: 0 },
      { event: spent('va', 1, 2), revision: 1 },
      { event: claimed({}), revision: 2 },
    ]);
    expect(moved.status === 'open' && moved.holder).toBe('vx');
  });
});
