import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { authoriseVendor, buy, registerCustomer } from '../../../broker/src/test/scenario.js';
import { RealBrokerStack } from '../../test/real-broker-stack.js';

// A customer's chain the vendor holds has fewer coins left than the price, and the customer has
// bought another chain: the checkout must hand out a chain that can pay (it handed the short one
// out again and again, and every debit was refused WALLET.NO_PAYWORDS, for ever).
describe('server-side debits when the held chain has fewer coins left than the price (real broker)', () => {
  let stack: RealBrokerStack;

  beforeAll(async () => {
    stack = await RealBrokerStack.start();
  });
  afterAll(() => stack.dispose());

  it('pays from another chain of the wallet; with no chain able to pay, CHECKOUT.NO_COINS says why', async () => {
    const vendor = await stack.vendor('short_v');
    await vendor.registration.done;
    const customer = await registerCustomer(stack.broker.http, 100_000);
    expect((await buy(stack.broker.http, customer, { coins: 3, wallet: 'server' })).status).toBe(201);
    const token = await authoriseVendor(stack.broker.http, customer, 'short_v');
    const debit = (count: number) =>
      vendor.http('POST', '/debits', {
        body: { checkoutToken: token, count, resource: 'a1' },
        headers: { 'idempotency-key': randomUUID() },
      });

    const first = await debit(2);
    expect(first.status).toBe(201);
    const short = first.json<{ receipt: { chainId: string } }>().receipt.chainId;

    // One coin left on the held chain, the price is 2: nothing can pay yet, and the answer says so.
    const refused = await debit(2);
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
