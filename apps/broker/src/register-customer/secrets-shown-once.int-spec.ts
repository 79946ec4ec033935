import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { startBroker, type TestBroker } from '../test/broker-harness.js';
import { type IntStack, intStack, REDIS_URL } from '../test/int-stack.js';
import { randomBytes } from 'node:crypto';
import { paywordAt } from '#protocol';
import type { CoinsPurchasedAnswer } from '../buy-coins/buy-coins.command.js';
import type { ChainReissuedAnswer } from '../reissue-chain/reissue-chain.handler.js';
import { bankBalance, buy, openBankAccount, registerCustomer, registerVendor } from '../test/scenario.js';

/** Every value kept under the broker's Redis prefix, as one text. */
async function redisDump(prefix: string): Promise<string> {
  const redis = new Redis(REDIS_URL);
  try {
    const keys = await redis.keys(`${prefix}*`);
    const values = await Promise.all(keys.map((k) => redis.get(k).catch(() => '')));
    return values.join('\n');
  } finally {
    await redis.quit();
  }
}

// A secret is shown once: neither kept in clear under the Idempotency-Key records nor replayed.
describe('secrets shown once (JetStream + Redis)', () => {
  let stack: IntStack;
  let broker: TestBroker;

  beforeAll(async () => {
    stack = await intStack();
    broker = await startBroker({ store: stack.store, config: stack.config, idempotency: 'redis' });
  });
  afterAll(async () => {
    await broker?.close();
    await stack?.dispose();
  });

  it('answers a repeated registration without the token, and keeps no token in Redis', async () => {
    const bankMandate = await openBankAccount(broker.http, 'acct_once_1', 1_000, 'NZD');
    const body = { name: 'Ada Reader', bankAccount: 'acct_once_1', bankMandate };
    const first = await broker.http('POST', '/customers', { body, key: 'register-once-0001' });
    const again = await broker.http('POST', '/customers', { body, key: 'register-once-0001' });
    const { customerId, token } = first.json<{ customerId: string; token: string }>();
    expect(first.status).toBe(201);
    expect(token).toMatch(/^npc\./);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.json()).toEqual({ customerId, tokenType: 'Bearer', withheld: ['token'] });
    expect(again.text).not.toContain(token);
    expect(await redisDump(stack.config.redisKeyPrefix)).not.toContain(token.split('.').at(-1));
  });

  it('answers a repeated vendor authorisation without the checkout token, and keeps none in Redis', async () => {
    const customer = await registerCustomer(broker.http, 1_000);
    await registerVendor(broker.http, 'once_vendor');
    const call = () =>
      broker.http('POST', '/wallet/vendors', {
        body: { vendorId: 'once_vendor' },
        token: customer.token,
        key: 'authorise-once-0001',
      });
    const first = await call();
    const again = await call();
    const { checkoutToken, expiresAt } = first.json<{ checkoutToken: string; expiresAt: string }>();
    expect(first.status).toBe(201);
    expect(again.json()).toEqual({ vendorId: 'once_vendor', expiresAt, withheld: ['checkoutToken'] });
    expect(await redisDump(stack.config.redisKeyPrefix)).not.toContain(checkoutToken);
  });

  it('answers a retried client-side purchase without its seeds; the customer re-issues and loses nothing', async () => {
    const customer = await registerCustomer(broker.http, 1_000);
    const body = { coins: 60, coinValue: 2, walletNonce: randomBytes(32).toString('hex') };
    const first = await buy(broker.http, customer, body, 'buy-seeds-once-0001');
    const answer = first.json<CoinsPurchasedAnswer>();
    const seeds = answer.chains.map((c) => c.seed!);
    expect(first.status).toBe(201);
    expect(seeds).toHaveLength(2);
    expect(seeds.every((s) => /^[0-9a-f]{64}$/.test(s))).toBe(true);

    // The answer was lost; the retry (same key and body) is answered, but not with the seeds.
    const again = await buy(broker.http, customer, body, 'buy-seeds-once-0001');
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const replay = again.json<CoinsPurchasedAnswer>();
    expect(replay).toMatchObject({
      purchaseId: answer.purchaseId,
      withheld: ['chains[].seed'],
      recovery: expect.stringContaining('/reissue'),
    });
    expect(replay.chains.map((c) => c.chainId)).toEqual(answer.chains.map((c) => c.chainId));
    for (const seed of seeds) {
      expect(again.text).not.toContain(seed);
      expect(await redisDump(stack.config.redisKeyPrefix)).not.toContain(seed);
    }

    // Recovery: each chain re-issued, unspent, as a new chain with a new seed shown once.
    let recovered = 0;
    for (const chain of replay.chains) {
      const res = await broker.http('POST', `/chains/${chain.chainId}/reissue`, {
        token: customer.token,
        key: `reissue-${chain.chainId}`.slice(0, 60),
      });
      expect(res.status).toBe(201);
      const reissued = res.json<ChainReissuedAnswer>().chain!;
      expect(paywordAt(reissued.seed!, reissued.chainId, reissued.alg, reissued.length, 0)).toBe(
        reissued.touchstone.root,
      );
      recovered += reissued.length * reissued.touchstone.coinValue;
      // A retried re-issue (another key too) does not show that seed again, and says what to do.
      const retry = await broker.http('POST', `/chains/${chain.chainId}/reissue`, { token: customer.token });
      expect(retry.status).toBe(201);
      expect(retry.text).not.toContain(reissued.seed!);
      expect(retry.json()).toMatchObject({
        chain: { chainId: reissued.chainId },
        withheld: ['chain.seed'],
        recovery: expect.stringContaining(`/chains/${reissued.chainId}/reissue`),
      });
      // …which works in turn: the new chain re-issued whole.
      const second = await broker.http('POST', `/chains/${reissued.chainId}/reissue`, {
        token: customer.token,
      });
      expect(second.json<ChainReissuedAnswer>().chain).toMatchObject({
        length: reissued.length,
        seed: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
    }
    expect(recovered).toBe(120); // the whole purchase, charged once
    expect(await bankBalance(broker.http, customer.bankAccount)).toBe(1_000 - 120);
  });
});
