import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { subjects } from '#contracts';
import { streams } from '#events';
import { eventually } from '#event-store/testing';
import { setupTracing, type Tracing } from '#platform';
import { type BrokeredVendor, RealBrokerStack } from '../../../vendor/test/real-broker-stack.js';
import { authoriseVendor, buy, registerCustomer } from '../test/scenario.js';

/**
 * The broker's NATS handlers continue the requester's trace: a debit at a vendor asks the broker
 * for a checkout over NATS; the vendor's request span, the broker's handler span and the
 * WalletCheckedOut event the handler appends are all in the trace of the debit's HTTP request.
 */
describe('tracing: the broker’s checkout handler over NATS', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  let stack: RealBrokerStack;
  let vendor: BrokeredVendor;

  beforeAll(async () => {
    tracing = setupTracing({
      serviceName: 'checkout-under-test',
      processors: [new SimpleSpanProcessor({ exporter })],
    });
    stack = await RealBrokerStack.start();
    vendor = await stack.vendor('news_a');
    await vendor.registration.done;
  });
  afterAll(async () => {
    await stack.dispose();
    await tracing.shutdown();
  });

  it('follows a debit from the vendor’s HTTP request to the broker’s handler and its event', async () => {
    const customer = await registerCustomer(stack.broker.http, 10_000);
    const chainId = (await buy(stack.broker.http, customer, { coins: 20, wallet: 'server' })).json<{
      chains: { chainId: string }[];
    }>().chains[0]!.chainId;
    const token = await authoriseVendor(stack.broker.http, customer, 'news_a');
    exporter.reset();
    const upstream = randomUUID().replaceAll('-', '');
    const res = await vendor.http('POST', '/debits', {
      body: { checkoutToken: token, count: 1 },
      headers: { 'idempotency-key': randomUUID(), traceparent: `00-${upstream}-00f067aa0ba902b7-01` },
    });
    expect(res.status).toBe(201);

    const traced = () => exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === upstream);
    const serve = `nats serve ${subjects.walletCheckout}`;
    await eventually('the broker’s handler span', () => traced().some((s) => s.name === serve));
    const request = traced().find((s) => s.name === `nats request ${subjects.walletCheckout}`);
    const handler = traced().find((s) => s.name === serve);
    expect(request).toBeDefined();
    expect(handler!.parentSpanContext?.spanId).toBe(request!.spanContext().spanId);

    const checkedOut = (await stack.store.readStream(streams.chain(chainId))).find(
      (e) => e.type === 'WalletCheckedOut',
    );
    expect(checkedOut?.metadata.traceparent?.split('-')[1]).toBe(upstream);
  });
});
