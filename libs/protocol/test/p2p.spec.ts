import { describe, expect, it } from '@jest/globals';
import {
  checkDoubleSpendProof,
  checkP2PPayment,
  createSigner,
  generateChain,
  generateSigningKey,
  newNonce,
  P2P,
  type P2PPayment,
  parseP2PPayment,
  paywordAt,
  publicKeyRecord,
  type SignedIndexStatement,
  signIndexStatement,
  signPseudonymCertificate,
  signTouchstone,
  statementDigest,
} from '#protocol';

const now = new Date('2026-12-06T03:00:00.000Z');
const cis = createSigner(generateSigningKey('cis-1'));
const cisKeys = [publicKeyRecord(cis)];
const peerKey = createSigner(generateSigningKey('peer-r'));
const pseudonym = 'ps_0123456789abcdef';
const payee = 'ps_fedcba9876543210';
const other = 'ps_1111111111111111';
const chainId = `${pseudonym}_c0011223344556677`;
const seed = '11'.repeat(32);
const chain = generateChain({ chainId, alg: 'sha256', length: 20, seed, storage: 'checkpoints' });

const touchstone = signTouchstone(
  {
    chainId,
    alg: 'sha256',
    root: paywordAt(seed, chainId, 'sha256', 20, 0),
    length: 20,
    coinValue: 1,
    currency: 'NZD',
    issuedAt: '2026-12-06T00:00:00.000Z',
    expiresAt: '2026-12-13T00:00:00.000Z',
    brokerKeyId: 'cis-1',
  },
  cis,
);
const certificate = signPseudonymCertificate(
  {
    pseudonym,
    keyId: 'peer-r',
    publicKey: peerKey.publicKey,
    notBefore: '2026-12-06T00:00:00.000Z',
    notAfter: '2027-01-06T00:00:00.000Z',
    cisKeyId: 'cis-1',
  },
  cis,
);

function statement(fromIndex: number, count: number, to = payee, signer = peerKey): SignedIndexStatement {
  return signIndexStatement(
    {
      chainId,
      pseudonym,
      payee: to,
      contentId: 'song.mp3',
      fromIndex,
      count,
      payword: chain.spendProof(fromIndex, count).payword,
      at: now.toISOString(),
      nonce: newNonce(),
      keyId: signer.keyId,
    },
    signer,
  );
}

const ctx = { cisKeys, payee, contentId: 'song.mp3', price: 2, now };
const pay = (s: SignedIndexStatement, t = touchstone, c = certificate): P2PPayment => ({
  touchstone: t,
  certificate: c,
  statement: s,
});

describe('P2P-NetPay payment checks (S-peer, off-line)', () => {
  it('accepts T + I + paywords, verifying by hashing only', () => {
    const check = checkP2PPayment(pay(statement(1, 2)), ctx);
    expect(check).toEqual({ ok: true, fromIndex: 1, toIndex: 2, hashes: 2 });
  });

  it('costs k hashes when the S-peer knows where the chain stood', () => {
    const s = statement(5, 2);
    const known = { position: 4, word: chain.spendProof(4, 1).payword };
    expect(checkP2PPayment(pay(s), { ...ctx, known })).toMatchObject({ ok: true, hashes: 2 });
  });

  it('refuses a forged touchstone (signed by another key)', () => {
    const mallory = createSigner(generateSigningKey('cis-1'));
    const forged = signTouchstone({ ...touchstone, root: touchstone.root }, mallory);
    expect(checkP2PPayment(pay(statement(1, 2), forged), ctx)).toMatchObject({
      ok: false,
      code: P2P.TOUCHSTONE_INVALID,
    });
  });

  it('refuses a statement forged with another key than the certified pseudonym key', () => {
    const mallory = createSigner(generateSigningKey('peer-r'));
    expect(checkP2PPayment(pay(statement(1, 2, payee, mallory)), ctx)).toMatchObject({
      ok: false,
      code: P2P.STATEMENT_SIGNATURE_INVALID,
    });
  });

  it('refuses a statement paying another S-peer (a stolen or replayed statement)', () => {
    expect(checkP2PPayment(pay(statement(1, 2, other)), ctx)).toMatchObject({
      ok: false,
      code: P2P.NOT_PAYEE,
    });
  });

  it('refuses a statement paying its own holder (coins moved to oneself, counted as supply)', () => {
    expect(checkP2PPayment(pay(statement(1, 2, pseudonym)), { ...ctx, payee: pseudonym })).toMatchObject({
      ok: false,
      code: P2P.SELF_PAYMENT,
    });
  });

  it('refuses a forged payword and a wrong price', () => {
    const s = statement(1, 2);
    const flipped = { ...s, payword: s.payword.replace(/^./, (c) => (c === '0' ? '1' : '0')) };
    const resigned = signIndexStatement(flipped, peerKey);
    expect(checkP2PPayment(pay(resigned), ctx)).toMatchObject({ ok: false, code: P2P.PAYWORD_FORGED });
    expect(checkP2PPayment(pay(statement(1, 3)), ctx)).toMatchObject({ ok: false, code: P2P.WRONG_PRICE });
  });

  it('refuses a certificate of another pseudonym than the chain names', () => {
    const foreign = signPseudonymCertificate({ ...certificate, pseudonym: other }, cis);
    expect(checkP2PPayment(pay(statement(1, 2), touchstone, foreign), ctx)).toMatchObject({
      ok: false,
      code: P2P.HOLDER_MISMATCH,
    });
  });

  it('parses the wire form strictly', () => {
    const wire = JSON.parse(JSON.stringify(pay(statement(1, 2)))) as Record<string, unknown>;
    expect(parseP2PPayment(wire).statement.fromIndex).toBe(1);
    expect(() => parseP2PPayment({ ...wire, extra: 1 })).toThrow(/unknown field/);
  });
});

describe('double-spend proofs', () => {
  it('two signed statements over one position to two S-peers prove it', () => {
    const proof = { first: statement(1, 2, payee), second: statement(2, 2, other) };
    expect(checkDoubleSpendProof(proof, peerKey.publicKey)).toEqual({
      ok: true,
      chainId,
      pseudonym,
      overlap: [2, 2],
    });
  });

  it('one statement shown twice (a retry) proves nothing', () => {
    const s = statement(1, 2);
    expect(checkDoubleSpendProof({ first: s, second: s }, peerKey.publicKey)).toMatchObject({
      ok: false,
      code: P2P.PROOF_INVALID,
    });
  });

  it('disjoint statements or a forged one prove nothing', () => {
    expect(
      checkDoubleSpendProof({ first: statement(1, 2), second: statement(3, 2, other) }, peerKey.publicKey),
    ).toMatchObject({ ok: false });
    const mallory = createSigner(generateSigningKey('peer-r'));
    const framed = { first: statement(1, 2), second: statement(1, 2, other, mallory) };
    expect(checkDoubleSpendProof(framed, peerKey.publicKey)).toMatchObject({
      ok: false,
      code: P2P.PROOF_INVALID,
    });
  });

  it('digests differ for the same positions shown to two S-peers', () => {
    expect(statementDigest(statement(1, 2, payee))).not.toBe(statementDigest(statement(1, 2, other)));
  });
});
