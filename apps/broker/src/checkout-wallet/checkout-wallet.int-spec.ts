import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { subjects, type WalletCheckoutReply } from '#contracts';
import { streams } from '#events';
import { checkWalletGrant, parseWalletGrant, verifySpend, type SigningKey } from '#protocol';
import { BrokerKeyRing } from '../keys/broker-key-ring.js';
import type { CoinsPurchasedAnswer } from '../buy-coins/buy-coins.command.js';
import { startBroker, type TestBroker } from '../test/broker-harness.js';
import { type IntStack, intStack } from '../test/int-stack.js';
import {
  authoriseVendor,
  buy,
  registerCustomer,
  registerVendor,
  signedCheckout,
  type TestCustomer,
} from '../test/scenario.js';

// Server-side e-wallets checked out over real NATS by vendors, recorded in a real JetStream store.
describe('wallet checkout over NATS', () => {
  let stack: IntStack;
  let broker: TestBroker;
  let customer: TestCustomer;
  let chainId: string;
  const keys = new Map<string, SigningKey>();

  beforeAll(async () => {
    stack = await intStack();
    broker = await startBroker({
      store: stack.store,
      config: stack.config,
      idempotency: 'redis',
      nats: true,
    });
    keys.set('co_egreeting', await registerVendor(broker.http, 'co_egreeting'));
    keys.set('co_emusic', await registerVendor(broker.http, 'co_emusic'));
    customer = await registerCustomer(broker.http);
    const bought = await buy(broker.http, customer, { coins: 30, wallet: 'server' });
    expect(bought.status).toBe(201);
    const answer = bought.json<CoinsPurchasedAnswer>();
    expect(answer.chains[0]).not.toHaveProperty('seed');
    chainId = answer.chains[0]!.chainId;
  });
  afterAll(async () => {
    await broker?.close();
    await stack?.dispose();
  });

  const checkout = (vendorId: string, checkoutToken: string, coins = 5) =>
    stack.request<WalletCheckoutReply>(
      subjects.walletCheckout,
      signedCheckout(keys.get(vendorId)!, vendorId, checkoutToken, coins),
    );

  it('refuses a vendor without a token for it, and changes nothing', async () => {
    const forEgreeting = await authoriseVendor(broker.http, customer, 'co_egreeting');
    const before = await stack.store.readStream(streams.chain(chainId));
    expect(await checkout('co_emusic', forEgreeting)).toMatchObject({
      ok: false,
      error: { code: 'CHECKOUT.VENDOR_NOT_AUTHORISED' },
    });
    expect(
      await checkout('co_emusic', 'nct.forged-token-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'),
    ).toMatchObject({
      ok: false,
      error: { code: 'CHECKOUT.TOKEN_INVALID' },
    });
    expect(await checkout('co_emusic', forEgreeting.slice(0, -4) + 'AAAA')).toMatchObject({
      ok: false,
      error: { code: 'CHECKOUT.TOKEN_INVALID' },
    });
    expect(await stack.store.readStream(streams.chain(chainId))).toEqual(before);
  });

  it('checks a slice out to an authorised vendor, whose paywords verify against the touchstone', async () => {
    const token = await authoriseVendor(broker.http, customer, 'co_egreeting');
    const reply = await checkout('co_egreeting', token, 5);
    if (!reply.ok) throw new Error(JSON.stringify(reply));
    const { touchstone, index, lastPayword, paywords } = reply.value;
    expect(reply.value.chainId).toBe(chainId);
    expect(index).toBe(1);
    expect(paywords).toHaveLength(5);
    const spend = verifySpend({
      chain: touchstone,
      state: { chainId, index, lastPayword },
      proof: { chainId, position: 5, payword: paywords[4]! },
      count: 5,
    });
    expect(spend.ok).toBe(true);
    const events = await stack.store.readStream(streams.chain(chainId));
    expect(events.map((e) => e.type)).toEqual(['ChainIssued', 'WalletCheckedOut']);
    expect(events[1]!.data).toMatchObject({ vendorId: 'co_egreeting', index: 1, sliceEnd: 5 });
  });

  it('a sniffed token is useless to anyone but its vendor: unsigned, signed by another, replayed or stale', async () => {
    const token = await authoriseVendor(broker.http, customer, 'co_egreeting');
    const before = await stack.store.readStream(streams.chain(chainId));
    // A plain NATS client that read the token off the bus.
    expect(
      await stack.request(subjects.walletCheckout, {
        vendorId: 'co_egreeting',
        checkoutToken: token,
        coins: 5,
      }),
    ).toMatchObject({ ok: false, error: { code: 'CHECKOUT.UNSIGNED' } });
    // Another registered vendor, signing with its own key in the victim's name.
    const thief = signedCheckout(keys.get('co_emusic')!, 'co_egreeting', token, 5);
    expect(await stack.request(subjects.walletCheckout, thief)).toMatchObject({
      ok: false,
      error: { code: 'CHECKOUT.SIGNATURE_INVALID' },
    });
    // The victim's own signed request, captured and sent again.
    const honest = signedCheckout(keys.get('co_egreeting')!, 'co_egreeting', token, 1);
    expect(await stack.request(subjects.walletCheckout, honest)).toMatchObject({ ok: true });
    const afterHonest = await stack.store.readStream(streams.chain(chainId));
    expect(await stack.request(subjects.walletCheckout, honest)).toMatchObject({
      ok: false,
      error: { code: 'CHECKOUT.REPLAYED' },
    });
    const old = signedCheckout(
      keys.get('co_egreeting')!,
      'co_egreeting',
      token,
      1,
      new Date(Date.now() - 120_000),
    );
    expect(await stack.request(subjects.walletCheckout, old)).toMatchObject({
      ok: false,
      error: { code: 'CHECKOUT.STALE' },
    });
    expect((await stack.store.readStream(streams.chain(chainId))).length).toBe(before.length + 1);
    expect(await stack.store.readStream(streams.chain(chainId))).toEqual(afterHonest);
  });

  it('sends another vendor to the holder, and refuses once the customer withdraws the authorisation', async () => {
    const musicToken = await authoriseVendor(broker.http, customer, 'co_emusic');
    const held = await checkout('co_emusic', musicToken);
    expect(held).toMatchObject({
      ok: false,
      error: { code: 'CHECKOUT.HELD_ELSEWHERE', details: { chainId, holder: 'co_egreeting' } },
    });
    // The refusal carries the broker's grant for co_emusic to take the wallet over, and nothing else.
    const grant = parseWalletGrant(
      (held as unknown as { error: { details: { walletGrant: unknown } } }).error.details.walletGrant,
    );
    const brokerKeys = broker.app.get(BrokerKeyRing).publicKeys();
    expect(checkWalletGrant(grant, brokerKeys, { chainId, vendorId: 'co_emusic', now: new Date() })).toEqual({
      ok: true,
    });
    const withdrawn = await broker.http('DELETE', '/wallet/vendors/co_emusic', { token: customer.token });
    expect(withdrawn.status).toBe(200);
    expect(await checkout('co_emusic', musicToken)).toMatchObject({
      ok: false,
      error: { code: 'CHECKOUT.VENDOR_NOT_AUTHORISED' },
    });
  });

  it('refuses a malformed checkout request with REQUEST.INVALID', async () => {
    const reply = await stack.request(subjects.walletCheckout, {
      vendorId: 'co_egreeting',
      coins: -1,
      admin: true,
    });
    expect(reply).toMatchObject({ ok: false, error: { code: 'REQUEST.INVALID' } });
  });
});
