import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseReceipt, publicKeyRecord, verifyReceipt } from '#protocol';
import { acceptedPositions } from '../../test/chain-audit.js';
import { paymentHeader, type RunningVendor, VendorStack } from '../../test/vendor-stack.js';

describe('@Paid content over HTTP (real NATS, JetStream, Redis)', () => {
  let stack: VendorStack;
  let vendor: RunningVendor;

  beforeAll(async () => {
    stack = await VendorStack.start();
    vendor = await stack.vendor('news');
  });
  afterAll(() => stack.dispose());

  it('answers 402 with the price, the accepted chains and how to pay', async () => {
    const response = await vendor.http('GET', '/articles/a1');
    expect(response.status).toBe(402);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.headers.get('x-netpay-price')).toBe('2');
    expect(response.headers.get('x-netpay-vendor')).toBe('news');
    expect(response.headers.get('x-netpay-accept')).toBe('currency=NZD; coin-value=5');
    expect(response.json()).toMatchObject({
      status: 402,
      code: 'PAYMENT.REQUIRED',
      vendorId: 'news',
      price: { coins: 2, amount: 10, currency: 'NZD' },
      pay: { clientWallet: { header: 'x-netpay-payment' } },
    });
  });

  it('records the spend, then serves the content with a receipt the content server can verify', async () => {
    const issued = await stack.broker.issue();
    const response = await vendor.http('GET', '/articles/a1', {
      headers: { 'x-netpay-payment': paymentHeader(issued.chain, 1, 2) },
    });
    expect(response.status).toBe(200);
    const receipt = parseReceipt(
      JSON.parse(Buffer.from(response.headers.get('x-netpay-receipt')!, 'base64url').toString()),
    );
    expect(receipt).toMatchObject({
      vendorId: 'news',
      chainId: issued.chain.chainId,
      fromIndex: 1,
      toIndex: 2,
      amount: 10,
    });
    expect(verifyReceipt(receipt, [publicKeyRecord(vendor.engine.signer, 'news')]).ok).toBe(true);
    expect(response.json()).toMatchObject({ item: { id: 'a1' }, receiptId: receipt.receiptId });
    expect(await acceptedPositions(stack.store, issued.chain.chainId)).toHaveLength(2);
    // The vendor's key is published for content servers.
    const keys = (await vendor.http('GET', '/vendor')).json<{ keys: unknown[] }>().keys;
    expect(verifyReceipt(receipt, keys as never).ok).toBe(true);
  });

  it('answers HEAD with the price and spends nothing, so the GET with the same payment gets the content', async () => {
    // An attack probe paid with HEAD (Fastify answers HEAD on every GET route): the coins were
    // spent, the body never sent, and the GET that followed was refused as a replay.
    const issued = await stack.broker.issue();
    const header = { 'x-netpay-payment': paymentHeader(issued.chain, 1, 2) };
    const head = await vendor.http('HEAD', '/articles/a1', { headers: header });
    expect(head.status).toBe(402);
    expect(head.headers.get('x-netpay-price')).toBe('2');
    expect(head.headers.get('x-netpay-receipt-id')).toBeNull();
    expect(await acceptedPositions(stack.store, issued.chain.chainId)).toHaveLength(0);
    const get = await vendor.http('GET', '/articles/a1', { headers: header });
    expect(get.status).toBe(200);
    expect(get.json()).toMatchObject({ item: { id: 'a1' } });
    expect(await acceptedPositions(stack.store, issued.chain.chainId)).toHaveLength(2);
  });

  it('refuses a replayed payword for other content with 409 and takes nothing', async () => {
    const issued = await stack.broker.issue();
    const header = { 'x-netpay-payment': paymentHeader(issued.chain, 1, 3) };
    expect((await vendor.http('GET', '/cards/birthday', { headers: header })).status).toBe(200);
    const again = await vendor.http('GET', '/cards/thanks', { headers: header });
    expect(again.status).toBe(409);
    expect(again.json()).toMatchObject({ code: 'SPEND.PAYWORD_REPLAYED' });
    expect(again.headers.get('x-netpay-price')).toBe('3');
    expect(await acceptedPositions(stack.store, issued.chain.chainId)).toHaveLength(3);
  });

  it('names the path without the query in the receipt, so a long URL cannot spend coins and then fail', async () => {
    const issued = await stack.broker.issue();
    const header = { 'x-netpay-payment': paymentHeader(issued.chain, 1, 2) };
    const long = await vendor.http('GET', `/articles/a1?q=${'x'.repeat(3_000)}`, { headers: header });
    expect(long.status).toBe(200);
    expect(long.json()).toMatchObject({ item: { id: 'a1' } });
    const receipt = parseReceipt(
      JSON.parse(Buffer.from(long.headers.get('x-netpay-receipt')!, 'base64url').toString()),
    );
    expect(receipt.resource).toBe('GET /articles/a1');
    // The same payment retried with another query is the same purchase: answered again, not spent again.
    const retry = await vendor.http('GET', '/articles/a1?page=2', { headers: header });
    expect(retry.status).toBe(200);
    expect(retry.headers.get('x-netpay-receipt-id')).toBe(receipt.receiptId);
    expect(await acceptedPositions(stack.store, issued.chain.chainId)).toHaveLength(2);
  });

  it('answers 404 for content that does not exist, before taking any payment', async () => {
    const issued = await stack.broker.issue();
    const response = await vendor.http('GET', '/articles/nope', {
      headers: { 'x-netpay-payment': paymentHeader(issued.chain, 1, 2) },
    });
    expect(response.status).toBe(404);
    expect(await acceptedPositions(stack.store, issued.chain.chainId)).toHaveLength(0);
  });

  it('refuses malformed payment headers and foreign touchstones clearly', async () => {
    const malformed = await vendor.http('GET', '/articles/a1', {
      headers: { 'x-netpay-payment': 'nonsense' },
    });
    expect(malformed.status).toBe(422);
    expect(malformed.json()).toMatchObject({ code: 'PAYMENT.MALFORMED' });
    const issued = await stack.broker.issue();
    const other = await stack.broker.issue();
    const carried = Buffer.from(JSON.stringify(other.touchstone)).toString('base64url');
    const mismatch = await vendor.http('GET', '/articles/a1', {
      headers: { 'x-netpay-payment': paymentHeader(issued.chain, 1, 2), 'x-netpay-touchstone': carried },
    });
    expect(mismatch.json()).toMatchObject({ code: 'TOUCHSTONE.MISMATCH' });
  });

  it('spends through POST /spends and shows the chain on GET /chains/:id', async () => {
    const issued = await stack.broker.issue({ wallet: 'client' });
    const proof = issued.chain.spendProof(1, 4);
    const spent = await vendor.http('POST', '/spends', {
      body: { ...proof, count: 4, resource: 'api', touchstone: issued.touchstone },
    });
    expect(spent.status).toBe(201);
    expect(spent.json()).toMatchObject({
      duplicate: false,
      receipt: { fromIndex: 1, toIndex: 4, amount: 20 },
    });
    const view = await vendor.http('GET', `/chains/${issued.chain.chainId}`);
    expect(view.json()).toMatchObject({
      status: 'open',
      holder: 'news',
      heldHere: true,
      index: 5,
      revision: 1,
    });
    expect((await vendor.http('GET', '/chains/nosuchchain')).status).toBe(404);
    const invalid = await vendor.http('POST', '/spends', { body: { ...proof, count: 0 } });
    expect(invalid.status).toBe(400);
    const metrics = (await vendor.http('GET', '/metrics')).text;
    expect(metrics).toMatch(
      /netpay_vendor_spends_total\{vendor="news",wallet="client",duplicate="false"\} [1-9]/,
    );
    expect(metrics).toMatch(
      /netpay_vendor_refusals_total\{vendor="news",code="SPEND.PAYWORD_REPLAYED"\} [1-9]/,
    );
    // Series nothing has touched yet are there at 0, for the dashboards' rates.
    expect(metrics).toMatch(
      /netpay_vendor_spends_total\{vendor="news",wallet="server",duplicate="false"\} 0\n/,
    );
    expect(metrics).toMatch(/netpay_vendor_hand_offs_total\{vendor="news",direction="claimed"\} 0\n/);
  });
});
