import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { WalletCheckoutReply } from '#contracts';
import { InMemoryEventStore } from '#event-store';
import { streams, toNewEvent } from '#events';
import { ManualClock } from '#platform';
import type { CoinsPurchasedAnswer } from '../buy-coins/buy-coins.command.js';
import { ADMIN_TOKEN, startBroker, type TestBroker } from '../test/broker-harness.js';
import {
  authoriseVendor,
  buy,
  registerCustomer,
  registerVendor,
  signedCheckout,
  type TestCustomer,
} from '../test/scenario.js';
import { createSigner, newNonce, signCheckoutRequest, type SigningKey } from '#protocol';
import { CheckoutWalletHandler } from './checkout-wallet.handler.js';

// Given a server-side chain's history in the store, when a vendor checks out, then the decision.
describe('CheckoutWalletHandler (in-memory store)', () => {
  const clock = new ManualClock('2026-03-01T10:00:00.000Z');
  const store = new InMemoryEventStore();
  let broker: TestBroker;
  let handler: CheckoutWalletHandler;
  let customer: TestCustomer;
  let chainId: string;
  let token: string;
  const keys = new Map<string, SigningKey>();
  const request = (vendorId: string, checkoutToken: string, coins: number) =>
    signedCheckout(keys.get(vendorId)!, vendorId, checkoutToken, coins, clock.now());

  beforeAll(async () => {
    broker = await startBroker({ store, clock });
    handler = broker.app.get(CheckoutWalletHandler);
    keys.set('h_v1', await registerVendor(broker.http, 'h_v1'));
    keys.set('h_v2', await registerVendor(broker.http, 'h_v2'));
    customer = await registerCustomer(broker.http);
    chainId = (await buy(broker.http, customer, { coins: 20, wallet: 'server' })).json<CoinsPurchasedAnswer>()
      .chains[0]!.chainId;
    token = await authoriseVendor(broker.http, customer, 'h_v1');
  });
  afterAll(() => broker.close());

  const chainTypes = async (): Promise<string[]> =>
    (await store.readStream(streams.chain(chainId))).map((e) => e.type);

  it('given a fresh chain, when v1 checks out 5, then WalletCheckedOut [1..5] and W[1..5]', async () => {
    const reply: WalletCheckoutReply = await handler.execute(request('h_v1', token, 5));
    expect(reply).toMatchObject({ chainId, index: 1 });
    expect(reply.paywords).toHaveLength(5);
    expect(await chainTypes()).toEqual(['ChainIssued', 'WalletCheckedOut']);
  });

  it('given v1 spent 5, when v1 checks out again, then the slice starts at I = 6', async () => {
    const events = await store.readStream(streams.chain(chainId));
    const checkedOut = (await handler.execute(request('h_v1', token, 5))).paywords;
    const spend = {
      type: 'CoinsSpent' as const,
      version: 1 as const,
      data: {
        chainId,
        vendorId: 'h_v1',
        fromIndex: 1,
        toIndex: 5,
        payword: checkedOut[4]!,
        receiptId: 'r1',
        at: clock.now().toISOString(),
      },
    };
    const meta = { correlationId: 'x', causationId: 'x', actor: 'vendor:h_v1' };
    await store.appendToStream(streams.chain(chainId), [toNewEvent(spend, meta, 'spend-h-1')], {
      expectedRevision: events.length,
    });
    const again = await handler.execute(request('h_v1', token, 100));
    expect(again).toMatchObject({ index: 6, lastPayword: checkedOut[4] });
    expect(again.paywords).toHaveLength(15); // what is left, not 100
  });

  it('given v1 holds it, when v2 (authorised) checks out, then HELD_ELSEWHERE names the holder and nothing is appended', async () => {
    const v2Token = await authoriseVendor(broker.http, customer, 'h_v2');
    const before = await chainTypes();
    await expect(handler.execute(request('h_v2', v2Token, 1))).rejects.toMatchObject({
      code: 'CHECKOUT.HELD_ELSEWHERE',
      details: { chainId, holder: 'h_v1' },
    });
    expect(await chainTypes()).toEqual(before);
  });

  it('hands a vendor only chains of the coins it accepts: a 1-cent chain bought first is passed over', async () => {
    const other = await registerCustomer(broker.http);
    const cents = (
      await buy(broker.http, other, { coins: 10, coinValue: 1, wallet: 'server' })
    ).json<CoinsPurchasedAnswer>();
    const fives = (
      await buy(broker.http, other, { coins: 10, coinValue: 5, wallet: 'server' })
    ).json<CoinsPurchasedAnswer>();
    const otherToken = await authoriseVendor(broker.http, other, 'h_v2');
    const key = keys.get('h_v2')!;
    const accepting = signCheckoutRequest(
      {
        vendorId: 'h_v2',
        checkoutToken: otherToken,
        coins: 5,
        minCoins: 1,
        currency: 'NZD',
        coinValue: 5,
        at: clock.now().toISOString(),
        nonce: newNonce(),
        vendorKeyId: key.keyId,
      },
      createSigner(key),
    );
    expect((await handler.execute(accepting)).chainId).toBe(fives.chains[0]!.chainId);
    expect((await store.readStream(streams.chain(cents.chains[0]!.chainId))).map((e) => e.type)).toEqual([
      'ChainIssued',
    ]);
    // The accepted coins are signed: changed on the way, the request is refused.
    await expect(handler.execute({ ...accepting, coinValue: 1 })).rejects.toMatchObject({
      code: expect.stringMatching(/^CHECKOUT\./),
    });
  });

  it('given every server-side chain of the wallet revoked, then CHAIN.REVOKED (410), not "buy more coins"', async () => {
    const owner = await registerCustomer(broker.http);
    const bought = (
      await buy(broker.http, owner, { coins: 10, wallet: 'server' })
    ).json<CoinsPurchasedAnswer>();
    const ownerToken = await authoriseVendor(broker.http, owner, 'h_v1');
    const revoked = bought.chains[0]!.chainId;
    const res = await broker.http('POST', `/chains/${revoked}/revoke`, {
      token: ADMIN_TOKEN,
      body: { reason: 'fraud' },
    });
    expect(res.status).toBe(200);
    await expect(handler.execute(request('h_v1', ownerToken, 1))).rejects.toMatchObject({
      code: 'CHAIN.REVOKED',
      status: 410,
      details: { chainId: revoked },
    });
  });

  it('when the token has expired, then TOKEN_EXPIRED', async () => {
    clock.advance(31 * 86_400_000);
    await expect(handler.execute(request('h_v1', token, 1))).rejects.toMatchObject({
      code: 'CHECKOUT.TOKEN_EXPIRED',
    });
  });
});
