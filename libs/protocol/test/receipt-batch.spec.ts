import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { batchPathLength, buildBatchTree, foldBatchPath, leafHash } from '../src/batch-tree.js';
import {
  encodeReceiptBatch,
  encodeReceiptBody,
  MAX_RECEIPT_BATCH_PATH,
  MAX_RECEIPT_BATCH_SIZE,
  parseReceipt,
  ProtocolError,
  publicKeyRecord,
  receiptLeafHash,
  signReceipt,
  signReceipts,
  verifyEd25519,
  verifyReceipt,
  type Receipt,
  type ReceiptBody,
} from '../src/index.js';
import { vendorAKey, vendorASigner, vendorBKey } from './fixtures.js';

const keys = [publicKeyRecord(vendorAKey, 'vendor-a'), publicKeyRecord(vendorBKey, 'vendor-b')];

const body = (n: number, overrides: Partial<ReceiptBody> = {}): ReceiptBody => ({
  receiptId: `rcpt-${n}`,
  vendorId: 'vendor-a',
  chainId: `chain-${n % 7}`,
  fromIndex: n + 1,
  toIndex: n + 2,
  amount: 10,
  currency: 'NZD',
  resource: `/articles/${n}`,
  at: '2026-11-21T09:00:00.000Z',
  vendorKeyId: vendorAKey.keyId,
  ...overrides,
});
const bodies = (count: number, from = 0) => Array.from({ length: count }, (_, i) => body(from + i));

const sha = (...parts: Uint8Array[]) => createHash('sha256').update(Buffer.concat(parts)).digest();

/** RFC 6962's MTH, written straight from the README, independently of the library. */
function specRoot(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return sha(Buffer.of(1), specRoot(leaves.slice(0, k)), specRoot(leaves.slice(k)));
}

/** RFC 6962's PATH(m, D[n]), leaf to root, from the README. */
function specPath(m: number, leaves: readonly Buffer[]): Buffer[] {
  if (leaves.length === 1) return [];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return m < k
    ? [...specPath(m, leaves.slice(0, k)), specRoot(leaves.slice(k))]
    : [...specPath(m - k, leaves.slice(k)), specRoot(leaves.slice(0, k))];
}

function specBatchMessage(size: number, root: Buffer): Buffer {
  const tag = Buffer.from('netpay/receipt-batch/v1');
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const u64 = Buffer.alloc(8);
  u64.writeBigUInt64BE(BigInt(size));
  return Buffer.concat([u32(tag.length), tag, u64, u32(root.length), root]);
}

const codeOf = (r: Receipt) => {
  const check = verifyReceipt(r, keys);
  return check.ok ? 'ok' : check.code;
};
const withBatch = (r: Receipt, change: Partial<NonNullable<Receipt['batch']>>): Receipt => ({
  ...r,
  batch: { ...r.batch!, ...change },
});

describe('signing receipts in batches', () => {
  it('makes a batch of one exactly today’s plain receipt, and a batch of none nothing', () => {
    expect(signReceipts([body(1)], vendorASigner)).toEqual([signReceipt(body(1), vendorASigner)]);
    expect(signReceipts([body(1)], vendorASigner)[0]).not.toHaveProperty('batch');
    expect(signReceipts([], vendorASigner)).toEqual([]);
  });

  it('signs once for all: every receipt carries the same signature and verifies on its own, also after JSON', () => {
    const receipts = signReceipts(bodies(5), vendorASigner);
    expect(new Set(receipts.map((r) => r.signature)).size).toBe(1);
    receipts.forEach((r, i) => {
      expect(r).toMatchObject({ ...body(i), batch: { index: i, size: 5 } });
      expect(verifyReceipt(parseReceipt(JSON.parse(JSON.stringify(r))), keys)).toMatchObject({
        ok: true,
        key: { ownerId: 'vendor-a' },
      });
    });
  });

  it('builds the README’s tree: RFC 6962 split at the largest power of two, leaf and node prefixes', () => {
    for (let size = 2; size <= 33; size++) {
      const batch = bodies(size);
      const leaves = batch.map((b) => sha(Buffer.of(0), encodeReceiptBody(b)));
      const root = specRoot(leaves);
      const receipts = signReceipts(batch, vendorASigner);
      expect(encodeReceiptBatch(size, root)).toEqual(specBatchMessage(size, root));
      expect(verifyEd25519(vendorAKey.publicKey, specBatchMessage(size, root), receipts[0]!.signature)).toBe(
        true,
      );
      receipts.forEach((r, i) => {
        expect(r.batch!.path).toEqual(specPath(i, leaves).map((h) => h.toString('hex')));
      });
    }
  });

  it('gives odd nodes no partner: in a batch of 5 the fifth leaf’s path is the one root of the first four', () => {
    expect([0, 1, 2, 3, 4].map((i) => batchPathLength(i, 5))).toEqual([3, 3, 3, 3, 1]);
    // 7 = 4 + (2 + 1): leaves 4 and 5 pair up, leaf 6 waits for them.
    expect([0, 4, 5, 6].map((i) => batchPathLength(i, 7))).toEqual([3, 3, 3, 2]);
    expect(batchPathLength(0, MAX_RECEIPT_BATCH_SIZE)).toBe(MAX_RECEIPT_BATCH_PATH);
    expect(batchPathLength(MAX_RECEIPT_BATCH_SIZE - 1, MAX_RECEIPT_BATCH_SIZE)).toBe(MAX_RECEIPT_BATCH_PATH);
    const receipts = signReceipts(bodies(5), vendorASigner);
    const leaves = bodies(4).map(receiptLeafHash);
    expect(receipts[4]!.batch!.path).toEqual([specRoot(leaves).toString('hex')]);
  });

  it('hashes leaves and inner nodes apart, so a node is never a leaf', () => {
    const bytes = encodeReceiptBody(body(1));
    expect(leafHash(bytes)).toEqual(sha(Buffer.of(0), bytes));
    const tree = buildBatchTree([leafHash(bytes), leafHash(bytes)]);
    expect(tree.root).toEqual(sha(Buffer.of(1), leafHash(bytes), leafHash(bytes)));
    expect(tree.root).not.toEqual(leafHash(Buffer.concat([leafHash(bytes), leafHash(bytes)])));
  });

  it('refuses a body signed with another key, an invalid body, and too many receipts, before signing', () => {
    let signed = 0;
    const counting = { ...vendorASigner, sign: (m: Uint8Array) => (signed++, vendorASigner.sign(m)) };
    expect(() => signReceipts([body(1), body(2, { vendorKeyId: vendorBKey.keyId })], counting)).toThrow(
      ProtocolError,
    );
    expect(() => signReceipts([body(1), body(2, { fromIndex: 9, toIndex: 3 })], counting)).toThrow(
      ProtocolError,
    );
    expect(() =>
      signReceipts(
        Array.from({ length: MAX_RECEIPT_BATCH_SIZE + 1 }, () => body(1)),
        counting,
      ),
    ).toThrow(ProtocolError);
    expect(signed).toBe(0);
  });
});

describe('verifying a batched receipt', () => {
  const receipts = signReceipts(bodies(6), vendorASigner);
  const r = receipts[2]!;
  const other = signReceipts(bodies(6, 100), vendorASigner);

  it('refuses another index (in range: the path folds elsewhere; out of range: malformed)', () => {
    expect(codeOf(withBatch(r, { index: 3 }))).toBe('SIGNATURE.INVALID');
    expect(codeOf(withBatch(r, { index: 6 }))).toBe('SIGNATURE.MALFORMED');
    expect(codeOf(withBatch(r, { index: -1 }))).toBe('SIGNATURE.MALFORMED');
    expect(codeOf(withBatch(r, { index: 2.5 }))).toBe('SIGNATURE.MALFORMED');
  });

  it('refuses another size, a size of one and sizes out of range', () => {
    // 6 → 7 keeps leaf 2's path length: the signed message differs.
    expect(codeOf(withBatch(r, { size: 7 }))).toBe('SIGNATURE.INVALID');
    expect(codeOf(withBatch(r, { size: 1, index: 0, path: [] }))).toBe('SIGNATURE.MALFORMED');
    expect(codeOf(withBatch(r, { size: MAX_RECEIPT_BATCH_SIZE + 1 }))).toBe('SIGNATURE.MALFORMED');
    expect(codeOf(withBatch(r, { size: 0 }))).toBe('SIGNATURE.MALFORMED');
  });

  it('refuses a path that is too short, too long, not lowercase hex or of the wrong width', () => {
    const path = r.batch!.path;
    expect(codeOf(withBatch(r, { path: path.slice(1) }))).toBe('SIGNATURE.MALFORMED');
    expect(codeOf(withBatch(r, { path: [...path, path[0]!] }))).toBe('SIGNATURE.MALFORMED');
    expect(codeOf(withBatch(r, { path: [path[0]!.toUpperCase(), ...path.slice(1)] }))).toBe(
      'SIGNATURE.MALFORMED',
    );
    expect(codeOf(withBatch(r, { path: ['zz'.repeat(32), ...path.slice(1)] }))).toBe('SIGNATURE.MALFORMED');
    expect(codeOf(withBatch(r, { path: [path[0]!.slice(2), ...path.slice(1)] }))).toBe('SIGNATURE.MALFORMED');
    expect(codeOf({ ...r, batch: null as never })).toBe('SIGNATURE.MALFORMED');
  });

  it('refuses a mutated body', () => {
    expect(codeOf({ ...r, amount: r.amount + 1 })).toBe('SIGNATURE.INVALID');
    expect(codeOf({ ...r, resource: '/articles/other' })).toBe('SIGNATURE.INVALID');
    expect(codeOf({ ...r, fromIndex: r.toIndex + 1 })).toBe('SIGNATURE.MALFORMED');
  });

  it('refuses a proof or signature from another batch, and a batch signature without its proof', () => {
    expect(codeOf({ ...r, batch: other[2]!.batch! })).toBe('SIGNATURE.INVALID');
    expect(codeOf({ ...r, signature: other[2]!.signature })).toBe('SIGNATURE.INVALID');
    expect(codeOf({ ...r, batch: other[2]!.batch!, signature: other[2]!.signature })).toBe(
      'SIGNATURE.INVALID',
    );
    const { batch: _dropped, ...bare } = r;
    expect(codeOf(bare)).toBe('SIGNATURE.INVALID');
    // And a plain receipt's signature with a proof bolted on.
    const plain = signReceipt(body(2), vendorASigner);
    expect(codeOf({ ...plain, batch: r.batch! })).toBe('SIGNATURE.INVALID');
  });

  it('refuses an inner node presented as a leaf (a proof shortened to a smaller batch)', () => {
    // Batch of 6 = 4 + 2. Receipt 0's path: [leaf 1, N(2,3), N(4,5)].
    const first = receipts[0]!;
    const [, n23, n45] = first.batch!.path.map((h) => Buffer.from(h, 'hex'));
    const n01 = buildBatchTree(bodies(2).map(receiptLeafHash)).root;
    const signedRoot = foldBatchPath(
      receiptLeafHash(first),
      0,
      6,
      first.batch!.path.map((h) => Buffer.from(h, 'hex')),
    );
    // As a shape, N(0,1) with the rest of the path reaches the signed root…
    expect(foldBatchPath(n01, 0, 3, [n23!, n45!])).toEqual(signedRoot);
    // …but a receipt's leaf is always SHA-256(0x00 ‖ body) and the signed message names the size.
    expect(
      codeOf(withBatch(first, { size: 3, index: 0, path: [n23!, n45!].map((h) => h.toString('hex')) })),
    ).toBe('SIGNATURE.INVALID');
    expect(codeOf(withBatch(first, { size: 2, index: 0, path: [n45!.toString('hex')] }))).toBe(
      'SIGNATURE.INVALID',
    );
    expect(codeOf(withBatch(first, { path: first.batch!.path.slice(1) }))).toBe('SIGNATURE.MALFORMED');
  });

  it('keeps the key-owner and unknown-key checks', () => {
    const forB = signReceipts([body(1, { vendorId: 'vendor-b' }), body(2)], vendorASigner);
    expect(codeOf(forB[0]!)).toBe('SIGNATURE.KEY_OWNER_MISMATCH');
    expect(codeOf(forB[1]!)).toBe('ok');
    expect(verifyReceipt(r, [publicKeyRecord(vendorBKey)])).toMatchObject({ code: 'SIGNATURE.UNKNOWN_KEY' });
  });
});

describe('parsing a batched receipt', () => {
  const r = signReceipts(bodies(3), vendorASigner)[0]!;
  const json = () =>
    JSON.parse(JSON.stringify(r)) as Record<string, unknown> & { batch: Record<string, unknown> };
  const parseError = (value: unknown) => {
    try {
      parseReceipt(value);
    } catch (error) {
      if (error instanceof ProtocolError) return { code: error.code, field: error.field };
      throw error;
    }
    throw new Error('parsed');
  };

  it('keeps exactly the proof’s fields, in a fresh copy', () => {
    const input = json();
    const parsed = parseReceipt(input);
    expect(parsed).toEqual(r);
    expect(parsed.batch!.path).not.toBe(input.batch.path);
  });

  it('refuses unknown, missing and ill-typed proof fields and any out-of-range value', () => {
    const cases: [(b: Record<string, unknown>) => void, string, string][] = [
      [(b) => (b.extra = 1), 'PROTOCOL.UNKNOWN_FIELD', 'batch.extra'],
      [(b) => delete b.path, 'PROTOCOL.MISSING_FIELD', 'batch.path'],
      [(b) => (b.index = '0'), 'PROTOCOL.BAD_TYPE', 'batch.index'],
      [(b) => (b.index = 3), 'PROTOCOL.BAD_VALUE', 'batch.index'],
      [(b) => (b.size = 1), 'PROTOCOL.BAD_VALUE', 'batch.size'],
      [(b) => (b.size = MAX_RECEIPT_BATCH_SIZE + 1), 'PROTOCOL.BAD_VALUE', 'batch.size'],
      [(b) => (b.path = 'ab'), 'PROTOCOL.BAD_TYPE', 'batch.path'],
      [(b) => (b.path = (b.path as string[]).slice(1)), 'PROTOCOL.BAD_LENGTH', 'batch.path'],
      [
        (b) => (b.path = Array.from({ length: MAX_RECEIPT_BATCH_PATH + 1 }, () => '00'.repeat(32))),
        'PROTOCOL.BAD_LENGTH',
        'batch.path',
      ],
      [(b) => ((b.path as string[])[1] = 'AB'.repeat(32)), 'PROTOCOL.BAD_HEX', 'batch.path.1'],
      [(b) => ((b.path as string[])[0] = 'ab'.repeat(31)), 'PROTOCOL.BAD_LENGTH', 'batch.path.0'],
      [(b) => ((b.path as unknown[])[0] = 7), 'PROTOCOL.BAD_TYPE', 'batch.path.0'],
    ];
    for (const [change, code, field] of cases) {
      const input = json();
      change(input.batch);
      expect(parseError(input)).toEqual({ code, field });
    }
    expect(parseError({ ...json(), batch: [] })).toEqual({ code: 'PROTOCOL.BAD_TYPE', field: 'batch' });
  });

  it('lets nothing but a ProtocolError escape, whatever replaces the proof or one of its fields', () => {
    const anything = fc.anything({ withNullPrototype: true, withBoxedValues: true, withSparseArray: true });
    fc.assert(
      fc.property(fc.constantFrom('batch', 'index', 'size', 'path', 'path.0'), anything, (where, value) => {
        const input = json();
        if (where === 'batch') input.batch = value as Record<string, unknown>;
        else if (where === 'path.0') (input.batch.path as unknown[])[0] = value;
        else input.batch[where] = value;
        let parsed: Receipt;
        try {
          parsed = parseReceipt(input);
        } catch (error) {
          if (!(error instanceof ProtocolError)) throw error;
          expect(error.field).toMatch(/^batch/);
          return;
        }
        // Whatever still parses is a well-formed proof: it verifies or is refused with a code.
        expect(['ok', 'SIGNATURE.INVALID']).toContain(codeOf(parsed));
      }),
      { numRuns: 400 },
    );
    expect(parseError({ ...json(), batch: null })).toEqual({ code: 'PROTOCOL.BAD_TYPE', field: 'batch' });
  });
});

/** A receipt body with arbitrary (valid) content; `tag` keeps receipt ids of two batches apart. */
const bodyArb = (tag: string) =>
  fc
    .record({
      n: fc.nat({ max: 1_000_000 }),
      fromIndex: fc.integer({ min: 1, max: 1_000_000 }),
      coins: fc.integer({ min: 1, max: 100 }),
      coinValue: fc.integer({ min: 1, max: 50 }),
      resource: fc.stringMatching(/^[a-zA-Z0-9/._-]{1,40}$/),
      ms: fc.integer({ min: 0, max: 999 }),
    })
    .map(({ n, fromIndex, coins, coinValue, resource, ms }) => ({
      receiptId: `${tag}-${n}`,
      vendorId: 'vendor-a',
      chainId: `chain-${n % 13}`,
      fromIndex,
      toIndex: fromIndex + coins - 1,
      amount: coins * coinValue,
      currency: 'NZD',
      resource,
      at: `2026-11-21T09:00:00.${String(ms).padStart(3, '0')}Z`,
      vendorKeyId: vendorAKey.keyId,
    }));

/** 1..64 bodies with distinct receipt ids (a batch never holds one receipt twice). */
const batchArb = (tag: string) =>
  fc.uniqueArray(bodyArb(tag), { minLength: 1, maxLength: 64, selector: (b) => b.receiptId });

function flipHexDigit(hex: string, at: number): string {
  const i = at % hex.length;
  const digit = ((parseInt(hex[i]!, 16) + 1) % 16).toString(16);
  return hex.slice(0, i) + digit + hex.slice(i + 1);
}

describe('batch properties', () => {
  it('every receipt of a random batch of 1..64 verifies, after JSON too', () => {
    fc.assert(
      fc.property(batchArb('a'), (batch) => {
        const receipts = signReceipts(batch, vendorASigner);
        expect(receipts).toHaveLength(batch.length);
        receipts.forEach((r, i) => {
          expect(r.batch?.index).toBe(batch.length === 1 ? undefined : i);
          expect(verifyReceipt(parseReceipt(JSON.parse(JSON.stringify(r))), keys).ok).toBe(true);
        });
      }),
      { numRuns: 60 },
    );
  });

  it('any single change of a body field, the index, the size or a path entry is refused', () => {
    const fields = Object.keys(body(0)) as (keyof ReceiptBody)[];
    fc.assert(
      fc.property(
        batchArb('a'),
        fc.nat(),
        fc.constantFrom('body', 'index', 'size', 'path'),
        fc.constantFrom(...fields),
        fc.nat(),
        (batch, pick, what, field, n) => {
          const receipts = signReceipts(batch, vendorASigner);
          const r = receipts[pick % receipts.length]!;
          let changed: Receipt;
          if (what === 'body' || r.batch === undefined) {
            const old = r[field];
            let next: string | number;
            if (typeof old === 'number') next = old + 1 + (n % 1000);
            else {
              const at = n % old.length;
              next = old.slice(0, at) + (old[at] === 'a' ? 'b' : 'a') + old.slice(at + 1);
            }
            changed = { ...r, [field]: next };
          } else if (what === 'index') {
            changed = withBatch(r, { index: (r.batch.index + 1 + (n % (r.batch.size - 1))) % r.batch.size });
          } else if (what === 'size') {
            const size = 2 + ((r.batch.size - 2 + 1 + (n % 70)) % 80);
            changed = withBatch(r, { size: size === r.batch.size ? size + 1 : size });
          } else {
            const path = [...r.batch.path];
            const at = n % path.length;
            path[at] = flipHexDigit(path[at]!, Math.floor(n / path.length));
            changed = withBatch(r, { path });
          }
          expect(verifyReceipt(changed, keys).ok).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('receipts of two batches cannot swap proofs (or signatures)', () => {
    fc.assert(
      fc.property(batchArb('a'), batchArb('b'), fc.nat(), fc.nat(), (a, b, i, j) => {
        const ra = signReceipts(a, vendorASigner);
        const rb = signReceipts(b, vendorASigner);
        const x = ra[i % ra.length]!;
        const y = rb[j % rb.length]!;
        const { batch: _x, signature: _s, ...bodyOfX } = x;
        const moved: Receipt = { ...bodyOfX, signature: y.signature, ...(y.batch ? { batch: y.batch } : {}) };
        expect(verifyReceipt(moved, keys).ok).toBe(false);
        if (y.batch) expect(verifyReceipt({ ...x, batch: y.batch }, keys).ok).toBe(false);
      }),
      { numRuns: 150 },
    );
  });
});
