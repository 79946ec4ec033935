import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type RevocationNotice, subjects } from '#contracts';
import { streams } from '#events';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { paywordAt } from '#protocol';
import type { CoinsPurchasedAnswer } from '../buy-coins/buy-coins.command.js';
import type { ChainReissuedAnswer } from '../reissue-chain/reissue-chain.handler.js';
import { ADMIN_TOKEN, startBroker, type TestBroker } from '../test/broker-harness.js';
import { testNatsOptions } from '#event-store/testing';
import { type IntStack, intStack } from '../test/int-stack.js';
import { buy, registerCustomer } from '../test/scenario.js';

describe('revocation (CRL broadcast) and lost-wallet re-issue', () => {
  let stack: IntStack;
  let broker: TestBroker;
  let listener: NatsConnection;
  const notices: RevocationNotice[] = [];

  beforeAll(async () => {
    stack = await intStack();
    // Vendors hear revocations.
    listener = await connect(testNatsOptions('vendor-va'));
    const sub = listener.subscribe(subjects.revocation);
    void (async () => {
      for await (const m of sub) notices.push(m.json<RevocationNotice>());
    })();
    broker = await startBroker({
      store: stack.store,
      config: stack.config,
      idempotency: 'redis',
      nats: true,
    });
  });
  afterAll(async () => {
    await broker?.close();
    await listener?.close();
    await stack?.dispose();
  });

  it('revokes a chain: the CRL is broadcast, touchstone requests are refused, the list shows it', async () => {
    const customer = await registerCustomer(broker.http);
    const chainId = (await buy(broker.http, customer, { coins: 5 })).json<CoinsPurchasedAnswer>().chains[0]!
      .chainId;
    const res = await broker.http('POST', `/chains/${chainId}/revoke`, {
      token: ADMIN_TOKEN,
      body: { reason: 'fraud' },
    });
    expect(res.status).toBe(200);
    const until = Date.now() + 5_000;
    while (!notices.some((n) => n.id === chainId) && Date.now() < until)
      await new Promise((r) => setTimeout(r, 20));
    expect(notices.find((n) => n.id === chainId)).toMatchObject({
      kind: 'chain',
      id: chainId,
      reason: 'fraud',
    });
    expect(await stack.request(subjects.touchstone, { chainId })).toMatchObject({
      ok: false,
      error: { code: 'CHAIN.REVOKED' },
    });
    const crl = (await broker.http('GET', '/revocations')).json<{ revocations: { chainId: string }[] }>();
    expect(crl.revocations.map((r) => r.chainId)).toContain(chainId);
    const again = await broker.http('POST', `/chains/${chainId}/revoke`, {
      token: ADMIN_TOKEN,
      body: { reason: 'fraud' },
    });
    expect(again.status).toBe(200);
    const events = await stack.store.readStream(streams.chain(chainId));
    expect(events.map((e) => e.type)).toEqual(['ChainIssued', 'ChainRevoked']);
  });

  it('re-issues a lost client-side chain: closed at its index, the unspent rest as a new chain, once', async () => {
    const customer = await registerCustomer(broker.http);
    const old = (await buy(broker.http, customer, { coins: 12 })).json<CoinsPurchasedAnswer>().chains[0]!;
    const res = await broker.http('POST', `/chains/${old.chainId}/reissue`, {
      token: customer.token,
      key: 'reissue-key-0001',
    });
    expect(res.status).toBe(201);
    const answer = res.json<ChainReissuedAnswer>();
    expect(answer).toMatchObject({ closedChainId: old.chainId, closedAtIndex: 1, chain: { length: 12 } });
    const chain = answer.chain!;
    expect(paywordAt(chain.seed!, chain.chainId, chain.alg, chain.length, 0)).toBe(chain.touchstone.root);
    expect(await stack.request(subjects.touchstone, { chainId: old.chainId })).toMatchObject({
      ok: false,
      error: { code: 'CHAIN.CLOSED' },
    });
    // Vendors read chain streams: the old chain's must not link it to the customer's new chain.
    const closed = JSON.stringify(
      (await stack.store.readStream(streams.chain(old.chainId))).map((e) => [e.data, e.metadata]),
    );
    expect(closed).toContain('lost-wallet');
    expect(closed).not.toContain(chain.chainId);
    // A retry with a new key (a lost answer) finds the same new chain, without its seed (shown once).
    const retry = await broker.http('POST', `/chains/${old.chainId}/reissue`, { token: customer.token });
    const { seed: _seed, ...unseeded } = chain;
    expect(retry.json()).toEqual({
      ...answer,
      chain: unseeded,
      withheld: ['chain.seed'],
      recovery: expect.stringContaining(`POST /chains/${chain.chainId}/reissue`),
    });
    const other = await registerCustomer(broker.http);
    const stolen = await broker.http('POST', `/chains/${chain.chainId}/reissue`, { token: other.token });
    expect(stolen.json()).toMatchObject({ code: 'CHAIN.NOT_FOUND' });
    const wallet = (await broker.http('GET', '/wallet', { token: customer.token })).json<{
      chains: { chainId: string; status: string }[];
    }>();
    expect(wallet.chains.map((c) => [c.chainId, c.status])).toEqual([
      [old.chainId, 'closed'],
      [chain.chainId, 'open'],
    ]);
  });
});
