import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { streams } from '#events';
import type { CashOutAnswer } from '../../broker/src/cash-out/cash-out.handler.js';
import type { BrokeredVendor } from '../test/real-broker-stack.js';
import { ForgeryStack, pay } from '../test/forgery-stack.js';

/**
 * Every vendor may append to chain streams (its spends, hand-offs, claims). A dishonest vendor,
 * with its own NATS identity and the ordinary store, appends a `ChainRevoked` and a `ChainClosed`
 * that declare the broker as their writer to another customer's chain. They carry no broker
 * signature: nobody believes them, the customer keeps spending and cashes out the full unspent
 * value, and the auditor names the forgeries (real nats-server, the vendor role's own rights).
 */
describe('forged broker events in a chain stream (real broker, vendors, auditor; vendor rights)', () => {
  let s: ForgeryStack;
  let honest: BrokeredVendor;
  let evil: BrokeredVendor;

  beforeAll(async () => {
    // The dishonest vendor's own identity (vendor-music_b), through the ordinary store.
    s = await ForgeryStack.start(['news_a', 'music_b'], 'music_b');
    [honest, evil] = s.vendors as [BrokeredVendor, BrokeredVendor];
  });
  afterAll(async () => {
    await s?.dispose();
  });

  it('a forged ChainRevoked and ChainClosed change nothing, and the auditor names them', async () => {
    const chain = await s.clientChain();
    const c = { chainId: chain.chainId, length: chain.length };
    expect((await honest.http('GET', '/articles/a1', { headers: pay(chain, 1, 2) })).status).toBe(200);

    const stream = streams.chain(c.chainId);
    const forge = (type: 'ChainRevoked' | 'ChainClosed', data: Record<string, unknown>) =>
      s.forge(stream, { type, version: type === 'ChainRevoked' ? 2 : 1, data }, 'broker');
    const at = new Date().toISOString();
    await forge('ChainRevoked', { chainId: c.chainId, reason: 'fraud', at });
    await forge('ChainClosed', { chainId: c.chainId, index: 3, reason: 'cashed-out', at });

    // The victim still spends, at the vendor that knew the chain and at one that reads it afresh.
    const again = await honest.http('GET', '/articles/a2', { headers: pay(chain, 3, 2) });
    expect({ status: again.status, body: again.text }).toMatchObject({ status: 200 });
    const elsewhere = await evil.http('GET', '/clips/m1', { headers: pay(chain, 5, 5) });
    expect({ status: elsewhere.status, body: elsewhere.text }).toMatchObject({ status: 200 });
    const touchstone = await s.stack.broker.http('GET', `/chains/${c.chainId}/touchstone`);
    expect(touchstone.status).not.toBe(410);

    // Cash-out refunds every unspent coin: 9 were spent.
    const cashOut = await s.stack.broker.http('POST', `/chains/${c.chainId}/cash-out`, {
      token: s.customer.token,
    });
    expect(cashOut.status).toBe(201);
    const answer = cashOut.json<CashOutAnswer>();
    expect(answer).toMatchObject({ chainId: c.chainId, closedAtIndex: 10, coins: c.length - 9 });
    expect(answer.paymentRef).toBeDefined();
    // Now closed for real (the broker's signed close): the next spend is refused.
    const after = await honest.http('GET', '/articles/a3', { headers: pay(chain, 10, 1) });
    expect(after.json()).toMatchObject({ code: 'CHAIN.CLOSED' });

    const report = await s.audit();
    expect(report.code).toBe(1);
    const forged = report.violations.filter((v) => v.code === 'R0.FORGED_BROKER_EVENT');
    expect(forged.map((v) => [v.stream, v.detail.split(' ')[0]])).toEqual([
      [stream, 'ChainRevoked'],
      [stream, 'ChainClosed'],
    ]);
    expect(forged[0]!.detail).toContain('written as "broker"');
  }, 60_000);
});
