import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InMemoryEventStore } from '#event-store';
import { startBroker, type TestBroker } from './test/broker-harness.js';
import { buy, registerCustomer } from './test/scenario.js';

describe('broker app (in-memory)', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startBroker({ store: new InMemoryEventStore() });
  });
  afterAll(() => broker.close());

  it('answers /health and /health/ready with its dependency checks', async () => {
    expect((await broker.http('GET', '/health')).json()).toMatchObject({ status: 'ok', service: 'broker' });
    const ready = await broker.http('GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(Object.keys(ready.json<{ checks: object }>().checks)).toEqual(
      expect.arrayContaining(['event-store', 'wallet-projection']),
    );
  });

  it('documents every endpoint in OpenAPI, with bearer auth and Idempotency-Key', async () => {
    const doc = (await broker.http('GET', '/docs-json')).json<{
      paths: Record<string, Record<string, { parameters?: { name: string }[] }>>;
    }>();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/customers',
        '/purchases',
        '/wallet',
        '/wallet/vendors',
        '/keys',
        '/vendors',
        '/chains/{chainId}/touchstone',
        '/revocations',
      ]),
    );
    expect(doc.paths['/purchases']!.post!.parameters?.map((p) => p.name)).toContain('Idempotency-Key');
  });

  it('counts purchases by outcome on /metrics', async () => {
    const customer = await registerCustomer(broker.http, 100);
    await buy(broker.http, customer, { coins: 4, coinValue: 5 });
    await buy(broker.http, customer, { coins: 100, coinValue: 5 });
    const text = (await broker.http('GET', '/metrics')).text;
    expect(text).toContain('netpay_broker_purchases_total{outcome="completed",wallet="client"} 1');
    expect(text).toContain('netpay_broker_purchases_total{outcome="declined",wallet="client"} 1');
    expect(text).toContain('netpay_broker_value_issued_minor_total{currency="NZD"} 20');
  });

  it('serves the broker keys over HTTP, current first', async () => {
    const keys = (await broker.http('GET', '/keys')).json<{
      currentKeyId: string;
      keys: { keyId: string }[];
    }>();
    expect(keys.currentKeyId).toBe('broker-test-1');
    expect(keys.keys[0]!.keyId).toBe('broker-test-1');
  });
});
