import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { streams } from '#events';
import type { CashOutAnswer } from '../../broker/src/cash-out/cash-out.handler.js';
import type { BrokeredVendor } from '../test/real-broker-stack.js';
import { ForgeryStack, pay } from '../test/forgery-stack.js';

/**
 * Every vendor may append to chain streams (its spends, hand-offs, claims), so the store cannot
 * stop a dishonest vendor from appending a spend whose payword does not hash down to the chain.
 * Here one (its own NATS identity, the ordinary store) appends a `CoinsSpent` up to the chain's
 * end with a made-up word to another customer's chain: no fold believes it, the customer keeps
 * spending and cashes out the full unspent value, and the auditor names the forgery (real
 * nats-server, the vendor role's own rights).
 */
describe('a forged spend in a chain stream (real broker, vendors, auditor; vendor rights)', () => {
  let s: ForgeryStack;
  let honest: BrokeredVendor;
  let evil: BrokeredVendor;

  beforeAll(async () => {
    s = await ForgeryStack.start(['news_a', 'music_b'], 'music_b');
    [honest, evil] = s.vendors as [BrokeredVendor, BrokeredVendor];
  });
  afterAll(async () => {
    await s?.dispose();
  });

  it('a CoinsSpent up to the chain end with a wrong payword changes nothing, and the auditor names it', async () => {
    const chain = await s.clientChain();
    const c = { chainId: chain.chainId, length: chain.length };
    expect((await honest.http('GET', '/articles/a1', { headers: pay(chain, 1, 2) })).status).toBe(200);

    const stream = streams.chain(c.chainId);
    await s.forge(
      stream,
      {
        type: 'CoinsSpent',
        version: 1,
        data: {
          chainId: c.chainId,
          vendorId: 'music_b',
          fromIndex: 3,
          toIndex: c.length,
          payword: 'ab'.repeat(32),
          receiptId: 'forged',
          at: new Date().toISOString(),
        },
      },
      'vendor:music_b',
    );

    // The victim still spends, at the vendor that knew the chain and at one that reads it afresh.
    const again = await honest.http('GET', '/articles/a2', { headers: pay(chain, 3, 2) });
    expect({ status: again.status, body: again.text }).toMatchObject({ status: 200 });
    const elsewhere = await evil.http('GET', '/clips/m1', { headers: pay(chain, 5, 5) });
    expect({ status: elsewhere.status, body: elsewhere.text }).toMatchObject({ status: 200 });

    // Cash-out refunds every unspent coin: 9 were spent.
    const cashOut = await s.stack.broker.http('POST', `/chains/${c.chainId}/cash-out`, {
      token: s.customer.token,
    });
    expect({ status: cashOut.status, body: cashOut.text }).toMatchObject({ status: 201 });
    const answer = cashOut.json<CashOutAnswer>();
    expect(answer).toMatchObject({ chainId: c.chainId, closedAtIndex: 10, coins: c.length - 9 });
    expect(answer.paymentRef).toBeDefined();

    const report = await s.audit();
    expect(report.code).toBe(1);
    const forged = report.violations.filter((v) => v.code === 'R1.PAYWORD_DOES_NOT_HASH');
    expect(forged.map((v) => v.stream)).toEqual([stream]);
    // Only the forged event is named (music_b also did not hold the chain); the honest spends,
    // hand-off and cash-out after it are judged on the true chain and pass.
    expect(report.violations.map((v) => [v.code, v.stream])).toEqual([
      ['R2.SPEND_BY_NON_HOLDER', stream],
      ['R1.PAYWORD_DOES_NOT_HASH', stream],
    ]);
  }, 60_000);
});
