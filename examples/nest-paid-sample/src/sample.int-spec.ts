import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { generateSigningKey, VendorEngine } from '@netpay/nest-paid';
import { testNatsIdentity } from '#event-store/testing';
import { paymentHeader, VendorStack } from '../../../apps/vendor/test/vendor-stack.js';
import { AppModule } from './app.module.js';

/**
 * The sample app is a plain NestJS app (NestFactory + FastifyAdapter, no NetPay bootstrap): it
 * imports `@netpay/nest-paid` and nothing else of NetPay. Before the module registered its own
 * filter, its unpaid request was answered 500.
 */
describe('@netpay/nest-paid in a plain NestJS app (real NATS, JetStream)', () => {
  let stack: VendorStack;
  let app: NestFastifyApplication;
  let url: string;

  beforeAll(async () => {
    stack = await VendorStack.start();
    const key = generateSigningKey('shop-1');
    app = await NestFactory.create<NestFastifyApplication>(
      AppModule.forRoot({
        vendorId: 'shop',
        signingKey: key,
        brokerKeys: stack.broker.publicKeys(),
        accepted: { currency: 'NZD', coinValue: 5 },
        handOffTimeoutMs: 500,
        natsServers: stack.nats.url,
        natsIdentity: testNatsIdentity('vendor-shop'),
        eventStore: stack.store,
        hotStore: 'memory',
      }),
      new FastifyAdapter(),
      { logger: false },
    );
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
    stack.broker.registerVendor('shop', app.get(VendorEngine).signer);
  });
  afterAll(async () => {
    await app?.close();
    await stack?.dispose();
  });

  it('answers an unpaid request 402 problem+json with the price, not 500', async () => {
    const response = await fetch(`${url}/poems/p1`);
    expect(response.status).toBe(402);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.headers.get('x-netpay-price')).toBe('1');
    expect(await response.json()).toMatchObject({ code: 'PAYMENT.REQUIRED', vendorId: 'shop' });
  });

  it('serves the poem for a payword, and refuses the same payword for another poem', async () => {
    const issued = await stack.broker.issue();
    const headers = { 'x-netpay-payment': paymentHeader(issued.chain, 1, 1) };
    const paid = await fetch(`${url}/poems/p1`, { headers });
    expect(paid.status).toBe(200);
    expect(paid.headers.get('x-netpay-receipt-id')).toBeTruthy();
    expect(await paid.json()).toMatchObject({ title: 'Low tide' });
    const replayed = await fetch(`${url}/poems/p2`, { headers });
    expect(replayed.status).toBe(409);
    expect(await replayed.json()).toMatchObject({ code: 'SPEND.PAYWORD_REPLAYED' });
  });

  it('answers 404 for a poem that does not exist, before any payment', async () => {
    const response = await fetch(`${url}/poems/nope`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
  });
});
