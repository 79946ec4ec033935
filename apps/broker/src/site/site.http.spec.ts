import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InMemoryEventStore } from '#event-store';
import { startBroker, type TestBroker } from '../test/broker-harness.js';

describe("the broker's pages (in-memory)", () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startBroker({ store: new InMemoryEventStore() });
  });
  afterAll(() => broker.close());

  it('serves the site at / as HTML that no other site may frame', async () => {
    const res = await broker.http('GET', '/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.text).toContain('/site/broker.mjs');
  });

  it('lets vendor shops frame the wallet frame, and nothing else', async () => {
    const frame = await broker.http('GET', '/site/wallet-frame.html');
    expect(frame.status).toBe(200);
    expect(frame.headers.get('content-security-policy')).toContain('frame-ancestors http: https:');
    const script = await broker.http('GET', '/site/broker.mjs');
    expect(script.headers.get('content-type')).toContain('text/javascript');
  });

  it.each(['..%2F..%2Fpackage.json', '.env', 'broker.exe', 'nope.html'])(
    'answers 404 problem+json for /site/%s',
    async (name) => {
      const res = await broker.http('GET', `/site/${name}`);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    },
  );
});
