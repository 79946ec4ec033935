import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { acceptedPositions } from '../../test/chain-audit.js';
import { NatsStubBroker } from '../../test/nats-stub-broker.js';
import { type RunningVendor, VendorStack } from '../../test/vendor-stack.js';

/**
 * Fault probe (h4): right after an outage, a server-side debit at a vendor that must take the
 * wallet over from another one asks the broker for a wallet grant. With the broker not answering
 * yet, the vendor asked the holder without a grant and passed its refusal on: 403
 * HANDOFF.WALLET_NOT_AUTHORISED, which the wallet SDK takes as final, for a customer who had
 * authorised the vendor. It must be the broker's 503, to retry. Real NATS, JetStream, Redis.
 */
describe('a debit needing a hand-off while the broker is away', () => {
  let stack: VendorStack;
  let holder: RunningVendor;
  let next: RunningVendor;

  beforeAll(async () => {
    stack = await VendorStack.start();
    [holder, next] = await Promise.all([stack.vendor('va'), stack.vendor('vb')]);
  });
  const afterDone: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const done of afterDone) await done();
    await stack.dispose();
  });

  const debit = async (vendor: RunningVendor, token: string, key = randomUUID()) => {
    const answer = await vendor.http('POST', '/debits', {
      body: { checkoutToken: token, count: 1, resource: 'clip' },
      headers: { 'idempotency-key': key },
    });
    return { status: answer.status, code: answer.json<{ code?: string }>().code };
  };

  it('answers 503 with the broker’s code, not 403 not-authorised, and the retry is paid once it is back', async () => {
    const issued = await stack.broker.issue({ wallet: 'server', length: 40 });
    const chainId = issued.chain.chainId;
    const tokenA = stack.broker.checkoutToken(chainId, 'va');
    const tokenB = stack.broker.checkoutToken(chainId, 'vb');
    // Grants that expire a second after they are issued (the broker's are valid a minute).
    const clock = stack.broker as unknown as { now: () => Date };
    clock.now = () => new Date(Date.now() - 59_000);
    expect((await debit(holder, tokenA)).status).toBe(201); // va checks the wallet out
    expect((await debit(next, tokenB)).status).toBe(201); // vb takes it over with a grant
    expect((await debit(holder, tokenA)).status).toBe(201); // va takes it back: vb knows va holds it
    clock.now = () => new Date();
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // vb's grant has expired

    await stack.stub.stop(); // the broker away: nobody answers its subjects
    const key = randomUUID();
    expect(await debit(next, tokenB, key)).toEqual({ status: 503, code: 'RPC.NO_RESPONDERS' });

    const back = await NatsStubBroker.start(stack.nats.url, stack.broker);
    try {
      expect((await debit(next, tokenB, key)).status).toBe(201);
    } finally {
      await back.stop();
    }
    expect((await acceptedPositions(stack.store, chainId)).map((p) => p.vendorId)).toEqual([
      'va',
      'vb',
      'va',
      'vb',
    ]);
  });

  it('passes the broker’s refusal on (no coins: 402, buy more) rather than asking the holder without a grant', async () => {
    // Seen by the fault probe's load: a customer whose chain, held by another vendor, had fewer
    // coins left than the price got 403 HANDOFF.WALLET_NOT_AUTHORISED ("not authorised") where
    // the broker had said CHECKOUT.NO_COINS ("buy more coins").
    const broker = await NatsStubBroker.start(stack.nats.url, stack.broker); // the first test stopped it
    afterDone.push(() => broker.stop());
    const issued = await stack.broker.issue({ wallet: 'server', length: 10 });
    const chainId = issued.chain.chainId;
    const tokenA = stack.broker.checkoutToken(chainId, 'va');
    const tokenB = stack.broker.checkoutToken(chainId, 'vb');
    expect((await debit(next, tokenB)).status).toBe(201); // vb checks the wallet out
    expect((await debit(holder, tokenA)).status).toBe(201); // va takes it over: vb knows va holds it
    for (let i = 0; i < 5; i++) expect((await debit(holder, tokenA)).status).toBe(201);
    // 3 coins left at va; vb is asked for 4.
    const answer = await next.http('POST', '/debits', {
      body: { checkoutToken: tokenB, count: 4, resource: 'clip' },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect({ status: answer.status, code: answer.json<{ code?: string }>().code }).toEqual({
      status: 402,
      code: 'CHECKOUT.NO_COINS',
    });
    expect((await acceptedPositions(stack.store, chainId)).length).toBe(7);
  });
});
