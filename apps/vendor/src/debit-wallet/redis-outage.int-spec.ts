import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { authoriseVendor, buy, registerCustomer } from '../../../broker/src/test/scenario.js';
import { PrivateRedis } from '../../test/private-redis.js';
import { RealBrokerStack } from '../../test/real-broker-stack.js';

async function until(what: string, check: () => Promise<boolean>, limitMs = 30_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: not within ${limitMs} ms`);
}

describe('debits while the vendor’s Redis is away (private redis-server)', () => {
  let stack: RealBrokerStack;
  let redis: PrivateRedis | undefined;

  beforeAll(async () => {
    stack = await RealBrokerStack.start();
    redis = await PrivateRedis.start();
  });
  afterAll(async () => {
    await stack.dispose();
    await redis?.stop();
  });

  it('answers 503 REDIS.UNAVAILABLE (never 500 INTERNAL), then debits again once Redis is back', async () => {
    if (redis === undefined) return; // no redis-server binary: never stop the shared one
    const vendor = await stack.vendor('redis_out', { redisUrl: redis.url });
    await vendor.registration.done;
    const customer = await registerCustomer(stack.broker.http, 100_000);
    await buy(stack.broker.http, customer, { coins: 40, wallet: 'server' });
    const token = await authoriseVendor(stack.broker.http, customer, 'redis_out');
    const debit = () =>
      vendor.http('POST', '/debits', {
        body: { checkoutToken: token, count: 1 },
        headers: { 'idempotency-key': randomUUID() },
      });
    expect((await debit()).status).toBe(201);

    await redis.halt();
    let during;
    try {
      during = await debit();
      await until(
        'readiness turns 503',
        async () => (await vendor.http('GET', '/health/ready')).status === 503,
      );
    } finally {
      await redis.resume(); // a new, empty Redis on the same port
    }
    expect(during.status).toBe(503);
    expect(during.json()).toMatchObject({ code: 'REDIS.UNAVAILABLE' });

    const resumed = performance.now();
    await until(
      'readiness back to 200',
      async () => (await vendor.http('GET', '/health/ready')).status === 200,
    );
    await until('a debit goes through again', async () => (await debit()).status === 201);
    process.stderr.write(
      `redis outage: debits back ${((performance.now() - resumed) / 1000).toFixed(1)} s after Redis returned\n`,
    );
  }, 120_000);
});
