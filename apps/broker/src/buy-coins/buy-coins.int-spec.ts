import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { startBroker, type TestBroker } from '../test/broker-harness.js';
import { FaultyEventStore } from '../test/faults.js';
import { type IntStack, intStack, REDIS_URL } from '../test/int-stack.js';
import { bankBalance, buy, openBankAccount, registerCustomer } from '../test/scenario.js';
import type { CoinsPurchasedAnswer } from './buy-coins.command.js';
import { replayOf } from '../test/seeds.js';
import { WalletSeeds, walletSeedStream } from './wallet-seeds.js';

// Purchases against real JetStream (events, bank ledger) and Redis (Idempotency-Key records).
describe('buying coins (JetStream + Redis)', () => {
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

  const typesSince = async (from: number): Promise<string[]> =>
    (await stack.store.readAll()).slice(from).map((e) => e.type);

  it('a buy the bank declines issues no chain and charges nothing', async () => {
    const customer = await registerCustomer(broker.http, 99);
    const before = (await stack.store.readAll()).length;
    const res = await buy(broker.http, customer, { coins: 20, coinValue: 5 });
    expect(res.status).toBe(402);
    expect(res.json()).toMatchObject({ code: 'PURCHASE.DECLINED', reason: 'insufficient-funds' });
    expect(await typesSince(before)).toEqual([
      'PurchaseRequested',
      'BankPaymentDeclined',
      'PurchaseDeclined',
    ]);
    expect(await bankBalance(broker.http, customer.bankAccount)).toBe(99);
  });

  it('a retried buy is charged once and gets the same chains, even after its Redis record is lost', async () => {
    const customer = await registerCustomer(broker.http, 1_000);
    const key = `buy-${randomUUID()}`;
    const first = await buy(broker.http, customer, { coins: 60, coinValue: 2 }, key);
    expect(first.status).toBe(201);
    const replayed = await buy(broker.http, customer, { coins: 60, coinValue: 2 }, key);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');

    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${stack.config.redisKeyPrefix}*`);
    await redis.del(...keys);
    await redis.quit();
    const afterLoss = await buy(broker.http, customer, { coins: 60, coinValue: 2 }, key);
    expect(afterLoss.status).toBe(201);
    expect(afterLoss.headers.get('idempotent-replayed')).toBeNull(); // really ran again
    expect(afterLoss.json()).toEqual(replayOf(first.json())); // the seeds were shown once

    expect(await bankBalance(broker.http, customer.bankAccount)).toBe(1_000 - 120);
    const chainIds = first.json<CoinsPurchasedAnswer>().chains.map((c) => c.chainId);
    const issued = (await stack.store.readAll()).filter(
      (e) => e.type === 'ChainIssued' && chainIds.includes((e.data as { chainId: string }).chainId),
    );
    expect(issued).toHaveLength(2); // 60 coins = 50 + 10, each issued once
  });

  it('keeps no client seed in Redis: the Idempotency-Key record holds no answer, a retry answers again', async () => {
    const customer = await registerCustomer(broker.http, 1_000);
    const body = { coins: 5, walletNonce: randomBytes(32).toString('hex') };
    const first = await buy(broker.http, customer, body, 'seedless-key-0001');
    const seed = first.json<CoinsPurchasedAnswer>().chains[0]!.seed!;
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${stack.config.redisKeyPrefix}*`);
    const values = await Promise.all(keys.map((k) => redis.get(k)));
    expect(values.join('').length).toBeGreaterThan(0);
    await redis.quit();
    expect(values.join('\n')).not.toContain(seed);
    const again = await buy(broker.http, customer, body, 'seedless-key-0001');
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.json()).toEqual(replayOf(first.json()));
    expect(again.text).not.toContain(seed);
  });

  it('mixes the wallet’s nonce into client seeds: the broker alone cannot recompute them; a retry must repeat it', async () => {
    const customer = await registerCustomer(broker.http, 1_000);
    const walletNonce = randomBytes(32).toString('hex');
    const body = { coins: 5, walletNonce };
    const first = await buy(broker.http, customer, body, 'nonce-key-0001');
    const chain = first.json<CoinsPurchasedAnswer>().chains[0]!;
    expect(chain.seed).not.toBe(broker.app.get(WalletSeeds).clientSeed(chain.chainId));
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${stack.config.redisKeyPrefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    const otherNonce = await buy(
      broker.http,
      customer,
      { ...body, walletNonce: 'ab'.repeat(32) },
      'nonce-key-0001',
    );
    expect(otherNonce.json()).toMatchObject({ code: 'IDEMPOTENCY.KEY_REUSED' });
    const sameNonce = await buy(broker.http, customer, body, 'nonce-key-0001');
    expect(sameNonce.json()).toEqual(replayOf(first.json()));
  });

  it('a registration retried after its Redis record was lost is refused, not duplicated', async () => {
    const bankAccount = `acct_${randomUUID().replaceAll('-', '')}`;
    const bankMandate = await openBankAccount(broker.http, bankAccount, 1_000);
    const body = { name: 'Ada Reader', bankAccount, bankMandate };
    const first = await broker.http('POST', '/customers', { body, key: 'register-once-01' });
    expect(first.status).toBe(201);
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${stack.config.redisKeyPrefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    const again = await broker.http('POST', '/customers', { body, key: 'register-once-01' });
    expect(again.status).toBe(409);
    expect(again.json()).toMatchObject({ code: 'CUSTOMER.ALREADY_REGISTERED' });
    const customerId = first.json<{ customerId: string }>().customerId;
    expect(await stack.store.readStream(`customer-${customerId}`)).toHaveLength(1);
  });

  it('the same key with another body is refused', async () => {
    const customer = await registerCustomer(broker.http, 1_000);
    await buy(broker.http, customer, { coins: 5 }, 'same-key-other-body');
    const other = await buy(broker.http, customer, { coins: 6 }, 'same-key-other-body');
    expect(other.status).toBe(422);
    expect(other.json()).toMatchObject({ code: 'IDEMPOTENCY.KEY_REUSED' });
    expect(await bankBalance(broker.http, customer.bankAccount)).toBe(1_000 - 25);
  });

  it('concurrent buys by one customer leave an exact balance: every paid buy has its chains, no other', async () => {
    const customer = await registerCustomer(broker.http, 500);
    // 8 buys of 100 each against 500: exactly 5 can be paid, whatever the interleaving.
    const results = await Promise.all(
      Array.from({ length: 8 }, () => buy(broker.http, customer, { coins: 20, coinValue: 5 })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 201, 201, 201, 201, 402, 402, 402]);
    expect(await bankBalance(broker.http, customer.bankAccount)).toBe(0);
    const paid = results.filter((r) => r.status === 201).map((r) => r.json<CoinsPurchasedAnswer>());
    const chainIds = new Set(paid.flatMap((p) => p.chains.map((c) => c.chainId)));
    expect(chainIds.size).toBe(5);
    const events = await stack.store.readAll();
    const mine = events.filter(
      (e) =>
        e.type === 'CoinsPurchased' && (e.data as { customerId: string }).customerId === customer.customerId,
    );
    expect(mine).toHaveLength(5);
  });

  it.each(['client', 'server'] as const)(
    'a crash after the chains were issued (%s-side) is repaired by the retry: same chains, each stored once',
    async (wallet) => {
      const faulty = new FaultyEventStore(stack.store);
      const crashing = await startBroker({ store: faulty, config: stack.config });
      try {
        const customer = await registerCustomer(crashing.http, 1_000);
        faulty.failOnce(
          (stream, events) => stream.startsWith('purchase-') && events[0]?.type === 'CoinsPurchased',
        );
        const body = { coins: 60, coinValue: 1, wallet };
        const key = `crash-${wallet}-${randomUUID()}`;
        expect((await buy(crashing.http, customer, body, key)).status).toBe(500);
        const retry = await buy(crashing.http, customer, body, key);
        expect(retry.status).toBe(201);
        const answer = retry.json<CoinsPurchasedAnswer>();
        expect(answer.chains).toHaveLength(2);
        for (const chain of answer.chains) {
          const stored = await stack.store.readStream(`chain-${chain.chainId}`);
          expect(stored).toHaveLength(1);
          expect((stored[0]!.data as { touchstone: unknown }).touchstone).toEqual(chain.touchstone);
          if (wallet === 'server')
            expect(await stack.store.readStream(walletSeedStream(chain.chainId))).toHaveLength(1);
        }
        expect(await bankBalance(crashing.http, customer.bankAccount)).toBe(1_000 - 60);
        // The interrupted purchase's first answer shows the seeds; from the stored one, never again.
        if (wallet === 'client') expect(answer.chains.every((c) => c.seed !== undefined)).toBe(true);
        expect((await buy(crashing.http, customer, body, key)).json()).toEqual(replayOf(answer));
      } finally {
        await crashing.close();
      }
    },
  );
});
