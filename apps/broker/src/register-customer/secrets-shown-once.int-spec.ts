import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { startBroker, type TestBroker } from '../test/broker-harness.js';
import { type IntStack, intStack, REDIS_URL } from '../test/int-stack.js';
import { openBankAccount, registerCustomer, registerVendor } from '../test/scenario.js';

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
});
