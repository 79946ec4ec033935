import { createHash } from 'node:crypto';
import {
  createSigner,
  encodeHandOffCertificateBody,
  encodeReceiptBatch,
  encodeReceiptBody,
  encodeTouchstoneBody,
  generateChain,
  receiptLeafHash,
  signHandOffCertificate,
  signReceipt,
  signReceipts,
  signTouchstone,
  signingKeyFromPrivate,
  type ChainAlgorithm,
  type HandOffCertificate,
  type HandOffCertificateBody,
  type Hex,
  type Receipt,
  type ReceiptBody,
  type SigningKey,
  type Touchstone,
  type TouchstoneBody,
  encodeCheckoutRequestBody,
  encodeHandOffRequestBody,
  encodeRevocationNoticeBody,
  encodeVendorKeyCertificateBody,
  encodeWalletGrantBody,
  signCheckoutRequest,
  signHandOffRequest,
  signRevocationNotice,
  signVendorKeyCertificate,
  signWalletGrant,
  type CheckoutRequestBody,
  type HandOffRequestBody,
  type RevocationNoticeBody,
  type SignedCheckoutRequest,
  type SignedHandOffRequest,
  type SignedRevocationNotice,
  type VendorKeyCertificate,
  type VendorKeyCertificateBody,
  type WalletGrant,
  type WalletGrantBody,
} from '../src/index.js';

/**
 * Builds the test vectors from fixed inputs. The committed JSON files are the
 * reference; `vectors.spec.ts` recomputes every output from the JSON's inputs
 * and fails when the code's output changes. Regenerate only for a deliberate,
 * versioned change of the wire format: `node dist/libs/protocol/vectors/generate.js`.
 */

export interface ChainVector {
  readonly alg: ChainAlgorithm;
  readonly weak: boolean;
  readonly chainId: string;
  readonly length: number;
  /** W[n+1] */
  readonly seed: Hex;
  /** W[0] … W[n]; W[0] is the root. */
  readonly words: readonly Hex[];
  readonly root: Hex;
}

export interface SignedVector<B, S> {
  readonly description: string;
  readonly key: SigningKey;
  readonly body: B;
  /** Canonical bytes that were signed. */
  readonly canonical: Hex;
  readonly signature: Hex;
  readonly signed: S;
}

/** Receipts signed together: one signature over the root of their hash tree. */
export interface ReceiptBatchVector {
  readonly description: string;
  readonly key: SigningKey;
  readonly bodies: readonly ReceiptBody[];
  /** SHA-256(0x00 ‖ canonical body) of each body, in order. */
  readonly leaves: readonly Hex[];
  readonly root: Hex;
  /** Canonical bytes of the batch message that was signed. */
  readonly canonical: Hex;
  readonly signature: Hex;
  readonly signed: readonly Receipt[];
}

export interface Vectors {
  readonly chains: readonly ChainVector[];
  readonly touchstones: readonly SignedVector<TouchstoneBody, Touchstone>[];
  readonly handOffs: readonly SignedVector<HandOffCertificateBody, HandOffCertificate>[];
  readonly receipts: readonly SignedVector<ReceiptBody, Receipt>[];
  readonly receiptBatches: readonly ReceiptBatchVector[];
  readonly vendorCertificates: readonly SignedVector<VendorKeyCertificateBody, VendorKeyCertificate>[];
  readonly handOffRequests: readonly SignedVector<HandOffRequestBody, SignedHandOffRequest>[];
  readonly walletGrants: readonly SignedVector<WalletGrantBody, WalletGrant>[];
  readonly revocationNotices: readonly SignedVector<RevocationNoticeBody, SignedRevocationNotice>[];
  readonly checkoutRequests: readonly SignedVector<CheckoutRequestBody, SignedCheckoutRequest>[];
}

const SEED = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
/** RFC 8032 §7.1 test 1 private key. */
const BROKER_PRIVATE = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const VENDOR_PRIVATE = '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb';
/** RFC 8032 §7.1 test 3 private key: vendor-b, the requester of hand-offs. */
const VENDOR_B_PRIVATE = 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7';

function signedVector<B, S extends { readonly signature: Hex }>(
  description: string,
  key: SigningKey,
  body: B,
  encode: (body: B) => Buffer,
  signed: S,
): SignedVector<B, S> {
  return {
    description,
    key,
    body,
    canonical: encode(body).toString('hex'),
    signature: signed.signature,
    signed,
  };
}

function chainVector(alg: ChainAlgorithm, chainId: string, length: number): ChainVector {
  const chain = generateChain({ chainId, length, alg, seed: SEED });
  const words = Array.from({ length: length + 1 }, (_, i) => chain.payword(i));
  return { alg, weak: alg === 'md5', chainId, length, seed: chain.seed, words, root: chain.root };
}

export function buildVectors(): Vectors {
  const brokerKey = signingKeyFromPrivate('broker-2026-01', BROKER_PRIVATE);
  const vendorKey = signingKeyFromPrivate('vendor-a-2026-01', VENDOR_PRIVATE);
  const broker = createSigner(brokerKey);
  const vendor = createSigner(vendorKey);
  const sha = chainVector('sha256', 'chain-0001', 8);
  const md5 = chainVector('md5', 'chain-md5-demo', 8);

  const touchstoneBodies: [string, TouchstoneBody][] = [
    [
      'sha256 chain, no vendor restriction',
      {
        chainId: sha.chainId,
        alg: 'sha256',
        root: sha.root,
        length: sha.length,
        coinValue: 2,
        currency: 'NZD',
        issuedAt: '2026-11-21T08:00:00.000Z',
        expiresAt: '2027-11-21T08:00:00.000Z',
        brokerKeyId: brokerKey.keyId,
      },
    ],
    [
      'md5 chain (WEAK, interop demo) restricted to two vendors, non-ASCII vendor id',
      {
        chainId: md5.chainId,
        alg: 'md5',
        root: md5.root,
        length: md5.length,
        coinValue: 1,
        currency: 'EUR',
        issuedAt: '2026-11-21T08:00:00.000Z',
        expiresAt: '2026-12-21T08:00:00.000Z',
        vendorRestriction: ['vendor-a', 'vendor-ü'],
        brokerKeyId: brokerKey.keyId,
      },
    ],
  ];
  const touchstones = touchstoneBodies.map(([description, body]) => {
    const signed = signTouchstone(body, broker);
    return {
      description,
      key: brokerKey,
      body,
      canonical: encodeTouchstoneBody(body).toString('hex'),
      signature: signed.signature,
      signed,
    };
  });

  const handOffBody: HandOffCertificateBody = {
    chainId: sha.chainId,
    fromVendor: 'vendor-a',
    toVendor: 'vendor-b',
    index: 4,
    lastPayword: sha.words[3]!,
    at: '2026-11-21T09:30:00.000Z',
    vendorKeyId: vendorKey.keyId,
  };
  const handOff = signHandOffCertificate(handOffBody, vendor);

  const receiptBody: ReceiptBody = {
    receiptId: 'rcpt-vendor-a-000001',
    vendorId: 'vendor-a',
    chainId: sha.chainId,
    fromIndex: 1,
    toIndex: 3,
    amount: 6,
    currency: 'NZD',
    resource: '/articles/2026/11/hash-chains',
    at: '2026-11-21T09:00:00.000Z',
    vendorKeyId: vendorKey.keyId,
  };
  const receipt = signReceipt(receiptBody, vendor);

  // Three receipts of one turn: the tree splits 2 + 1, so the third leaf's path is one hash.
  const batchBodies: ReceiptBody[] = [
    receiptBody,
    {
      ...receiptBody,
      receiptId: 'rcpt-vendor-a-000002',
      fromIndex: 4,
      toIndex: 4,
      amount: 2,
      resource: '/articles/2026/11/touchstones',
      at: '2026-11-21T09:00:00.001Z',
    },
    {
      ...receiptBody,
      receiptId: 'rcpt-vendor-a-000003',
      chainId: md5.chainId,
      fromIndex: 1,
      toIndex: 2,
      amount: 2,
      currency: 'EUR',
      resource: '/clips/ü-7',
      at: '2026-11-21T09:00:00.001Z',
    },
  ];
  const batch = signReceipts(batchBodies, vendor);
  const leaves = batchBodies.map((body) => receiptLeafHash(body).toString('hex'));
  const batchRoot = nodeHashHex(nodeHashHex(leaves[0]!, leaves[1]!), leaves[2]!);

  const vendorBKey = signingKeyFromPrivate('vendor-b-2026-01', VENDOR_B_PRIVATE);
  const certificateBody: VendorKeyCertificateBody = {
    vendorId: 'vendor-b',
    keyId: vendorBKey.keyId,
    publicKey: vendorBKey.publicKey,
    notBefore: '2026-11-21T00:00:00.000Z',
    notAfter: '2026-11-28T00:00:00.000Z',
    brokerKeyId: brokerKey.keyId,
  };
  const requestBody: HandOffRequestBody = {
    chainId: sha.chainId,
    holder: 'vendor-a',
    requester: 'vendor-b',
    at: '2026-11-21T09:29:59.500Z',
    nonce: '00112233445566778899aabbccddeeff',
    requesterKeyId: vendorBKey.keyId,
  };
  const grantBody: WalletGrantBody = {
    chainId: sha.chainId,
    vendorId: 'vendor-b',
    issuedAt: '2026-11-21T09:30:00.000Z',
    notAfter: '2026-11-21T09:31:00.000Z',
    brokerKeyId: brokerKey.keyId,
  };
  const noticeBody: RevocationNoticeBody = {
    kind: 'chain',
    id: sha.chainId,
    reason: 'wallet reported lost',
    at: '2026-11-21T10:00:00.000Z',
    brokerKeyId: brokerKey.keyId,
  };
  const checkoutBody: CheckoutRequestBody = {
    vendorId: 'vendor-b',
    checkoutToken: 'nct.c2VhbGVkLXRva2VuLWV4YW1wbGU',
    coins: 100,
    at: '2026-11-21T09:29:00.000Z',
    nonce: 'ffeeddccbbaa99887766554433221100',
    vendorKeyId: vendorBKey.keyId,
  };
  const vendorB = createSigner(vendorBKey);

  return {
    vendorCertificates: [
      signedVector(
        'the broker certifies vendor-b key for a week',
        brokerKey,
        certificateBody,
        encodeVendorKeyCertificateBody,
        signVendorKeyCertificate(certificateBody, broker),
      ),
    ],
    handOffRequests: [
      signedVector(
        'vendor-b asks vendor-a for chain-0001',
        vendorBKey,
        requestBody,
        encodeHandOffRequestBody,
        signHandOffRequest(requestBody, vendorB),
      ),
    ],
    walletGrants: [
      signedVector(
        'vendor-b may take server-side wallet chain-0001 for a minute',
        brokerKey,
        grantBody,
        encodeWalletGrantBody,
        signWalletGrant(grantBody, broker),
      ),
    ],
    revocationNotices: [
      signedVector(
        'the broker revokes chain-0001',
        brokerKey,
        noticeBody,
        encodeRevocationNoticeBody,
        signRevocationNotice(noticeBody, broker),
      ),
    ],
    checkoutRequests: [
      signedVector(
        'vendor-b checks 100 coins out with a checkout token',
        vendorBKey,
        checkoutBody,
        encodeCheckoutRequestBody,
        signCheckoutRequest(checkoutBody, vendorB),
      ),
    ],
    chains: [sha, md5],
    touchstones,
    handOffs: [
      {
        description: 'vendor-a hands chain-0001 to vendor-b at I = 4',
        key: vendorKey,
        body: handOffBody,
        canonical: encodeHandOffCertificateBody(handOffBody).toString('hex'),
        signature: handOff.signature,
        signed: handOff,
      },
    ],
    receipts: [
      {
        description: 'vendor-a receipt for positions 1..3 of chain-0001',
        key: vendorKey,
        body: receiptBody,
        canonical: encodeReceiptBody(receiptBody).toString('hex'),
        signature: receipt.signature,
        signed: receipt,
      },
    ],
    receiptBatches: [
      {
        description: 'three vendor-a receipts signed as one batch (tree 2 + 1)',
        key: vendorKey,
        bodies: batchBodies,
        leaves,
        root: batchRoot,
        canonical: encodeReceiptBatch(batch.length, Buffer.from(batchRoot, 'hex')).toString('hex'),
        signature: batch[0]!.signature,
        signed: batch,
      },
    ],
  };
}

/** SHA-256(0x01 ‖ left ‖ right) of two hex hashes. */
function nodeHashHex(left: Hex, right: Hex): Hex {
  return createHash('sha256')
    .update(Buffer.concat([Buffer.of(1), Buffer.from(left, 'hex'), Buffer.from(right, 'hex')]))
    .digest('hex');
}
