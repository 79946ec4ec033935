import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decode, streams } from '#events';
import {
  authoriseVendor,
  buy,
  registerCustomer,
  type TestCustomer,
} from '../../../broker/src/test/scenario.js';
import { acceptedPositions, eventTypes } from '../../test/chain-audit.js';
import { type BrokeredVendor, RealBrokerStack } from '../../test/real-broker-stack.js';

const debit = (vendor: BrokeredVendor, token: string, count: number) =>
  vendor.http('POST', '/debits', {
    body: { checkoutToken: token, count, resource: 'clip' },
    headers: { 'idempotency-key': randomUUID() },
  });

/**
 * `DELETE /wallet/vendors/:vendorId` takes effect at once: the broker ends the vendor's slice in
 * the chain's stream, the vendor's next debit is refused, and the unspent rest is the wallet's
 * again (real broker, vendors, NATS, JetStream, Redis; CHECKOUT_COINS is 10 here).
 */
describe('withdrawing a vendor stops it at once', () => {
  let stack: RealBrokerStack;
  let music: BrokeredVendor;
  let news: BrokeredVendor;
  let customer: TestCustomer;

  beforeAll(async () => {
    stack = await RealBrokerStack.start();
    [music, news] = await Promise.all([stack.vendor('music'), stack.vendor('news')]);
    await Promise.all([music.registration.done, news.registration.done]);
    customer = await registerCustomer(stack.broker.http, 100_000);
  });
  afterAll(() => stack.dispose());

  it('the withdrawn vendor cannot debit the rest of its slice; the next vendor starts where it stopped', async () => {
    const bought = await buy(stack.broker.http, customer, { coins: 40, wallet: 'server' });
    const chainId = bought.json<{ chains: { chainId: string }[] }>().chains[0]!.chainId;
    const musicToken = await authoriseVendor(stack.broker.http, customer, 'music');
    expect((await debit(music, musicToken, 2)).status).toBe(201); // checks 1..10 out, spends 1..2

    const withdrawn = await stack.broker.http('DELETE', '/wallet/vendors/music', {
      token: customer.token,
      key: randomUUID(),
    });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.json()).toMatchObject({ vendorId: 'music', authorised: false, slicesWithdrawn: 1 });

    const refused = await debit(music, musicToken, 2);
    expect({ status: refused.status, code: refused.json<{ code?: string }>().code }).toEqual({
      status: 403,
      code: 'CHAIN.SLICE_WITHDRAWN',
    });
    // Again, now that the vendor knows: still refused, and nothing recorded.
    expect((await debit(music, musicToken, 1)).status).toBeGreaterThanOrEqual(400);
    expect(await acceptedPositions(stack.store, chainId)).toEqual([
      { position: 1, vendorId: 'music' },
      { position: 2, vendorId: 'music' },
    ]);
    const types = await eventTypes(stack.store, chainId);
    expect(types).toEqual(['ChainIssued', 'WalletCheckedOut', 'CoinsSpent', 'SliceWithdrawn']);
    // The chain stream names the vendor and the chain, never the customer.
    const recorded = await stack.store.readStream(streams.chain(chainId));
    const withdrawal = decode(recorded[3]!);
    expect(withdrawal?.data).toEqual({
      chainId,
      vendorId: 'music',
      index: 3,
      lastPayword: expect.any(String),
      at: expect.any(String),
      // The broker's signature: a vendor cannot write a withdrawal (or a revocation, a close).
      brokerSignature: { keyId: expect.any(String), value: expect.any(String) },
    });
    const decoded = recorded.map((r) => decode(r)?.data);
    expect(JSON.stringify(decoded)).not.toContain(customer.customerId);

    // The rest of the slice is the wallet's again: another vendor checks it out from 3.
    const newsToken = await authoriseVendor(stack.broker.http, customer, 'news');
    const next = await debit(news, newsToken, 2);
    expect(next.status).toBe(201);
    expect(next.json()).toMatchObject({ receipt: { fromIndex: 3, toIndex: 4 } });
  });

  it('a retried withdrawal changes nothing more; a vendor authorised again checks the rest out anew', async () => {
    const bought = await buy(stack.broker.http, customer, { coins: 40, wallet: 'server' });
    const chainId = bought.json<{ chains: { chainId: string }[] }>().chains[0]!.chainId;
    // news holds the first test's chain: music gets this purchase's chain, nobody holds it yet.
    const musicToken = await authoriseVendor(stack.broker.http, customer, 'music');
    const first = await debit(music, musicToken, 1);
    expect(first.json()).toMatchObject({ receipt: { chainId, fromIndex: 1, toIndex: 1 } });
    const key = randomUUID();
    for (let i = 0; i < 2; i++) {
      const res = await stack.broker.http('DELETE', '/wallet/vendors/music', { token: customer.token, key });
      expect(res.status).toBe(200);
    }
    const again = await stack.broker.http('DELETE', '/wallet/vendors/music', {
      token: customer.token,
      key: randomUUID(),
    });
    expect(again.json()).toMatchObject({ slicesWithdrawn: 0 });
    expect((await debit(music, musicToken, 1)).json()).toMatchObject({ code: 'CHAIN.SLICE_WITHDRAWN' });
    expect((await eventTypes(stack.store, chainId)).filter((t) => t === 'SliceWithdrawn')).toHaveLength(1);

    // Authorised again: a new checkout of the rest, from where the withdrawn slice stopped.
    const renewed = await authoriseVendor(stack.broker.http, customer, 'music');
    const resumed = await debit(music, renewed, 1);
    expect({ status: resumed.status, body: resumed.json() }).toMatchObject({
      status: 201,
      body: { receipt: { chainId, fromIndex: 2, toIndex: 2 } },
    });
    expect(await eventTypes(stack.store, chainId)).toEqual([
      'ChainIssued',
      'WalletCheckedOut',
      'CoinsSpent',
      'SliceWithdrawn',
      'WalletCheckedOut',
      'CoinsSpent',
    ]);
  });
});
