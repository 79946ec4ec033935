import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { NetPayError } from '#platform';
import { type RunningVendor, VendorStack } from '../../test/vendor-stack.js';

/** What the broker refuses a checkout with reaches the payer with the broker's own status. */
describe('a broker refusal passed on by a debit (real NATS, JetStream, Redis)', () => {
  let stack: VendorStack;
  let vendor: RunningVendor;

  beforeAll(async () => {
    stack = await VendorStack.start();
    vendor = await stack.vendor('shop');
  });
  afterEach(() => {
    stack.broker.checkoutRefusal = undefined;
  });
  afterAll(() => stack.dispose());

  const debit = async (token: string): Promise<{ status: number; code: string | undefined }> => {
    const answer = await vendor.http('POST', '/debits', {
      body: { checkoutToken: token, count: 1, resource: 'clip' },
      headers: { 'idempotency-key': randomUUID() },
    });
    return { status: answer.status, code: answer.json<{ code?: string }>().code };
  };

  it('keeps the status of a code the vendor does not know: a 503 to retry is not a final 422', async () => {
    // A review found the broker's PROJECTION.BEHIND (503) and CUSTOMER.REVOKED (403) reaching
    // payers as 422, which clients and the wallet SDK take as final.
    const server = await stack.broker.issue({ wallet: 'server', length: 20 });
    const token = stack.broker.checkoutToken(server.chain.chainId, 'shop');
    stack.broker.checkoutRefusal = new NetPayError('BROKER.SOMETHING_NEW', 'try again later', {
      status: 503,
    });
    expect(await debit(token)).toEqual({ status: 503, code: 'BROKER.SOMETHING_NEW' });
    stack.broker.checkoutRefusal = new NetPayError('PROJECTION.BEHIND', 'not read yet; retry', {
      status: 503,
    });
    expect(await debit(token)).toEqual({ status: 503, code: 'PROJECTION.BEHIND' });
    stack.broker.checkoutRefusal = new NetPayError('CUSTOMER.REVOKED', 'revoked', { status: 403 });
    expect(await debit(token)).toEqual({ status: 403, code: 'CUSTOMER.REVOKED' });
    // A broker's own failure is the vendor's upstream failing: 502, not its 500.
    stack.broker.checkoutRefusal = new NetPayError('INTERNAL', 'boom', { status: 500 });
    expect(await debit(token)).toEqual({ status: 502, code: 'INTERNAL' });
    // Codes the vendor knows keep the vendor's status (no coins is a 402 to the payer).
    stack.broker.checkoutRefusal = new NetPayError('CHECKOUT.NO_COINS', 'buy more', { status: 409 });
    expect(await debit(token)).toEqual({ status: 402, code: 'CHECKOUT.NO_COINS' });
    stack.broker.checkoutRefusal = undefined;
    expect((await debit(token)).status).toBe(201);
  });
});
