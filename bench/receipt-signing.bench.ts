import {
  createSigner,
  publicKeyRecord,
  signingKeyFromPrivate,
  signReceipt,
  signReceipts,
  forgetVerifiedSignatures,
  verifyReceipt,
  type Receipt,
  type ReceiptBody,
} from '#protocol';
import { ratioFigure, type BenchFigure } from './figures.js';
import { measureOpsPerSecond } from './measure.js';

/**
 * What batch signing saves the vendor: receipts signed one Ed25519 signature
 * each (`signReceipt`) against `signReceipts` over batches of 8 and 32 (one
 * signature per batch, plus a leaf hash per receipt and the tree's inner
 * nodes). And what it costs a content server: verifying one receipt of a
 * batch (fold the path, then one Ed25519 verify) against a plain one.
 */
export default async function receiptSigningBenchmarks(): Promise<BenchFigure[]> {
  const vendor = createSigner(signingKeyFromPrivate('bench-vendor', '09'.repeat(32)));
  const keys = [publicKeyRecord(vendor, 'bench-vendor')];
  const pool: ReceiptBody[] = Array.from({ length: 1024 }, (_, i) => ({
    receiptId: `rc_${i.toString(16).padStart(32, '0')}`,
    vendorId: 'bench-vendor',
    chainId: `chain-${i % 97}`,
    fromIndex: i + 1,
    toIndex: i + 1,
    amount: 5,
    currency: 'NZD',
    resource: 'GET /articles/a1',
    at: '2026-11-21T09:00:00.000Z',
    vendorKeyId: vendor.keyId,
  }));

  let at = 0;
  const single = measureOpsPerSecond(() => {
    signReceipt(pool[at]!, vendor);
    at = (at + 1) % pool.length;
  });
  const batched = (size: number): number => {
    const batches = Array.from({ length: pool.length / size }, (_, b) =>
      pool.slice(b * size, (b + 1) * size),
    );
    let next = 0;
    const rate = measureOpsPerSecond(() => {
      signReceipts(batches[next]!, vendor);
      next = (next + 1) % batches.length;
    });
    return rate * size;
  };
  const by8 = batched(8);
  const by32 = batched(32);

  const plain: Receipt[] = pool.slice(0, 64).map((body) => signReceipt(body, vendor));
  const inBatch: Receipt[] = signReceipts(pool.slice(0, 32), vendor);
  let v = 0;
  // A content server verifies each receipt once: the remembered good signatures are forgotten
  // before each verification (these loops verify the same few receipts again and again).
  const verifyPlain = measureOpsPerSecond(() => {
    forgetVerifiedSignatures();
    if (!verifyReceipt(plain[v]!, keys).ok) throw new Error('receipt did not verify');
    v = (v + 1) % plain.length;
  });
  const verifyBatched = measureOpsPerSecond(() => {
    forgetVerifiedSignatures();
    if (!verifyReceipt(inBatch[v % 32]!, keys).ok) throw new Error('receipt did not verify');
    v++;
  });

  const oneByOne: BenchFigure = {
    name: 'protocol.receipt-sign-single',
    value: single,
    unit: 'receipts/s',
    description: 'signReceipt: canonical encoding + one Ed25519 signature per receipt',
  };
  const batch8: BenchFigure = {
    name: 'protocol.receipt-sign-batch-8',
    value: by8,
    unit: 'receipts/s',
    description: 'signReceipts over batches of 8: 8 leaf hashes, 7 node hashes, 1 signature, paths as hex',
  };
  const batch32: BenchFigure = {
    name: 'protocol.receipt-sign-batch-32',
    value: by32,
    unit: 'receipts/s',
    description: 'signReceipts over batches of 32',
  };
  const verifyOne: BenchFigure = {
    name: 'protocol.receipt-verify-plain',
    value: verifyPlain,
    unit: 'verifications/s',
    description: 'verifyReceipt of a plain (v1) receipt',
  };
  const verifyInBatch: BenchFigure = {
    name: 'protocol.receipt-verify-batched-32',
    value: verifyBatched,
    unit: 'verifications/s',
    description: 'verifyReceipt of one receipt of a batch of 32: leaf hash, 5-hash fold, one Ed25519 verify',
  };
  return [
    oneByOne,
    batch8,
    batch32,
    ratioFigure('protocol.receipt-sign-batch-8-speedup', batch8, oneByOne),
    ratioFigure('protocol.receipt-sign-batch-32-speedup', batch32, oneByOne),
    verifyOne,
    verifyInBatch,
    ratioFigure('protocol.receipt-verify-batched-cost', verifyInBatch, verifyOne),
  ];
}
