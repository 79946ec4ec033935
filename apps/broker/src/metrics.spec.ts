import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InMemoryEventStore } from '#event-store';
import { startBroker, type TestBroker } from './test/broker-harness.js';
import { registerCustomer } from './test/scenario.js';

/** The broker's scrape endpoint, served by prom-client: Node and process figures, routes, dependencies. */
describe('broker /metrics (prom-client)', () => {
  let broker: TestBroker;
  let text: string;
  let contentType: string | null;

  beforeAll(async () => {
    broker = await startBroker({ store: new InMemoryEventStore() });
    await registerCustomer(broker.http);
    await broker.http('GET', '/wallet'); // 401: no token
    const res = await broker.http('GET', '/metrics');
    text = res.text;
    contentType = res.headers.get('content-type');
  });
  afterAll(() => broker.close());

  it('serves the Prometheus text format', () => {
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('has the Node and process figures: event-loop lag, GC, heap, CPU', () => {
    for (const name of [
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_gc_duration_seconds',
      'nodejs_heap_size_used_bytes',
      'process_cpu_seconds_total',
    ])
      expect(text).toContain(`# TYPE ${name} `);
  });

  it('times requests per route pattern and method, and counts them by status', () => {
    expect(text).toMatch(
      /^http_request_duration_seconds_bucket\{le="\+Inf",method="POST",route="\/customers"\} [1-9]/m,
    );
    expect(text).toMatch(/^http_requests_total\{method="GET",route="\/wallet",status="401"\} 1$/m);
  });

  it('shows dependency health and the wallet projection', () => {
    expect(text).toMatch(/^netpay_dependency_up\{check="event-store"\} 1$/m);
    expect(text).toMatch(/^netpay_ready 1$/m);
    expect(text).toMatch(/^netpay_projection_caught_up\{projection="broker-wallet"\} 1$/m);
    expect(text).toMatch(/^netpay_broker_purchases_total|# TYPE netpay_broker_purchases_total counter/m);
  });
});
