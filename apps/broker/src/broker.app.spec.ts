import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InMemoryEventStore } from '#event-store';
import { startBroker, type TestBroker } from './test/broker-harness.js';

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

  it('serves the broker keys over HTTP, current first', async () => {
    const keys = (await broker.http('GET', '/keys')).json<{
      currentKeyId: string;
      keys: { keyId: string }[];
    }>();
    expect(keys.currentKeyId).toBe('broker-test-1');
    expect(keys.keys[0]!.keyId).toBe('broker-test-1');
  });
});
