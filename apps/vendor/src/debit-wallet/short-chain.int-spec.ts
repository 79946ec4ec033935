import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { authoriseVendor, buy, registerCustomer } from '../../../broker/src/test/scenario.js';
import { PrivateRedis } from '../../test/private-redis.js';
import { RealBrokerStack } from '../../test/real-broker-stack.js';

// A customer's chain the vendor holds has fewer coins left than the price, and the customer has
// bought another chain: the checkout must hand out a chain that can pay (it handed the short one
// out again and again, and every debit was refused WALLET.NO_PAYWORDS, for ever). Seen in the
// fault suite after Redis came back empty: the vendor had lost its slices, checked out again, and
// was handed its near-empty chain each time.
/** The first answer that is not a 503 (the vendor's Redis client may still be reconnecting). */
async function until503Passes<T extends { status: number }>(send: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    const answer = await send();
    if (answer.status !== 503 || i > 100) return answer;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('server-side debits when the held chain has fewer coins left than the price (real broker)', () => {
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

  it('pays from another chain of the wallet; with no chain able to pay, CHECKOUT.NO_COINS says why', async () => {
    // The vendor's own redis-server when there is one: it is killed and comes back empty below.
    const vendor = await stack.vendor('vy', redis ? { redisUrl: redis.url } : {});
    await vendor.registration.done;
    const customer = await registerCustomer(stack.broker.http, 100_000);
    expect((await buy(stack.broker.http, customer, { coins: 3, wallet: 'server' })).status).toBe(201);
    const token = await authoriseVendor(stack.broker.http, customer, 'vy');
    const debit = (count: number) =>
      vendor.http('POST', '/debits', {
        body: { checkoutToken: token, count, resource: 'a1' },
        headers: { 'idempotency-key': randomUUID() },
      });

    const first = await debit(2);
    expect(first.status).toBe(201);
    const short = first.json<{ receipt: { chainId: string } }>().receipt.chainId;
    if (redis) {
      // Redis killed, back empty: the vendor's slice and the token's chain are gone.
      await redis.halt();
      await redis.resume();
    }

    // One coin left on the held chain, the price is 2: nothing can pay yet, and the answer says so.
    const refused = await until503Passes(() => debit(2));
    expect(refused.status).toBe(402);
    expect(refused.json()).toMatchObject({ code: 'CHECKOUT.NO_COINS' });
    expect(refused.json<{ detail: string }>().detail).toContain('2 unspent coins');

    expect((await buy(stack.broker.http, customer, { coins: 10, wallet: 'server' })).status).toBe(201);
    const paid = await debit(2);
    expect(paid.status).toBe(201);
    const receipt = paid.json<{ receipt: { chainId: string; fromIndex: number; toIndex: number } }>().receipt;
    expect(receipt.chainId).not.toBe(short);
    expect(receipt).toMatchObject({ fromIndex: 1, toIndex: 2 });
  }, 60_000);
});
