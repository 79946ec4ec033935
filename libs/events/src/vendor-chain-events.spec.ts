import { describe, expect, it } from '@jest/globals';
import {
  createSigner,
  publicKeyRecord,
  signHandOffCertificate,
  signingKeyFromPrivate,
  signVendorKeyCertificate,
  type Signer,
  type VendorKeyCertificate,
} from '#protocol';
import {
  ChainEventTrust,
  checkVendorSignedChainEvent,
  judgeChainEvent,
  signClaim,
} from './broker-chain-events.js';
import type { ChainClaimed, IndexHandedOff } from './chain.events.js';

const broker = createSigner(signingKeyFromPrivate('broker_k1', '11'.repeat(32)));
const brokerKeys = [publicKeyRecord(broker, 'broker')];
const va = createSigner(signingKeyFromPrivate('va_k1', '22'.repeat(32)));
const vb = createSigner(signingKeyFromPrivate('vb_k1', '33'.repeat(32)));
const stream = 'chain-c1';
const at = '2026-03-10T01:00:00.000Z';
const word = 'ab'.repeat(32);

function certificateOf(vendorId: string, signer: Signer): VendorKeyCertificate {
  return signVendorKeyCertificate(
    {
      vendorId,
      keyId: signer.keyId,
      publicKey: signer.publicKey,
      notBefore: '2026-03-10T00:00:00.000Z',
      notAfter: '2026-03-11T00:00:00.000Z',
      brokerKeyId: broker.keyId,
    },
    broker,
  );
}

function handOff(
  signer: Signer,
  holderCertificate?: VendorKeyCertificate,
  when = at,
): IndexHandedOff['data'] {
  const certificate = signHandOffCertificate(
    {
      chainId: 'c1',
      fromVendor: 'va',
      toVendor: 'vb',
      index: 5,
      lastPayword: word,
      at: when,
      vendorKeyId: signer.keyId,
    },
    signer,
  );
  return { certificate, ...(holderCertificate ? { holderCertificate } : {}), at: when };
}

const claim: ChainClaimed = {
  type: 'ChainClaimed',
  version: 1,
  data: {
    chainId: 'c1',
    fromVendor: 'va',
    toVendor: 'vb',
    index: 5,
    lastPayword: word,
    reason: 'holder-timeout',
    at,
  },
};

const judge = (type: string, data: unknown, revision = 4) =>
  checkVendorSignedChainEvent(stream, { type, revision, data }, brokerKeys);

describe('hand-offs and claims are believed only when their vendor signed them (key certified by the broker)', () => {
  it('a hand-off: valid with the giver’s certificate; unsigned without; invalid under another key or out of its validity', () => {
    expect(judge('IndexHandedOff', handOff(va, certificateOf('va', va))).verdict).toBe('valid');
    expect(judge('IndexHandedOff', handOff(va)).verdict).toBe('unsigned');
    // vb signs "from va" with its own key and shows its own (good) certificate.
    expect(judge('IndexHandedOff', handOff(vb, certificateOf('vb', vb))).verdict).toBe('invalid');
    // vb's key under a certificate that names va: not the broker's signature any more.
    const lying = { ...certificateOf('vb', vb), vendorId: 'va' };
    expect(judge('IndexHandedOff', handOff(vb, lying)).verdict).toBe('invalid');
    expect(
      judge('IndexHandedOff', handOff(va, certificateOf('va', va), '2026-03-12T00:00:00.000Z')).verdict,
    ).toBe('invalid');
    // Copied into another chain's stream.
    const copy = checkVendorSignedChainEvent(
      'chain-c2',
      { type: 'IndexHandedOff', revision: 4, data: handOff(va, certificateOf('va', va)) },
      brokerKeys,
    );
    expect(copy.verdict).toBe('invalid');
    // A spend needs no signature: the fold hashes it.
    expect(judgeChainEvent(stream, { type: 'CoinsSpent', revision: 4, data: {} }, brokerKeys)).toBe('vendor');
  });

  it('a claim: valid signed by its claimant for its revision; unsigned, tampered, moved or signed by another vendor is not', () => {
    const signed = signClaim(vb, certificateOf('vb', vb), stream, 4, claim);
    expect(judge('ChainClaimed', signed.data).verdict).toBe('valid');
    expect(judge('ChainClaimed', claim.data).verdict).toBe('unsigned');
    expect(judge('ChainClaimed', { ...signed.data, index: 6 }).verdict).toBe('invalid');
    expect(judge('ChainClaimed', signed.data, 5).verdict).toBe('invalid');
    // va signs a claim in vb's name.
    expect(judge('ChainClaimed', signClaim(va, certificateOf('va', va), stream, 4, claim).data).verdict).toBe(
      'invalid',
    );
    // A broker signature does not stand for the claimant's.
    const { vendorSignature: _gone, ...rest } = signed.data;
    expect(judge('ChainClaimed', { ...rest, brokerSignature: signed.data.vendorSignature }).verdict).toBe(
      'unsigned',
    );
  });

  it('a vendor reader admits them once per event, asking for the broker key the certificate names', async () => {
    const asked: string[] = [];
    const forged: string[] = [];
    const trust = new ChainEventTrust(
      (keyId) => {
        asked.push(keyId);
        return brokerKeys.find((k) => k.keyId === keyId);
      },
      (f) => forged.push(`${f.type}:${f.verdict}`),
    );
    const good = {
      type: 'IndexHandedOff',
      revision: 4,
      id: 'e4',
      data: handOff(va, certificateOf('va', va)),
    };
    const bad = { type: 'ChainClaimed', revision: 5, id: 'e5', data: claim.data };
    expect(await trust.admits(stream, good)).toBe(true);
    expect(await trust.admits(stream, good)).toBe(true);
    expect(await trust.admits(stream, bad)).toBe(false);
    expect(asked).toEqual(['broker_k1']);
    expect(forged).toEqual(['ChainClaimed:unsigned']);
  });
});
