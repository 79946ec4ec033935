import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventTypes } from '../../test/chain-audit.js';
import { paymentHeader, type RunningVendor, VendorStack } from '../../test/vendor-stack.js';

const past = (): string => new Date(Date.now() - 1_000).toISOString();
const soon = (): string => new Date(Date.now() + 30_000).toISOString();

/** A request whose payer stopped waiting spends nothing (real NATS, JetStream, Redis). */
describe('X-NetPay-Deadline: past it, nothing is spent', () => {
  let stack: VendorStack;
  let vendor: RunningVendor;

  beforeAll(async () => {
    stack = await VendorStack.start();
    vendor = await stack.vendor('shop');
  });
  afterAll(() => stack.dispose());

  it('POST /spends, a paid route and POST /debits answer 408 REQUEST.DEADLINE_EXCEEDED and append nothing', async () => {
    const client = await stack.broker.issue();
    const server = await stack.broker.issue({ wallet: 'server', length: 40 });
    const token = stack.broker.checkoutToken(server.chain.chainId, 'shop');
    const answers = [
      await vendor.http('POST', '/spends', {
        body: { ...client.chain.spendProof(1, 1), count: 1, resource: 'a' },
        headers: { 'x-netpay-deadline': past() },
      }),
      await vendor.http('GET', '/articles/a1', {
        headers: { 'x-netpay-payment': paymentHeader(client.chain, 1, 2), 'x-netpay-deadline': past() },
      }),
      await vendor.http('POST', '/debits', {
        body: { checkoutToken: token, count: 2, resource: 'clip' },
        headers: { 'idempotency-key': randomUUID(), 'x-netpay-deadline': past() },
      }),
    ];
    for (const answer of answers) {
      expect({ status: answer.status, code: answer.json<{ code?: string }>().code }).toEqual({
        status: 408,
        code: 'REQUEST.DEADLINE_EXCEEDED',
      });
      expect(answer.headers.get('x-netpay-receipt-id')).toBeNull();
    }
    expect(await eventTypes(stack.store, client.chain.chainId)).toEqual(['ChainIssued']);
    expect((await eventTypes(stack.store, server.chain.chainId)).filter((t) => t === 'CoinsSpent')).toEqual(
      [],
    );

    // The same payment sent again in time is spent, once.
    const again = await vendor.http('POST', '/spends', {
      body: { ...client.chain.spendProof(1, 1), count: 1, resource: 'a' },
      headers: { 'x-netpay-deadline': soon() },
    });
    expect({ status: again.status, duplicate: again.json().duplicate }).toEqual({
      status: 201,
      duplicate: false,
    });
  });

  it('a deadline that is not an ISO 8601 instant is a 400 before anything is spent', async () => {
    const client = await stack.broker.issue();
    for (const deadline of ['tomorrow', '1767225600000', '2026-13-45T99:00:00Z']) {
      const refused = await vendor.http('POST', '/spends', {
        body: { ...client.chain.spendProof(1, 1), count: 1, resource: 'a' },
        headers: { 'x-netpay-deadline': deadline },
      });
      expect({ status: refused.status, code: refused.json<{ code?: string }>().code }).toEqual({
        status: 400,
        code: 'REQUEST.DEADLINE_INVALID',
      });
    }
    expect(await eventTypes(stack.store, client.chain.chainId)).toEqual(['ChainIssued']);
  });
});
