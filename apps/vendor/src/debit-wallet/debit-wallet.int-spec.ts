import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseReceipt, publicKeyRecord, verifyReceipt, type Receipt, type ReceiptBody } from '#protocol';
import { eventTypes, uniquePositions } from '../../test/chain-audit.js';
import { type RunningVendor, VendorStack } from '../../test/vendor-stack.js';

/** A /debits answer with its receipt's signature and batch proof left out (they may differ between answers). */
function unsigned(response: { json<T>(): T }): { duplicate: boolean; receipt: ReceiptBody } {
  const { receipt, ...rest } = response.json<{ duplicate: boolean; receipt: Receipt }>();
  const { signature: _s, batch: _b, ...body } = receipt;
  return { ...rest, receipt: body };
}

/** Server-side wallet purchases over HTTP, retried (real NATS, JetStream, Redis). */
describe('server-side debits over HTTP: Idempotency-Key and bad input', () => {
  let stack: VendorStack;
  let vendor: RunningVendor;

  beforeAll(async () => {
    stack = await VendorStack.start();
    vendor = await stack.vendor('shop');
  });
  afterAll(() => stack.dispose());

  const wallet = async (): Promise<{ chainId: string; token: string }> => {
    const issued = await stack.broker.issue({ wallet: 'server', length: 40 });
    const chainId = issued.chain.chainId;
    return { chainId, token: stack.broker.checkoutToken(chainId, 'shop') };
  };

  it('POST /debits: no key is a 400 that spends nothing; a retried key is answered, not spent again, even after Redis is lost', async () => {
    const { chainId, token } = await wallet();
    const body = { checkoutToken: token, count: 2, resource: 'clip-1' };
    const missing = await vendor.http('POST', '/debits', { body });
    expect(missing.status).toBe(400);
    expect(missing.json()).toMatchObject({ code: 'IDEMPOTENCY.KEY_REQUIRED' });
    expect(await eventTypes(stack.store, chainId)).toEqual(['ChainIssued']);

    const headers = { 'idempotency-key': randomUUID() };
    const first = await vendor.http('POST', '/debits', { body, headers });
    const retry = await vendor.http('POST', '/debits', { body, headers });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(first.json()).toMatchObject({ duplicate: false, receipt: { fromIndex: 1, toIndex: 2 } });
    // The same answer: the same receipt body, signed (maybe in another batch) so that it verifies.
    const keys = [publicKeyRecord(vendor.engine.signer, 'shop')];
    expect(unsigned(retry)).toEqual({ ...unsigned(first), duplicate: true });
    expect(verifyReceipt(parseReceipt(retry.json().receipt), keys).ok).toBe(true);

    await stack.flushRedis();
    const replica = await stack.vendor('shop');
    const late = await replica.http('POST', '/debits', { body, headers });
    expect(unsigned(late)).toEqual({ ...unsigned(first), duplicate: true });
    expect(verifyReceipt(parseReceipt(late.json().receipt), keys).ok).toBe(true);
    expect(await uniquePositions(stack.store, chainId)).toEqual([1, 2]);
  });

  it('paid routes: X-NetPay-Checkout needs an Idempotency-Key; a retried GET gets the same receipt', async () => {
    const { chainId, token } = await wallet();
    const missing = await vendor.http('GET', '/articles/a1', { headers: { 'x-netpay-checkout': token } });
    expect(missing.status).toBe(400);
    expect(missing.json()).toMatchObject({ code: 'IDEMPOTENCY.KEY_REQUIRED' });
    expect(missing.headers.get('x-netpay-price')).toBe('2');
    const headers = { 'x-netpay-checkout': token, 'idempotency-key': randomUUID() };
    const first = await vendor.http('GET', '/articles/a1', { headers });
    const retry = await vendor.http('GET', '/articles/a1?from=retry', { headers });
    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(retry.headers.get('x-netpay-receipt-id')).toBe(first.headers.get('x-netpay-receipt-id'));
    const next = await vendor.http('GET', '/articles/a1', {
      headers: { ...headers, 'idempotency-key': randomUUID() },
    });
    expect(next.status).toBe(200);
    expect(await uniquePositions(stack.store, chainId)).toEqual([1, 2, 3, 4]);
  });

  it('refuses a resource no receipt can carry with 400 before spending: too many bytes, control characters', async () => {
    const { chainId, token } = await wallet();
    for (const resource of ['é'.repeat(1_500), 'clip\nX-Injected: yes']) {
      const refused = await vendor.http('POST', '/debits', {
        body: { checkoutToken: token, count: 2, resource },
        headers: { 'idempotency-key': randomUUID() },
      });
      expect(refused.status).toBe(400);
      expect(refused.json()).toMatchObject({ code: 'SPEND.RESOURCE_INVALID' });
    }
    expect(await eventTypes(stack.store, chainId)).toEqual(['ChainIssued']);
  });
});
