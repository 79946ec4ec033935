import { describe, expect, it } from '@jest/globals';
import {
  createSigner,
  generateSigningKey,
  publicKeyRecord,
  signReceipt,
  verifyReceipt,
  type Receipt,
  type ReceiptBody,
  type Signer,
} from '#protocol';
import { ReceiptBatcher } from './receipt-batcher.js';

const key = createSigner(generateSigningKey('va_key'));
const keys = [publicKeyRecord(key, 'va')];

/** The vendor's signer, counting signatures (and failing on demand). */
function countingSigner(fail: () => boolean = () => false): Signer & { signatures: number } {
  const signer = {
    keyId: key.keyId,
    publicKey: key.publicKey,
    signatures: 0,
    sign(message: Uint8Array) {
      if (fail()) throw new Error('signing device unavailable');
      signer.signatures++;
      return key.sign(message);
    },
  };
  return signer;
}

const body = (n: number, overrides: Partial<ReceiptBody> = {}): ReceiptBody => ({
  receiptId: `rc_${n}`,
  vendorId: 'va',
  chainId: `chain-${n}`,
  fromIndex: 1,
  toIndex: 2,
  amount: 10,
  currency: 'NZD',
  resource: 'article-1',
  at: '2026-06-01T12:00:00.000Z',
  vendorKeyId: key.keyId,
  ...overrides,
});

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
const verifies = (r: Receipt) => verifyReceipt(r, keys).ok;

describe('ReceiptBatcher', () => {
  it('signs the receipts asked for in one turn with one signature, in its check phase', async () => {
    const signer = countingSigner();
    const batcher = new ReceiptBatcher(signer);
    const order: string[] = [];
    const pending = [1, 2, 3].map((n) =>
      batcher.sign(body(n)).then((r) => {
        order.push(`receipt ${n}`);
        return r;
      }),
    );
    queueMicrotask(() => order.push('microtask'));
    await Promise.resolve();
    expect(signer.signatures).toBe(0);
    const receipts = await Promise.all(pending);
    expect(order).toEqual(['microtask', 'receipt 1', 'receipt 2', 'receipt 3']);
    expect(signer.signatures).toBe(1);
    receipts.forEach((r, i) => {
      expect(r).toMatchObject({ ...body(i + 1), batch: { index: i, size: 3 } });
      expect(verifies(r)).toBe(true);
    });
  });

  it('gives a receipt alone in its turn exactly the plain receipt, and starts a new batch each turn', async () => {
    const signer = countingSigner();
    const batcher = new ReceiptBatcher(signer);
    expect(await batcher.sign(body(1))).toEqual(signReceipt(body(1), key));
    const [a, b] = await Promise.all([batcher.sign(body(2)), batcher.sign(body(3))]);
    expect(await batcher.sign(body(4))).not.toHaveProperty('batch');
    expect([a.batch?.size, b.batch?.size]).toEqual([2, 2]);
    expect(signer.signatures).toBe(3);
  });

  it('bounds a batch: 600 receipts of one turn take three signatures', async () => {
    const signer = countingSigner();
    const batcher = new ReceiptBatcher(signer, 256);
    const receipts = await Promise.all(Array.from({ length: 600 }, (_, n) => batcher.sign(body(n))));
    expect(signer.signatures).toBe(3);
    expect(receipts.map((r) => r.batch?.size)).toEqual([
      ...Array<number>(256).fill(256),
      ...Array<number>(256).fill(256),
      ...Array<number>(88).fill(88),
    ]);
    expect(receipts.map((r) => r.receiptId)).toEqual(Array.from({ length: 600 }, (_, n) => `rc_${n}`));
    expect(receipts.every(verifies)).toBe(true);
  });

  it('fails only the receipt that cannot be signed, not the others of its turn', async () => {
    const batcher = new ReceiptBatcher(countingSigner());
    const results = await Promise.allSettled([
      batcher.sign(body(1)),
      batcher.sign(body(2, { fromIndex: 5, toIndex: 4 })),
      batcher.sign(body(3)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    for (const r of results) if (r.status === 'fulfilled') expect(verifies(r.value)).toBe(true);
  });

  it('rejects every waiter when the signer fails, and signs again afterwards', async () => {
    let failing = true;
    const batcher = new ReceiptBatcher(countingSigner(() => failing));
    const results = await Promise.allSettled([1, 2, 3].map((n) => batcher.sign(body(n))));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    const alone = await Promise.allSettled([batcher.sign(body(4))]);
    expect(alone[0]).toMatchObject({ status: 'rejected', reason: { message: 'signing device unavailable' } });
    failing = false;
    expect(verifies(await batcher.sign(body(5)))).toBe(true);
  });

  it('refuses a batch bound that is not a positive integer', () => {
    expect(() => new ReceiptBatcher(key, 0)).toThrow(RangeError);
    expect(() => new ReceiptBatcher(key, 1.5)).toThrow(RangeError);
  });

  it('schedules a new check phase for receipts asked for after the last one ran', async () => {
    const signer = countingSigner();
    const batcher = new ReceiptBatcher(signer);
    const first = batcher.sign(body(1));
    await turn();
    expect(signer.signatures).toBe(1);
    // Were the batcher still marked as scheduled, this receipt would never come.
    expect(verifies(await batcher.sign(body(2)))).toBe(true);
    expect(verifies(await first)).toBe(true);
    expect(signer.signatures).toBe(2);
  });
});
