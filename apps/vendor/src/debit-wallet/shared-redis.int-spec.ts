import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { generateSigningKey, type Receipt } from '#protocol';
import { SealedValues } from './sealed-values.js';
import { RedisWalletSliceStore, type WalletSlice } from './wallet-slice-store.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

// An insider probe: every vendor reaches the one cache Redis (npm start, compose, the chart), and
// the slices it held were JSON in clear there: another vendor read a customer's unspent paywords
// released to newspaper (then claimed the chain and spent them as its own: the night pays a
// holder's spends), and could plant a token's chain or a kept debit. Values are sealed now.
describe('wallet slices in a Redis other vendors reach (real Redis)', () => {
  const prefix = `test:shared-redis:${randomUUID()}:`;
  let redis: Redis;
  let raw: Redis;
  let newspaper: RedisWalletSliceStore;
  let greetings: RedisWalletSliceStore;
  const words = ['aa'.repeat(32), 'bb'.repeat(32), 'cc'.repeat(32)];
  const slice: WalletSlice = { chainId: 'ch_shared_1', from: 52, words };

  beforeAll(() => {
    // The same Redis and the same key prefix: the worst case, a vendor that reads any key.
    redis = new Redis(REDIS_URL, { keyPrefix: prefix, maxRetriesPerRequest: 2 });
    raw = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
    newspaper = new RedisWalletSliceStore(
      redis,
      60_000,
      new SealedValues(generateSigningKey('n').privateKey),
    );
    greetings = new RedisWalletSliceStore(
      redis,
      60_000,
      new SealedValues(generateSigningKey('g').privateKey),
    );
  });
  afterAll(async () => {
    const keys = await raw.keys(`${prefix}*`);
    if (keys.length) await raw.del(...keys);
    await redis.quit();
    await raw.quit();
  });

  it('keeps no payword, token binding or debit in clear, and the owner reads them back', async () => {
    await newspaper.put(slice);
    await newspaper.bindToken('tokenhash1', 'ch_shared_1');
    const debit = { receiptId: 'r1', receipt: {} as Receipt, spend: {} as never };
    await newspaper.keepDebit('scope1', debit);
    const keys = await raw.keys(`${prefix}*`);
    const values = (await Promise.all(keys.map((k) => raw.get(k)))).join('\n');
    expect(keys).toHaveLength(3);
    for (const word of words) expect(values).not.toContain(word);
    expect(values).not.toContain('ch_shared_1');
    expect(await newspaper.get('ch_shared_1')).toEqual(slice);
    expect(await newspaper.chainForToken('tokenhash1')).toBe('ch_shared_1');
    expect(await newspaper.keptDebit('scope1')).toEqual(debit);
  });

  it("gives another vendor nothing, and takes nothing it plants or moves as the owner's", async () => {
    expect(await greetings.get('ch_shared_1')).toBeUndefined();
    expect(await greetings.chainForToken('tokenhash1')).toBeUndefined();
    // Planted by another vendor: the owner reads a miss, not the planted chain or slice.
    await greetings.bindToken('tokenhash2', 'ch_of_another_customer');
    await greetings.put({ chainId: 'ch_shared_2', from: 1, words });
    expect(await newspaper.chainForToken('tokenhash2')).toBeUndefined();
    expect(await newspaper.get('ch_shared_2')).toBeUndefined();
    // The owner's own value moved under another key does not open there either.
    await raw.set(`${prefix}checkout:tokenhash3`, (await raw.get(`${prefix}checkout:tokenhash1`))!);
    expect(await newspaper.chainForToken('tokenhash3')).toBeUndefined();
    // A plain JSON slice (as before) is not believed.
    await raw.set(`${prefix}slice:ch_shared_3`, JSON.stringify({ chainId: 'ch_shared_3', from: 1, words }));
    expect(await newspaper.get('ch_shared_3')).toBeUndefined();
  });
});
