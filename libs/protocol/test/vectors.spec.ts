import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import {
  createSigner,
  encodeHandOffCertificateBody,
  encodeReceiptBody,
  encodeTouchstoneBody,
  generateChain,
  parseHandOffCertificate,
  parseReceipt,
  parseTouchstone,
  publicKeyRecord,
  signHandOffCertificate,
  signingKeyFromPrivate,
  signReceipt,
  signReceipts,
  signTouchstone,
  verifyEd25519,
  verifyHandOffCertificate,
  verifyReceipt,
  verifyTouchstone,
  checkHandOffRequest,
  checkVendorKeyCertificate,
  checkWalletGrant,
  encodeCheckoutRequestBody,
  encodeHandOffRequestBody,
  encodeRevocationNoticeBody,
  encodeVendorKeyCertificateBody,
  encodeWalletGrantBody,
  parseSignedCheckoutRequest,
  parseSignedHandOffRequest,
  parseSignedRevocationNotice,
  parseVendorKeyCertificate,
  parseWalletGrant,
  signCheckoutRequest,
  signHandOffRequest,
  signRevocationNotice,
  signVendorKeyCertificate,
  signWalletGrant,
  verifyCheckoutRequest,
  verifyRevocationNotice,
} from '../src/index.js';
import { buildVectors, type Vectors } from '../vectors/build-vectors.js';

function load<K extends keyof Vectors>(file: string): Vectors[K] {
  return JSON.parse(readFileSync(new URL(`../vectors/${file}`, import.meta.url), 'utf8')) as Vectors[K];
}

const committed: Vectors = {
  chains: load<'chains'>('chains.json'),
  touchstones: load<'touchstones'>('touchstones.json'),
  handOffs: load<'handOffs'>('hand-offs.json'),
  receipts: load<'receipts'>('receipts.json'),
  receiptBatches: load<'receiptBatches'>('receipt-batches.json'),
  vendorCertificates: load<'vendorCertificates'>('vendor-certificates.json'),
  handOffRequests: load<'handOffRequests'>('hand-off-requests.json'),
  walletGrants: load<'walletGrants'>('wallet-grants.json'),
  revocationNotices: load<'revocationNotices'>('revocation-notices.json'),
  checkoutRequests: load<'checkoutRequests'>('checkout-requests.json'),
};

/** The chain step re-implemented straight from the README, independent of the library. */
function specStep(alg: string, chainId: string, position: number, word: Buffer): Buffer {
  if (alg === 'md5') return createHash('md5').update(word).digest();
  const lp = (bytes: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(bytes.length);
    return Buffer.concat([len, bytes]);
  };
  const pos = Buffer.alloc(8);
  pos.writeBigUInt64BE(BigInt(position));
  return createHash('sha256')
    .update(
      Buffer.concat([lp(Buffer.from('netpay/payword/v1')), lp(Buffer.from(chainId, 'utf8')), pos, word]),
    )
    .digest();
}

describe('committed test vectors', () => {
  it('are exactly what the vector builder produces today', () => {
    expect(JSON.parse(JSON.stringify(buildVectors()))).toEqual(committed);
  });

  it.each(committed.chains.map((c) => [c.alg, c] as const))(
    '%s chain words follow from the seed',
    (_alg, v) => {
      const chain = generateChain({ chainId: v.chainId, length: v.length, alg: v.alg, seed: v.seed });
      expect(Array.from({ length: v.length + 1 }, (_, i) => chain.payword(i))).toEqual(v.words);
      expect(chain.root).toBe(v.root);
      let word: Buffer = Buffer.from(v.seed, 'hex');
      for (let position = v.length + 1; position >= 1; position--) {
        word = specStep(v.alg, v.chainId, position, word);
        expect(word.toString('hex')).toBe(v.words[position - 1]);
      }
    },
  );

  it('use the RFC 8032 key derivation (test 1 public key)', () => {
    const key = signingKeyFromPrivate('k', committed.touchstones[0]!.key.privateKey);
    expect(key.publicKey).toBe('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
    const rfcSignature =
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b';
    expect(createSigner(key).sign(new Uint8Array(0))).toBe(rfcSignature);
  });

  it.each(committed.touchstones.map((v) => [v.description, v] as const))('touchstone: %s', (_d, v) => {
    expect(encodeTouchstoneBody(v.body).toString('hex')).toBe(v.canonical);
    expect(signTouchstone(v.body, createSigner(v.key))).toEqual(v.signed);
    expect(v.signed.signature).toBe(v.signature);
    expect(verifyTouchstone(parseTouchstone(v.signed), [publicKeyRecord(v.key)]).ok).toBe(true);
  });

  it.each(committed.handOffs.map((v) => [v.description, v] as const))('hand-off: %s', (_d, v) => {
    expect(encodeHandOffCertificateBody(v.body).toString('hex')).toBe(v.canonical);
    expect(signHandOffCertificate(v.body, createSigner(v.key))).toEqual(v.signed);
    expect(v.signed.signature).toBe(v.signature);
    expect(verifyHandOffCertificate(parseHandOffCertificate(v.signed), [publicKeyRecord(v.key)]).ok).toBe(
      true,
    );
  });

  it.each(committed.receipts.map((v) => [v.description, v] as const))('receipt: %s', (_d, v) => {
    expect(encodeReceiptBody(v.body).toString('hex')).toBe(v.canonical);
    expect(signReceipt(v.body, createSigner(v.key))).toEqual(v.signed);
    expect(v.signed.signature).toBe(v.signature);
    expect(verifyReceipt(parseReceipt(v.signed), [publicKeyRecord(v.key)]).ok).toBe(true);
  });

  it.each(committed.receiptBatches.map((v) => [v.description, v] as const))('receipt batch: %s', (_d, v) => {
    // Leaves, tree and signed message recomputed from the README, independently of the library.
    const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
    const leaves = v.bodies.map((body) => sha(Buffer.of(0), encodeReceiptBody(body)));
    expect(leaves.map((l) => l.toString('hex'))).toEqual(v.leaves);
    const root = sha(Buffer.of(1), sha(Buffer.of(1), leaves[0]!, leaves[1]!), leaves[2]!);
    expect(root.toString('hex')).toBe(v.root);
    const tag = Buffer.from('netpay/receipt-batch/v1');
    const u32 = (n: number) => Buffer.of(0, 0, 0, n);
    const size = Buffer.alloc(8);
    size.writeBigUInt64BE(3n);
    const message = Buffer.concat([u32(tag.length), tag, size, u32(32), root]);
    expect(message.toString('hex')).toBe(v.canonical);
    expect(verifyEd25519(v.key.publicKey, message, v.signature)).toBe(true);
    // RFC 6962 paths: leaves 0 and 1 pair up, leaf 2 is the right subtree.
    expect(v.signed.map((r) => r.batch)).toEqual([
      { index: 0, size: 3, path: [v.leaves[1], v.leaves[2]] },
      { index: 1, size: 3, path: [v.leaves[0], v.leaves[2]] },
      { index: 2, size: 3, path: [sha(Buffer.of(1), leaves[0]!, leaves[1]!).toString('hex')] },
    ]);
    expect(signReceipts(v.bodies, createSigner(v.key))).toEqual(v.signed);
    for (const receipt of v.signed) {
      expect(receipt.signature).toBe(v.signature);
      expect(verifyReceipt(parseReceipt(receipt), [publicKeyRecord(v.key)]).ok).toBe(true);
    }
  });

  describe('signed messages between parties', () => {
    const broker = committed.touchstones[0]!.key;
    const brokerKeys = [publicKeyRecord(broker)];
    const certificate = committed.vendorCertificates[0]!;
    const request = committed.handOffRequests[0]!;

    it('vendor key certificate: broker-signed, canonical as specified', () => {
      const v = certificate;
      expect(encodeVendorKeyCertificateBody(v.body).toString('hex')).toBe(v.canonical);
      expect(signVendorKeyCertificate(v.body, createSigner(v.key))).toEqual(v.signed);
      // The README's layout, rebuilt by hand.
      const str = (x: string) => {
        const b = Buffer.from(x, 'utf8');
        const len = Buffer.alloc(4);
        len.writeUInt32BE(b.length);
        return Buffer.concat([len, b]);
      };
      const bytes = (hex: string) =>
        Buffer.concat([Buffer.of(0, 0, 0, hex.length / 2), Buffer.from(hex, 'hex')]);
      const b = v.body;
      const manual = Buffer.concat([
        str('netpay/vendor-key-certificate/v1'),
        str(b.vendorId),
        str(b.keyId),
        bytes(b.publicKey),
        str(b.notBefore),
        str(b.notAfter),
        str(b.brokerKeyId),
      ]);
      expect(manual.toString('hex')).toBe(v.canonical);
      const parsed = parseVendorKeyCertificate(v.signed);
      expect(checkVendorKeyCertificate(parsed, brokerKeys, { now: '2026-11-22T00:00:00.000Z' }).ok).toBe(
        true,
      );
    });

    it('hand-off request: signed by the requester, checked with its certificate', () => {
      const v = request;
      expect(encodeHandOffRequestBody(v.body).toString('hex')).toBe(v.canonical);
      expect(signHandOffRequest(v.body, createSigner(v.key))).toEqual(v.signed);
      const check = checkHandOffRequest(parseSignedHandOffRequest(v.signed), certificate.signed, {
        holder: 'vendor-a',
        brokerKeys,
        now: '2026-11-21T09:30:00.000Z',
        windowMs: 60_000,
      });
      expect(check).toEqual({ ok: true });
    });

    it('wallet grant, revocation notice and checkout request verify as committed', () => {
      const g = committed.walletGrants[0]!;
      expect(encodeWalletGrantBody(g.body).toString('hex')).toBe(g.canonical);
      expect(signWalletGrant(g.body, createSigner(g.key))).toEqual(g.signed);
      const use = { chainId: g.body.chainId, vendorId: 'vendor-b', now: '2026-11-21T09:30:00.000Z' };
      expect(checkWalletGrant(parseWalletGrant(g.signed), brokerKeys, use)).toEqual({ ok: true });

      const n = committed.revocationNotices[0]!;
      expect(encodeRevocationNoticeBody(n.body).toString('hex')).toBe(n.canonical);
      expect(signRevocationNotice(n.body, createSigner(n.key))).toEqual(n.signed);
      expect(verifyRevocationNotice(parseSignedRevocationNotice(n.signed), brokerKeys).ok).toBe(true);

      const c = committed.checkoutRequests[0]!;
      expect(encodeCheckoutRequestBody(c.body).toString('hex')).toBe(c.canonical);
      expect(signCheckoutRequest(c.body, createSigner(c.key))).toEqual(c.signed);
      const vendorKeys = [publicKeyRecord(c.key, 'vendor-b')];
      expect(verifyCheckoutRequest(parseSignedCheckoutRequest(c.signed), vendorKeys).ok).toBe(true);
    });
  });
});
