import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '#event-store/testing';
import { generateChain, type Chain } from '#protocol';
import { ADMIN_TOKEN } from '../../broker/src/test/broker-harness.js';
import { authoriseVendor, buy, registerCustomer, type TestCustomer } from '../../broker/src/test/scenario.js';
import { eventTypes, uniquePositions } from '../test/chain-audit.js';
import { type BrokeredVendor, RealBrokerStack } from '../test/real-broker-stack.js';

interface Bought {
  chainId: string;
  length: number;
  seed?: string;
  touchstone: Record<string, unknown>;
}

const pay = (chain: Chain, index: number, coins: number) => {
  const position = index + coins - 1;
  return { 'x-netpay-payment': `${chain.chainId}.${position}.${chain.payword(position)}` };
};

describe('vendors with the real broker (its NATS handlers, CRL broadcast, vendor registry)', () => {
  let stack: RealBrokerStack;
  let a: BrokeredVendor;
  let b: BrokeredVendor;
  let customer: TestCustomer;

  beforeAll(async () => {
    stack = await RealBrokerStack.start();
    [a, b] = await Promise.all([stack.vendor('news_a'), stack.vendor('music_b')]);
    customer = await registerCustomer(stack.broker.http, 100_000);
  });
  afterAll(() => stack.dispose());

  it('registers each vendor’s key with the broker at start', async () => {
    expect(await a.registration.done).toBe('registered');
    expect(await b.registration.done).toBe('registered');
    const keys = await stack.broker.http('GET', '/vendors/news_a/keys');
    expect(keys.json<{ keys: { publicKey: string }[] }>().keys[0]?.publicKey).toBe(a.engine.signer.publicKey);
  });

  it('registers its shop origins: only its own pages may embed the wallet frame for it', async () => {
    await a.registration.done;
    const frame = await stack.broker.http('GET', '/site/wallet-frame.html?vendor=news_a');
    const port = a.config.port;
    expect(/frame-ancestors ([^;]*)/.exec(frame.headers.get('content-security-policy') ?? '')?.[1]).toBe(
      `http://127.0.0.1:${port} http://localhost:${port}`,
    );
  });

  it('client-side wallet: spends at A, then at B by a hand-off A signed and the broker vouches for', async () => {
    await a.registration.done;
    await b.registration.done;
    const bought = (await buy(stack.broker.http, customer, { coins: 20, wallet: 'client' })).json<{
      chains: Bought[];
    }>();
    const c = bought.chains[0]!;
    const chain = generateChain({ chainId: c.chainId, length: c.length, alg: 'sha256', seed: c.seed! });
    const article = await a.http('GET', '/articles/a1', { headers: pay(chain, 1, 2) });
    expect(article.status).toBe(200);
    const clip = await b.http('GET', '/clips/m1', { headers: pay(chain, 3, 5) });
    expect(clip.status).toBe(200);
    expect(clip.headers.get('x-netpay-receipt-id')).toMatch(/^rc_/);
    expect(await eventTypes(stack.store, c.chainId)).toEqual([
      'ChainIssued',
      'CoinsSpent',
      'IndexHandedOff',
      'CoinsSpent',
    ]);
    expect(await uniquePositions(stack.store, c.chainId)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const replay = await a.http('GET', '/articles/a2', { headers: pay(chain, 3, 2) });
    expect(replay.json()).toMatchObject({ code: 'SPEND.PAYWORD_REPLAYED' });
  });

  it('server-side wallet: A checks a slice out over NATS; B gets the rest by hand-off when the customer moves', async () => {
    const bought = (await buy(stack.broker.http, customer, { coins: 30, wallet: 'server' })).json<{
      chains: Bought[];
    }>();
    const chainId = bought.chains[0]!.chainId;
    const tokenA = await authoriseVendor(stack.broker.http, customer, 'news_a');
    const tokenB = await authoriseVendor(stack.broker.http, customer, 'music_b');
    const atA = await a.http('GET', '/cards/birthday', { headers: debitHeaders(tokenA) });
    expect(atA.status).toBe(200);
    const atB = await b.http('GET', '/articles/a2', { headers: debitHeaders(tokenB) });
    expect(atB.status).toBe(200);
    expect(await eventTypes(stack.store, chainId)).toEqual([
      'ChainIssued',
      'WalletCheckedOut',
      'CoinsSpent',
      'IndexHandedOff',
      'CoinsSpent',
    ]);
    expect(await uniquePositions(stack.store, chainId)).toEqual([1, 2, 3, 4, 5]);
    const again = await b.http('GET', '/clips/m2', { headers: debitHeaders(tokenB) });
    expect(again.status).toBe(200);
    expect(await uniquePositions(stack.store, chainId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('refuses a chain the broker revoked, from the CRL broadcast', async () => {
    const bought = (await buy(stack.broker.http, customer, { coins: 10, wallet: 'client' })).json<{
      chains: Bought[];
    }>();
    const c = bought.chains[0]!;
    const chain = generateChain({ chainId: c.chainId, length: c.length, alg: 'sha256', seed: c.seed! });
    expect((await a.http('GET', '/articles/a1', { headers: pay(chain, 1, 2) })).status).toBe(200);
    const revoked = await stack.broker.http('POST', `/chains/${c.chainId}/revoke`, {
      token: ADMIN_TOKEN,
      body: { reason: 'stolen-wallet' },
    });
    expect(revoked.status).toBe(200);
    await eventually(
      'vendor A heard the CRL notice',
      () => a.engine.revocations.chain(c.chainId) !== undefined,
    );
    const refused = await a.http('GET', '/articles/a2', { headers: pay(chain, 3, 2) });
    expect(refused.status).toBe(402);
    expect(refused.json()).toMatchObject({ code: 'CHAIN.REVOKED' });
    expect(await uniquePositions(stack.store, c.chainId)).toEqual([1, 2]);
    // A vendor starting later learns the list from the broker at start.
    const late = await stack.vendor('late_c');
    expect(await late.loader.loaded).toBeGreaterThanOrEqual(1);
    expect(late.engine.revocations.chain(c.chainId)).toMatchObject({ reason: 'stolen-wallet' });
  });
});

/** A server-side wallet purchase: the token, and a key of its own (a retry would send it again). */
function debitHeaders(token: string): Record<string, string> {
  return { 'x-netpay-checkout': token, 'idempotency-key': randomUUID() };
}
