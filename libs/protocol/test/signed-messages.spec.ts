import { describe, expect, it } from '@jest/globals';
import {
  checkHandOffRequest,
  checkVendorKeyCertificate,
  checkWalletGrant,
  createSigner,
  generateSigningKey,
  isFresh,
  newNonce,
  parseSignedCheckoutRequest,
  parseSignedHandOffRequest,
  parseSignedRevocationNotice,
  ProtocolError,
  publicKeyRecord,
  ReplayGuard,
  signCheckoutRequest,
  signHandOffRequest,
  signRevocationNotice,
  signVendorKeyCertificate,
  signWalletGrant,
  verifyCheckoutRequest,
  verifyRevocationNotice,
  type HandOffRequestBody,
} from '../src/index.js';

const broker = createSigner(generateSigningKey('broker-1'));
const rogue = createSigner(generateSigningKey('broker-1'));
const brokerKeys = [publicKeyRecord(broker, 'broker')];
const vendorB = createSigner(generateSigningKey('b-1'));
const now = '2026-11-21T09:30:00.000Z';

function certificateFor(vendorId: string, signer = vendorB, by = broker) {
  return signVendorKeyCertificate(
    {
      vendorId,
      keyId: signer.keyId,
      publicKey: signer.publicKey,
      notBefore: '2026-11-21T00:00:00.000Z',
      notAfter: '2026-11-22T00:00:00.000Z',
      brokerKeyId: by.keyId,
    },
    by,
  );
}

const body: HandOffRequestBody = {
  chainId: 'c1',
  holder: 'vendor_a',
  requester: 'vendor_b',
  at: now,
  nonce: newNonce(),
  requesterKeyId: vendorB.keyId,
};
const check = { holder: 'vendor_a', brokerKeys, now, windowMs: 60_000 };

describe('vendor key certificates', () => {
  it('a certificate signed by a key the verifier did not pin is CERTIFICATE.INVALID', () => {
    const forged = certificateFor('vendor_b', vendorB, rogue);
    expect(checkVendorKeyCertificate(forged, brokerKeys, { now }).ok).toBe(false);
    expect(checkVendorKeyCertificate(forged, brokerKeys, { now })).toMatchObject({
      code: 'CERTIFICATE.INVALID',
    });
  });

  it('is refused outside its validity and for another vendor', () => {
    const c = certificateFor('vendor_b');
    expect(checkVendorKeyCertificate(c, brokerKeys, { now: '2026-11-22T00:00:00.000Z' })).toMatchObject({
      code: 'CERTIFICATE.EXPIRED',
    });
    expect(checkVendorKeyCertificate(c, brokerKeys, { now: '2026-11-20T23:00:00.000Z' })).toMatchObject({
      code: 'CERTIFICATE.NOT_YET_VALID',
    });
    expect(checkVendorKeyCertificate(c, brokerKeys, { now, vendorId: 'ghost_thief' })).toMatchObject({
      code: 'CERTIFICATE.WRONG_VENDOR',
    });
    const tampered = { ...c, publicKey: rogue.publicKey };
    expect(checkVendorKeyCertificate(tampered, brokerKeys, { now })).toMatchObject({
      code: 'CERTIFICATE.INVALID',
    });
  });
});

describe('hand-off requests', () => {
  const certificate = certificateFor('vendor_b');

  it('an honest request passes', () => {
    expect(checkHandOffRequest(signHandOffRequest(body, vendorB), certificate, check)).toEqual({ ok: true });
  });

  it('is refused when signed by a key the certificate does not certify', () => {
    const thief = createSigner(generateSigningKey(vendorB.keyId));
    const forged = signHandOffRequest(body, thief);
    expect(checkHandOffRequest(forged, certificate, check)).toMatchObject({
      code: 'HANDOFF.SIGNATURE_INVALID',
    });
  });

  it('is refused when another vendor presents the certificate of the requester it names', () => {
    const ghost = signHandOffRequest({ ...body, requester: 'ghost_thief' }, vendorB);
    expect(checkHandOffRequest(ghost, certificate, check)).toMatchObject({
      code: 'CERTIFICATE.WRONG_VENDOR',
    });
  });

  it('is refused when addressed to another holder, or stale', () => {
    const other = signHandOffRequest({ ...body, holder: 'vendor_c' }, vendorB);
    expect(checkHandOffRequest(other, certificate, check)).toMatchObject({ code: 'HANDOFF.MISADDRESSED' });
    const old = signHandOffRequest({ ...body, at: '2026-11-21T09:28:59.999Z' }, vendorB);
    expect(checkHandOffRequest(old, certificate, check)).toMatchObject({ code: 'HANDOFF.STALE' });
  });

  it('a changed field breaks the signature', () => {
    const signed = signHandOffRequest(body, vendorB);
    const moved = parseSignedHandOffRequest({ ...signed, chainId: 'c2' });
    expect(checkHandOffRequest(moved, certificate, check)).toMatchObject({
      code: 'HANDOFF.SIGNATURE_INVALID',
    });
  });
});

describe('replay guard', () => {
  it('accepts a nonce once within the window', () => {
    const guard = new ReplayGuard(60_000);
    expect(guard.firstUse('n1', now, new Date(now))).toBe(true);
    expect(guard.firstUse('n1', now, new Date(now))).toBe(false);
    expect(guard.firstUse('n2', now, new Date(now))).toBe(true);
  });

  it('forgetting a nonce at capacity never lets it be replayed', () => {
    const guard = new ReplayGuard(60_000, 2);
    const t = (ms: number) => new Date(Date.parse(now) + ms).toISOString();
    expect(guard.firstUse('a', t(0), new Date(now))).toBe(true);
    expect(guard.firstUse('b', t(1), new Date(now))).toBe(true);
    expect(guard.firstUse('c', t(2), new Date(now))).toBe(true);
    // 'a' was forgotten: a request signed at or before it is refused anyway.
    expect(guard.firstUse('a', t(0), new Date(now))).toBe(false);
  });

  it('freshness is symmetric around the clock', () => {
    expect(isFresh('2026-11-21T09:31:00.000Z', now, 60_000)).toBe(true);
    expect(isFresh('2026-11-21T09:31:00.001Z', now, 60_000)).toBe(false);
  });
});

describe('wallet grants, revocation notices, checkout requests', () => {
  it('a wallet grant works only for its vendor, its chain, until it expires', () => {
    const grant = signWalletGrant(
      {
        chainId: 'c1',
        vendorId: 'vendor_b',
        issuedAt: '2026-11-21T09:30:00.000Z',
        notAfter: '2026-11-21T09:31:00.000Z',
        brokerKeyId: broker.keyId,
      },
      broker,
    );
    expect(checkWalletGrant(grant, brokerKeys, { chainId: 'c1', vendorId: 'vendor_b', now })).toEqual({
      ok: true,
    });
    expect(
      checkWalletGrant(grant, brokerKeys, { chainId: 'c1', vendorId: 'ghost_thief', now }),
    ).toMatchObject({
      code: 'WALLET_GRANT.MISMATCH',
    });
    expect(
      checkWalletGrant(grant, brokerKeys, {
        chainId: 'c1',
        vendorId: 'vendor_b',
        now: '2026-11-21T09:31:00.000Z',
      }),
    ).toMatchObject({ code: 'WALLET_GRANT.EXPIRED' });
    const forged = signWalletGrant({ ...grant, brokerKeyId: rogue.keyId }, rogue);
    expect(checkWalletGrant(forged, brokerKeys, { chainId: 'c1', vendorId: 'vendor_b', now })).toMatchObject({
      code: 'WALLET_GRANT.INVALID',
    });
  });

  it('a revocation notice signed by any other key does not verify', () => {
    const body = { kind: 'chain' as const, id: 'c1', reason: '', at: now, brokerKeyId: broker.keyId };
    expect(verifyRevocationNotice(signRevocationNotice(body, broker), brokerKeys).ok).toBe(true);
    expect(verifyRevocationNotice(signRevocationNotice(body, rogue), brokerKeys)).toMatchObject({
      code: 'SIGNATURE.INVALID',
    });
  });

  it('a vendor suspension and its lift are distinct signed notices: a suspension cannot be turned into a lift', () => {
    const body = { kind: 'vendor' as const, id: 'vx', reason: 'FRAUD', at: now, brokerKeyId: broker.keyId };
    const suspended = signRevocationNotice(body, broker);
    const lifted = signRevocationNotice({ ...body, lifted: true }, broker);
    expect(verifyRevocationNotice(suspended, brokerKeys).ok).toBe(true);
    expect(verifyRevocationNotice(lifted, brokerKeys).ok).toBe(true);
    expect(lifted.signature).not.toBe(suspended.signature);
    expect(verifyRevocationNotice({ ...suspended, lifted: true }, brokerKeys)).toMatchObject({
      code: 'SIGNATURE.INVALID',
    });
    expect(parseSignedRevocationNotice(JSON.parse(JSON.stringify(lifted)))).toEqual(lifted);
    expect(() => signRevocationNotice({ ...body, kind: 'chain', lifted: true }, broker)).toThrow(
      ProtocolError,
    );
    expect(() => parseSignedRevocationNotice({ ...suspended, kind: 'merchant' })).toThrow(ProtocolError);
  });

  it('a checkout request signed by another vendor with the token does not verify for the named vendor', () => {
    const vendorC = createSigner(generateSigningKey('c-1'));
    const keys = [publicKeyRecord(vendorB, 'vendor_b'), publicKeyRecord(vendorC, 'vendor_c')];
    const request = {
      vendorId: 'vendor_b',
      checkoutToken: 'nct.sniffed',
      coins: 10,
      at: now,
      nonce: newNonce(),
      vendorKeyId: vendorC.keyId,
    };
    expect(verifyCheckoutRequest(signCheckoutRequest(request, vendorC), keys)).toMatchObject({
      code: 'SIGNATURE.KEY_OWNER_MISMATCH',
    });
    const honest = signCheckoutRequest({ ...request, vendorKeyId: vendorB.keyId }, vendorB);
    expect(verifyCheckoutRequest(honest, keys).ok).toBe(true);
    expect(verifyCheckoutRequest({ ...honest, checkoutToken: 'nct.other' }, keys)).toMatchObject({
      code: 'SIGNATURE.INVALID',
    });
  });

  it('a checkout request may name minCoins: signed over (v2), so it cannot be lowered or dropped; without it, v1 as before', () => {
    const keys = [publicKeyRecord(vendorB, 'vendor_b')];
    const body = {
      vendorId: 'vendor_b',
      checkoutToken: 'nct.token',
      coins: 10,
      at: now,
      nonce: newNonce(),
      vendorKeyId: vendorB.keyId,
    };
    const v1 = signCheckoutRequest(body, vendorB);
    expect(v1).not.toHaveProperty('minCoins');
    const v2 = signCheckoutRequest({ ...body, minCoins: 3 }, vendorB);
    expect(v2.minCoins).toBe(3);
    expect(v2.signature).not.toBe(v1.signature);
    expect(verifyCheckoutRequest(v2, keys).ok).toBe(true);
    expect(verifyCheckoutRequest({ ...v2, minCoins: 1 }, keys)).toMatchObject({ code: 'SIGNATURE.INVALID' });
    const { minCoins: _dropped, ...withoutMin } = v2;
    expect(verifyCheckoutRequest(withoutMin, keys)).toMatchObject({ code: 'SIGNATURE.INVALID' });
    expect(parseSignedCheckoutRequest(v2)).toEqual(v2);
    expect(() => parseSignedCheckoutRequest({ ...v2, minCoins: 11 })).toThrow(/minCoins/);
    expect(() => parseSignedCheckoutRequest({ ...v2, minCoins: 0 })).toThrow(/minCoins/);
  });
});
