import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  authoriseVendor,
  buy,
  registerCustomer,
  type TestCustomer,
} from '../../../broker/src/test/scenario.js';
import { decode, streams, type ChainEvent } from '#events';
import { replayChain } from '../../../redemption/src/domain/chain-ledger.js';
import { acceptedPositions } from '../../test/chain-audit.js';
import { type BrokeredVendor, RealBrokerStack } from '../../test/real-broker-stack.js';
import { BrokerKeyRing } from '../../../broker/src/keys/broker-key-ring.js';

const debit = (vendor: BrokeredVendor, token: string, count: number) =>
  vendor.http('POST', '/debits', {
    body: { checkoutToken: token, count, resource: 'clip' },
    headers: { 'idempotency-key': randomUUID() },
  });

/**
 * Red-team defect (fixed): a vendor the customer withdrew, but which held no slice at that moment,
 * kept the broker's wallet grant it was given before (60 s here; a subscriber token's grants live
 * SUBSCRIBER_TOKEN_TTL) and took the wallet over from the holder with no broker call. The broker
 * now appends `VendorWithdrawn` to the chain; a grant issued at or before it is void (the vendor
 * drops it, the holder refuses it). Real broker, vendors, NATS, JetStream, Redis.
 */
describe('a vendor withdrawn while another held the wallet', () => {
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

  it('cannot take the wallet over with a grant it got before the withdrawal', async () => {
    const bought = await buy(stack.broker.http, customer, { coins: 40, wallet: 'server' });
    const chainId = bought.json<{ chains: { chainId: string }[] }>().chains[0]!.chainId;
    const musicToken = await authoriseVendor(stack.broker.http, customer, 'music');
    const newsToken = await authoriseVendor(stack.broker.http, customer, 'news');
    expect((await debit(music, musicToken, 1)).status).toBe(201); // music checks the wallet out
    expect((await debit(news, newsToken, 1)).status).toBe(201); // news takes it over (a grant)
    expect((await debit(music, musicToken, 1)).status).toBe(201); // music takes it back: keeps its grant
    expect((await debit(news, newsToken, 1)).status).toBe(201); // news holds it again

    const withdrawn = await stack.broker.http('DELETE', '/wallet/vendors/music', {
      token: customer.token,
      key: randomUUID(),
    });
    expect(withdrawn.json()).toMatchObject({ vendorId: 'music', authorised: false });

    const after = await debit(music, musicToken, 1);
    expect(after.status).toBeGreaterThanOrEqual(400);
    expect((await acceptedPositions(stack.store, chainId)).map((p) => p.vendorId)).toEqual([
      'music',
      'news',
      'music',
      'news',
    ]);

    // Authorised again, it gets new grants (issued after the withdrawal) and takes the wallet over.
    const again = await authoriseVendor(stack.broker.http, customer, 'music');
    expect((await debit(music, again, 1)).status).toBe(201);
    expect((await acceptedPositions(stack.store, chainId)).map((p) => p.vendorId)).toEqual([
      'music',
      'news',
      'music',
      'news',
      'music',
    ]);
  });

  // Authorised again while the holder is down: the vendor claims the wallet from it. The claim
  // carries the broker's grant it asked with, so the redemption replay (which takes no claim by a
  // vendor withdrawn on the chain without one issued since) pays what it sells after.
  it('claims the wallet from a silent holder with its new grant, and what it sells then is payable', async () => {
    // A customer of its own: one server-side chain, so every checkout names it.
    const customer = await registerCustomer(stack.broker.http, 100_000);
    const bought = await buy(stack.broker.http, customer, { coins: 40, wallet: 'server' });
    const chainId = bought.json<{ chains: { chainId: string }[] }>().chains[0]!.chainId;
    const va = await stack.vendor('va');
    const vb = await stack.vendor('vb');
    await Promise.all([va.registration.done, vb.registration.done]);
    const vaToken = await authoriseVendor(stack.broker.http, customer, 'va');
    const vbToken = await authoriseVendor(stack.broker.http, customer, 'vb');
    expect((await debit(va, vaToken, 1)).status).toBe(201);
    const withdrawn = await stack.broker.http('DELETE', '/wallet/vendors/va', {
      token: customer.token,
      key: randomUUID(),
    });
    expect(withdrawn.status).toBe(200);
    expect((await debit(vb, vbToken, 1)).status).toBe(201); // vb checks the wallet out
    await vb.app.close(); // vb is down: it answers no hand-off

    const again = await authoriseVendor(stack.broker.http, customer, 'va');
    expect((await debit(va, again, 2)).status).toBe(201);

    const history = (await stack.store.readStream(streams.chain(chainId)))
      .map((r) => decode(r) as ChainEvent | undefined)
      .filter((e): e is ChainEvent => e !== undefined);
    expect(history.map((e) => e.type)).toContain('ChainClaimed');
    const claim = history.find((e) => e.type === 'ChainClaimed');
    expect(claim?.type === 'ChainClaimed' && claim.data.walletGrant?.vendorId).toBe('va');
    const ledger = replayChain(chainId, history, {
      broker: stack.broker.app.get(BrokerKeyRing).publicKeys(),
      vendorKeys: (vendorId) =>
        [va, vb]
          .filter((v) => v.config.vendorId === vendorId)
          .map((v) => ({
            keyId: v.engine.signer.keyId,
            publicKey: v.engine.signer.publicKey,
            ownerId: vendorId,
          })),
    });
    expect(
      ledger.status === 'issued' &&
        ledger.segments.map((s) => [s.vendorId, s.fromIndex, s.toIndex, s.unpaid === undefined]),
    ).toEqual([
      ['va', 1, 1, true],
      ['vb', 2, 2, true],
      ['va', 3, 4, true],
    ]);
  });
});
